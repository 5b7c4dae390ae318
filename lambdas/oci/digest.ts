import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { BadInputError, DigestMismatchError } from '../core/errors';

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

export function assertDigest(value: string, what = 'digest'): string {
  if (typeof value !== 'string' || !isDigest(value)) {
    throw new BadInputError(`invalid ${what} "${String(value).slice(0, 80)}": expected sha256:<64 hex> or sha512:<128 hex>`);
  }
  return value;
}

function algorithmOf(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** `sha256:abc…` → `abc…` */
export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  const actual = digestOf(bytes, algorithmOf(expected));
  if (actual !== expected) throw new DigestMismatchError(`${what}: content digest ${actual} does not match ${expected}`);
}

/**
 * Pass-through stream that hashes what flows through it and fails at the end when the digest
 * (or, when known, the size) differs, so a consumer never sees a clean end on corrupt content.
 * It also fails as soon as more bytes than the expected size arrive.
 */
export class DigestVerifier extends Transform {
  private readonly hash;
  private seen = 0;

  constructor(
    private readonly expected: string,
    private readonly expectedSize: number | undefined,
    private readonly what: string,
  ) {
    // A deep buffer lets the reader run ahead of slower consumers (inflate, tar parsing).
    super({ highWaterMark: 2 * 1024 * 1024 });
    this.hash = createHash(algorithmOf(expected));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.expectedSize !== undefined && this.seen > this.expectedSize) {
      cb(new DigestMismatchError(`${this.what}: more than the ${this.expectedSize} bytes its descriptor declares`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = `${algorithmOf(this.expected)}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      cb(new DigestMismatchError(`${this.what}: content digest ${actual} does not match ${this.expected}`));
    } else if (this.expectedSize !== undefined && this.seen !== this.expectedSize) {
      cb(new DigestMismatchError(`${this.what}: ${this.seen} bytes, descriptor declares ${this.expectedSize}`));
    } else {
      cb();
    }
  }
}
