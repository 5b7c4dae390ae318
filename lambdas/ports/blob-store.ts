/** Port: evidence documents and caches (S3 in AWS, a directory locally). */
export interface BlobStore {
  /** Writes or replaces (caches). */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /**
   * Writes only when nothing is stored under the key yet (S3 `If-None-Match: *`, an exclusive
   * create locally): evidence is write-once. `exists` leaves the stored object untouched.
   */
  putIfAbsent(key: string, body: Buffer, contentType: string): Promise<'created' | 'exists'>;
  get(key: string): Promise<Buffer | undefined>;
  /** `s3://bucket/key` or a file path, for summaries and records. */
  location(key: string): string;
}
