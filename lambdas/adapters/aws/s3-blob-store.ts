import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { UnavailableError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';
import { classifyingClient } from './aws-errors';

export interface S3BlobStoreOptions {
  /**
   * Write-once objects are also locked in S3 Object Lock governance mode for this many days
   * (the bucket must have Object Lock enabled). @default - no retention is set
   */
  readonly lockDays?: number;
  readonly now?: () => Date;
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(
    client: S3Client,
    private readonly bucket: string,
    private readonly options: S3BlobStoreOptions = {},
  ) {
    // Outcomes handled below pass through; every other error is classified (aws-errors.ts).
    this.client = classifyingClient(client, 'S3', ['NoSuchKey', 'PreconditionFailed', 'ConditionalRequestConflict']);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /** `If-None-Match: *` (S3 conditional writes): 412 means the key exists and was left alone. */
  async putIfAbsent(key: string, body: Buffer, contentType: string): Promise<'created' | 'exists'> {
    const days = this.options.lockDays;
    const lock = days ? { ObjectLockMode: 'GOVERNANCE' as const, ObjectLockRetainUntilDate: new Date((this.options.now?.() ?? new Date()).getTime() + days * 86_400_000) } : {};
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch: '*', ...lock }));
      return 'created';
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.$metadata?.httpStatusCode === 412 || e.name === 'PreconditionFailed') return 'exists';
      // 409: another conditional write to the key is in flight; the state machine retries.
      if (e.$metadata?.httpStatusCode === 409 || e.name === 'ConditionalRequestConflict') throw new UnavailableError(`s3://${this.bucket}/${key}: a concurrent write is in progress`, { cause: err });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.Body ? Buffer.from(await res.Body.transformToByteArray()) : undefined;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  location(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}
