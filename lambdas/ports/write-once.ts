import { createHash } from 'node:crypto';
import type { BlobStore } from './blob-store';
import { IntegrityError, NotFoundError } from '../core/errors';

/** A document in the evidence store, with the SHA-256 of its bytes as written. */
export interface StoredDocument {
  readonly key: string;
  readonly location: string;
  readonly sha256: string;
}

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes evidence once. A key that already holds the same bytes is a retry of this write (fine);
 * a key that holds other bytes is never overwritten: that is an integrity failure. Callers put a
 * content hash in the key where a retry may produce other bytes (a new timestamp, a new ECDSA
 * signature), so that only a forged object can collide.
 */
export async function writeOnce(store: BlobStore, key: string, body: Buffer, contentType: string): Promise<StoredDocument> {
  const sha256 = sha256Hex(body);
  if ((await store.putIfAbsent(key, body, contentType)) === 'exists') {
    const stored = await store.get(key);
    if (!stored || sha256Hex(stored) !== sha256) throw new IntegrityError(`evidence ${store.location(key)} already exists with other content; it is never overwritten`);
  }
  return { key, location: store.location(key), sha256 };
}

/** Reads evidence back and checks it is the document the state recorded. */
export async function readVerified(store: BlobStore, doc: Pick<StoredDocument, 'key' | 'sha256'>): Promise<Buffer> {
  const body = await store.get(doc.key);
  if (!body) throw new NotFoundError(`evidence ${store.location(doc.key)} is missing from the evidence store`);
  const actual = sha256Hex(body);
  if (actual !== doc.sha256) throw new IntegrityError(`evidence ${store.location(doc.key)} was modified after it was written (sha256 ${actual}, recorded ${doc.sha256})`);
  return body;
}
