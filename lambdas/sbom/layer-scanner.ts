import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ArtifactGuardError, BadInputError } from '../core/errors';
import type { LayerCompression } from '../oci/media-types';
import { CatalogCollector } from './catalog-collector';
import type { DecompressionLimits } from './decompress';
import { DEFAULT_LIMITS, decompressor } from './decompress';
import type { LayerCatalog } from './layer-catalog';
import type { Cataloger } from './package';

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
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    collector.entries += 1;
    collector.bytes += header.size ?? 0;
    // If the layer fails mid-entry, extract destroys this entry stream with the same error.
    stream.on('error', () => undefined);
    const skip = (): void => {
      stream.on('end', () => next());
      stream.resume();
    };
    const p = rootRelative(header.name);
    if (p === undefined) {
      collector.warn(header.name, 'tar entry escapes the image root; ignored');
      skip();
      return;
    }
    if (collector.whiteout(p)) {
      skip();
      return;
    }
    if (header.type === 'symlink') {
      collector.link(p, 'symlink', header.linkname ?? '');
      skip();
      return;
    }
    if (header.type === 'link') {
      const target = rootRelative(header.linkname ?? '');
      if (target === undefined) collector.warn(p, 'hard link escapes the image root; ignored');
      else collector.link(p, 'hardlink', target);
      skip();
      return;
    }
    const who = header.type === 'file' || header.type === 'contiguous-file' ? collector.reader(p, header.size ?? 0) : undefined;
    if (!who) {
      skip();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      collector.file(p, who, Buffer.concat(chunks));
      next();
    });
  });

  const what = `layer ${digest}`;
  try {
    const stages = decompressor(compression, compressedSize, what, opts.limits ?? DEFAULT_LIMITS);
    // pipeline reports the first error; when it tears the others down (tar-stream is a streamx
    // stream) they may emit that error again with nobody listening: keep it from going uncaught.
    for (const s of [...stages, extract]) s.on('error', () => undefined);
    await pipeline([blob, ...stages, extract as unknown as NodeJS.WritableStream]);
  } catch (err) {
    if (err instanceof ArtifactGuardError) throw err;
    const msg = (err as Error).message;
    if (/unexpected end of file|incorrect header check|invalid (block type|distance|stored block|code)|too many length/i.test(msg)) {
      throw new BadInputError(`${what}: corrupt or truncated ${compression} data (${msg})`);
    }
    throw new BadInputError(`${what}: corrupt or truncated tar (${msg})`);
  }
  return collector.finish();
}
