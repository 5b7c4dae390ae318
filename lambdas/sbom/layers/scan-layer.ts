import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArtifactGuardError, BadInputError } from '../../core/errors';
import type { LayerCompression } from '../../oci/media-types';
import type { ArenaBuffer, BufferBudget } from '../buffer-budget';
import { LARGE_FILE, sharedBufferBudget } from '../buffer-budget';
import type { Reader } from './catalog-builder';
import { CatalogCollector, isCandidate } from './catalog-builder';
import type { DecompressionLimits } from '../decompress';
import { DEFAULT_LIMITS, decompressor, PIPE_BUFFER } from '../decompress';
import type { LayerCatalog } from './catalog';
import type { Cataloger } from '../cataloger';
import { TarReader } from '../tar-reader';

/** Relative, no empty, `.` or `..` segment, no trailing slash. */
const CLEAN_NAME = /^(?:(?!\.\.?\/)[^/]+\/)*(?!\.\.?$)[^/]+$/;
/**
 * Normalises a tar entry name to a root-relative path (`./a/b/` → `a/b`, `/etc/x` → `etc/x`).
 * Returns undefined for names that climb out of the root (`../x`, `a/../../x`).
 */
export function rootRelative(name: string): string | undefined {
  // Most names are already clean (`usr/lib/x`): no normalising needed, and layers hold 100k of them.
  if (CLEAN_NAME.test(name)) return name;
  const relative = path.posix.normalize(name.replace(/^\/+/, ''));
  if (relative === '..' || relative.startsWith('../')) return undefined;
  const out = relative.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return out === '.' ? '' : out;
}

export interface ScanOptions {
  readonly catalogers: readonly Cataloger[];
  readonly limits?: DecompressionLimits;
  /** Memory for large buffered files, shared with concurrent scans. @default sharedBufferBudget */
  readonly budget?: BufferBudget;
}

/**
 * Streams one layer (compressed blob in, nothing on disk), runs the catalogers over the files
 * they want and records links and whiteouts. Memory holds only wanted files, one at a time;
 * files over 1 MiB wait for room in the shared budget first. Content candidates (executables)
 * are sniffed on their first bytes and buffered only when a cataloger accepts them.
 */
export async function scanLayer(blob: Readable, compression: LayerCompression, compressedSize: number, digest: string, opts: ScanOptions): Promise<LayerCatalog> {
  const collector = new CatalogCollector(digest, opts.catalogers);
  const budget = opts.budget ?? sharedBufferBudget;
  // Who reads the current entry, decided in onEntry (or after sniffing) and used in onFile.
  let reading: { path: string; who: Reader | readonly Cataloger[] } | undefined;
  // The arena buffer this scan holds, and whether the scan ended while still waiting for one.
  let held: ArenaBuffer | undefined;
  let ended = false;
  /** Where to collect a file: a normal buffer (true) when small, else an arena buffer, maybe after a wait. */
  const reserve = (size: number): true | Buffer | Promise<Buffer | false> => {
    if (size <= LARGE_FILE || size > budget.total) return true;
    const got = budget.acquire(size);
    if (!(got instanceof Promise)) {
      held = got;
      return got.buffer;
    }
    return got.then((b) => {
      if (ended) {
        b.release();
        return false;
      }
      held = b;
      return b.buffer;
    });
  };
  const releaseHeld = (): void => {
    held?.release();
    held = undefined;
  };
  const reader = new TarReader(
    {
      onEntry(header) {
        collector.entries += 1;
        collector.bytes += header.size;
        reading = undefined;
        const p = rootRelative(header.name);
        if (p === undefined) {
          collector.warn(header.name, 'tar entry escapes the image root; ignored');
          return false;
        }
        if (collector.whiteout(p)) return false;
        if (header.type === 'symlink') {
          collector.link(p, 'symlink', header.linkname);
          return false;
        }
        if (header.type === 'hardlink') {
          const target = rootRelative(header.linkname);
          if (target === undefined) collector.warn(p, 'hard link escapes the image root; ignored');
          else collector.link(p, 'hardlink', target);
          return false;
        }
        if (header.type !== 'file') return false;
        const who = collector.reader(p, header.size, header.mode);
        if (!who) return false;
        if (isCandidate(who)) {
          return {
            head: who.head,
            decide(head) {
              const accepted = collector.inspect(p, who, head, header.size);
              if (!accepted) return false;
              reading = { path: p, who: accepted };
              return reserve(header.size);
            },
          };
        }
        reading = { path: p, who };
        return header.size > LARGE_FILE ? { head: 0, decide: () => reserve(header.size) } : true;
      },
      onFile(_header, content) {
        if (!reading) return;
        const done = collector.file(reading.path, reading.who, content);
        if (done) return done.then(releaseHeld);
        releaseHeld();
      },
    },
    { highWaterMark: PIPE_BUFFER },
  );

  const what = `layer ${digest}`;
  try {
    const stages = decompressor(compression, compressedSize, what, opts.limits ?? DEFAULT_LIMITS);
    await pipeline([blob, ...stages, reader]);
  } catch (err) {
    if (err instanceof ArtifactGuardError) throw err.message.startsWith(what) ? err : new BadInputError(`${what}: ${err.message}`);
    const msg = (err as Error).message;
    const code = (err as { code?: string }).code ?? '';
    // zlib reports corrupt input as Z_DATA_ERROR / Z_BUF_ERROR ("incorrect data check", "unexpected end of file", …).
    if (code.startsWith('Z_') || /unexpected end of file|incorrect (header|data) check|invalid (block type|distance|stored block|code)|too many length/i.test(msg)) {
      throw new BadInputError(`${what}: corrupt or truncated ${compression} data (${msg})`);
    }
    throw new BadInputError(`${what}: ${msg}`);
  } finally {
    ended = true;
    releaseHeld();
  }
  return collector.finish();
}
