import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { BadInputError, LimitExceededError } from '../core/errors';
import type { LayerCompression } from '../oci/media-types';

/**
 * Limits that stop a decompression bomb: a layer may not expand beyond `maxBytes`, nor beyond
 * `maxRatio` times its compressed size once past `ratioGraceBytes` (small layers of zeros
 * legitimately compress very well). gzip cannot exceed ~1032:1, zstd can go far beyond.
 */
export interface DecompressionLimits {
  readonly maxBytes: number;
  readonly maxRatio: number;
  readonly ratioGraceBytes: number;
}

export const DEFAULT_LIMITS: DecompressionLimits = {
  maxBytes: 32 * 1024 ** 3,
  maxRatio: 2000,
  ratioGraceBytes: 256 * 1024 ** 2,
};

/**
 * Buffer between pipeline stages. Inflate runs on libuv's thread pool while tar parsing runs on
 * the main thread; with the 16 KB stream default they wait on each other instead of overlapping.
 */
export const PIPE_BUFFER = 2 * 1024 * 1024;

/** Counts bytes in and out and fails the stream as soon as a limit is crossed. */
class LimitGuard extends Transform {
  out = 0;
  constructor(
    private readonly compressedSize: number,
    private readonly limits: DecompressionLimits,
    private readonly what: string,
  ) {
    super({ highWaterMark: PIPE_BUFFER });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.out += chunk.length;
    if (this.out > this.limits.maxBytes) {
      cb(new LimitExceededError(`${this.what}: expands beyond ${this.limits.maxBytes} bytes (decompression limit)`));
      return;
    }
    if (this.out > this.limits.ratioGraceBytes && this.compressedSize > 0 && this.out / this.compressedSize > this.limits.maxRatio) {
      cb(new LimitExceededError(`${this.what}: expands more than ${this.limits.maxRatio}:1 (decompression bomb limit)`));
      return;
    }
    cb(null, chunk);
  }
}

/** Pure-JS zstd for Node 20 (Node ≥ 22.15 has zlib.createZstdDecompress, used when present). */
class FzstdTransform extends Transform {
  private readonly d: ZstdDecompress;
  constructor() {
    super();
    this.d = new ZstdDecompress((chunk) => this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(chunk);
      cb();
    } catch (err) {
      cb(new BadInputError(`corrupt zstd data: ${(err as Error).message}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new BadInputError(`truncated zstd data: ${(err as Error).message}`));
    }
  }
}

function zstdStream(): Transform {
  const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  return native ? native() : new FzstdTransform();
}

/** The decompressor for a layer, with bomb limits; errors name the layer. */
export function decompressor(compression: LayerCompression, compressedSize: number, what: string, limits: DecompressionLimits = DEFAULT_LIMITS): Transform[] {
  const guard = new LimitGuard(compressedSize, limits, what);
  if (compression === 'none') return [guard];
  // 2 MiB output chunks: fewer buffers to allocate and collect than 1 MiB, while each spent chunk
  // is garbage until the next GC; with three layers in flight 4 MiB chunks cost ~20 MB more peak
  // RSS than 2 MiB (measured on an image with 45 MB executables in every layer: 195 vs 175 MB),
  // for no wall-time difference measurable on the bench image.
  const inflate = compression === 'gzip' ? zlib.createGunzip({ chunkSize: 2 * 1024 * 1024, highWaterMark: PIPE_BUFFER } as zlib.ZlibOptions) : zstdStream();
  return [inflate, guard];
}
