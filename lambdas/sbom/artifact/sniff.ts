import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { executableFormat } from '../catalogers/common/binary';
import { headerSum } from '../tar-reader';

/**
 * What a layer of an OCI artifact holds, from its first bytes (media types say little: `oras
 * push` labels every file `application/vnd.oci.image.layer.v1.tar` unless told otherwise).
 */
export type LayerContent =
  | { readonly kind: 'tar'; readonly compression: 'gzip' | 'zstd' | 'none' }
  | { readonly kind: 'zip' }
  | { readonly kind: 'executable' }
  | { readonly kind: 'file' };

/** Bytes read before deciding (a tar header is 512 bytes; compressed, more input may be needed). */
export const SNIFF_BYTES = 64 * 1024;

const BLOCK = 512;

/** A tar archive's first block: a header with a valid checksum, or the end-of-archive zeros of an empty tar. */
export function isTarHead(head: Buffer): boolean {
  if (head.length < BLOCK) return false;
  const block = head.subarray(0, BLOCK);
  if (block.every((b) => b === 0)) return head.length >= 2 * BLOCK && head.subarray(BLOCK, 2 * BLOCK).every((b) => b === 0);
  const stored = block.toString('ascii', 148, 156).replace(/\0.*$/, '').trim();
  if (!/^[0-7]{1,8}$/.test(stored)) return false;
  return parseInt(stored, 8) === headerSum(new DataView(block.buffer, block.byteOffset, BLOCK));
}

/** The first `want` bytes a compressed head inflates to (fewer when it is shorter or corrupt); never more. */
async function inflateHead(head: Buffer, compression: 'gzip' | 'zstd', want: number): Promise<Buffer> {
  if (compression === 'zstd') {
    const out: Uint8Array[] = [];
    let n = 0;
    try {
      const d = new ZstdDecompress((chunk) => {
        if (n < want) out.push(chunk.subarray(0, want - n));
        n += chunk.length;
        if (n >= want) throw new RangeError('enough');
      });
      for (let off = 0; off < head.length && n < want; off += 256) d.push(head.subarray(off, off + 256));
    } catch {
      // enough, or corrupt: what came out is the head.
    }
    return Buffer.concat(out);
  }
  return new Promise((resolve) => {
    const gunzip = zlib.createGunzip();
    const out: Buffer[] = [];
    let n = 0;
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      resolve(Buffer.concat(out).subarray(0, want));
    };
    gunzip.on('data', (c: Buffer) => {
      out.push(c);
      n += c.length;
      if (n >= want) done();
    });
    gunzip.on('error', done);
    gunzip.on('end', done);
    gunzip.end(head);
  });
}

/** Decides what a layer holds from its first bytes. */
export async function sniffLayer(head: Buffer): Promise<LayerContent> {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return isTarHead(await inflateHead(head, 'gzip', 2 * BLOCK)) ? { kind: 'tar', compression: 'gzip' } : { kind: 'file' };
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return isTarHead(await inflateHead(head, 'zstd', 2 * BLOCK)) ? { kind: 'tar', compression: 'zstd' } : { kind: 'file' };
  if (isTarHead(head)) return { kind: 'tar', compression: 'none' };
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return { kind: 'zip' };
  if (executableFormat(head)) return { kind: 'executable' };
  return { kind: 'file' };
}

/**
 * The first `n` bytes of a stream, and a stream of all of it (the head included) to read on;
 * `discard` when the rest is not wanted (the source stops fetching).
 */
export async function peekStream(stream: Readable, n: number): Promise<{ head: Buffer; whole: Readable; discard: () => void }> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value);
    got += r.value.length;
  }
  const first = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (first.length) yield first;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      // Stopped early (a reader failed): the source stops fetching.
      stream.destroy();
    }
  }
  return { head: first.subarray(0, n), whole: Readable.from(all(), { objectMode: false }), discard: () => stream.destroy() };
}

/** Reads a whole stream, refusing more than `max` bytes. */
export async function readAll(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > max) {
      stream.destroy();
      throw new RangeError(`more than ${max} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks, n);
}
