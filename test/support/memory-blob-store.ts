import type { BlobStore } from '../../lambdas/ports/blob-store';

/** A BlobStore in memory with the same semantics as the real ones (put replaces, putIfAbsent creates once). */
export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();
  async put(key: string, body: Buffer, _contentType?: string): Promise<void> {
    this.blobs.set(key, Buffer.from(body));
  }
  async putIfAbsent(key: string, body: Buffer, _contentType?: string): Promise<'created' | 'exists'> {
    if (this.blobs.has(key)) return 'exists';
    this.blobs.set(key, Buffer.from(body));
    return 'created';
  }
  async get(key: string): Promise<Buffer | undefined> {
    return this.blobs.get(key);
  }
  location(key: string): string {
    return `mem://${key}`;
  }
}
