/** Port: evidence documents and caches (S3 in AWS, a directory locally). */
export interface BlobStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** `s3://bucket/key` or a file path, for summaries and records. */
  location(key: string): string;
}
