import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { BadInputError } from '../../core/errors';
import type { DataCoverage, DataDescription, PackageQuery, VulnerabilitySource } from '../../vuln/vulnerability-source';
import type { OsvRecord } from '../../vuln/osv/types';
import { OfflineOsvSource } from '../../vuln/sources/offline-source';
import { classifyingClient } from './aws-errors';

/**
 * An OSV mirror in S3 (`s3://bucket/key` of an OSV `all.zip`): downloaded to /tmp once per
 * object version (ETag) and read offline. For accounts whose Lambdas have no internet egress.
 */
export class S3OsvMirror implements VulnerabilitySource {
  private loaded?: { etag: string; source: OfflineOsvSource };
  private readonly client: S3Client;

  constructor(
    client: S3Client,
    private readonly uri: string,
    private readonly dir = '/tmp',
  ) {
    this.client = classifyingClient(client, 'S3');
    if (!/^s3:\/\/[^/]+\/.+/.test(uri)) throw new BadInputError(`OSV mirror must be s3://BUCKET/KEY, got "${uri}"`);
  }

  private get location(): { Bucket: string; Key: string } {
    const [, bucket, ...key] = this.uri.replace(/^s3:\/\//, '/').split('/');
    return { Bucket: bucket as string, Key: key.join('/') };
  }

  private async source(): Promise<OfflineOsvSource> {
    const head = await this.client.send(new HeadObjectCommand(this.location));
    const etag = head.ETag ?? '';
    if (this.loaded?.etag === etag) return this.loaded.source;
    const file = path.join(this.dir, `osv-mirror-${etag.replace(/[^A-Za-z0-9]/g, '') || 'latest'}.zip`);
    if (!fs.existsSync(file)) {
      const obj = await this.client.send(new GetObjectCommand(this.location));
      await pipeline(obj.Body as Readable, fs.createWriteStream(`${file}.part`));
      fs.renameSync(`${file}.part`, file);
    }
    this.loaded = { etag, source: OfflineOsvSource.fromPath(file) };
    return this.loaded.source;
  }

  async recordsFor(packages: readonly PackageQuery[]): Promise<readonly OsvRecord[]> {
    return (await this.source()).recordsFor(packages);
  }

  async coverage(): Promise<DataCoverage> {
    return (await this.source()).coverage();
  }

  async recordsById(ids: readonly string[]): Promise<readonly OsvRecord[]> {
    return (await this.source()).recordsById(ids);
  }

  async describe(): Promise<DataDescription> {
    const d = await (await this.source()).describe();
    return { ...d, source: this.uri };
  }
}
