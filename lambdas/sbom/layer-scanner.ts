import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArtifactGuardError, BadInputError } from '../core/errors';
import type { LayerCompression } from '../oci/media-types';
import type { Reader } from './catalog-collector';
import { CatalogCollector } from './catalog-collector';
import type { DecompressionLimits } from './decompress';
import { DEFAULT_LIMITS, decompressor, PIPE_BUFFER } from './decompress';
import type { LayerCatalog } from './layer-catalog';
import type { Cataloger } from './package';
import { TarReader } from './tar-reader';

/**
 * Normalises a tar entry name to a root-relative path (`./a/b/` → `a/b`, `/etc/x` → `etc/x`).
 * Returns undefined for names that climb out of the root (`../x`, `a/../../x`).
 */
export function rootRelative(name: string): string | undefined {
  const relative = path.posix.normalize(name.replace(/^\/+/, ''));
  if (relative === '..' || relative.startsWith('../')) return undefined;
  const out = relative.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return out === '.' ? '' : out;
}

export interface ScanOptions {
  readonly catalogers: readonly Cataloger[];
  readonly limits?: DecompressionLimits;
}

/**
 * Streams one layer (compressed blob in, nothing on disk), runs the catalogers over the files
 * they want and records links and whiteouts. Memory holds only wanted files, one at a time.
 */
export async function scanLayer(blob: Readable, compression: LayerCompression, compressedSize: number, digest: string, opts: ScanOptions): Promise<LayerCatalog> {
  const collector = new CatalogCollector(digest, opts.catalogers);
  // Who reads the current entry, decided in onEntry and used in onFile.
  let reading: { path: string; who: Reader } | undefined;
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
        const who = collector.reader(p, header.size);
        if (!who) return false;
        reading = { path: p, who };
        return true;
      },
      onFile(_header, content) {
        if (reading) collector.file(reading.path, reading.who, content);
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
  }
  return collector.finish();
}
