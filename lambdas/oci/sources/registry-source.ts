import type { Readable } from 'node:stream';
import { parseManifest } from '../manifest';
import type { Descriptor, FetchedManifest } from '../manifest';
import type { ImageReference } from '../reference';
import { formatReference, repositoryName } from '../reference';
import type { RegistryClient } from '../registry-client';
import type { ArtifactSource, ArtifactWriter } from '../source';
import { NotFoundError } from '../../core/errors';

export class RegistrySource implements ArtifactSource {
  readonly scheme = 'registry' as const;
  readonly display: string;
  readonly tag?: string;
  readonly writer: ArtifactWriter;

  constructor(
    readonly reference: ImageReference,
    private readonly client: RegistryClient,
  ) {
    this.display = `registry:${formatReference(reference)}`;
    this.tag = reference.tag ?? (reference.digest ? undefined : 'latest');
    const repo = reference.repository;
    this.writer = {
      repositoryName: repositoryName(reference),
      manifestByTag: async (tag) => {
        try {
          return await client.getManifest(repo, tag);
        } catch (err) {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        }
      },
      pushBlob: (bytes) => client.pushBlob(repo, bytes),
      putManifest: (tag, bytes, mediaType) => client.putManifest(repo, tag, bytes, mediaType),
      referrers: (digest) => client.getReferrers(repo, digest),
    };
  }

  resolve(): Promise<FetchedManifest> {
    return this.client.getManifest(this.reference.repository, this.reference.digest ?? this.tag ?? 'latest');
  }

  async manifest(desc: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<FetchedManifest> {
    const m = await this.client.getManifest(this.reference.repository, desc.digest);
    // The descriptor's media type is authoritative for what we asked for.
    if (desc.mediaType && m.mediaType !== desc.mediaType) parseManifest(m.bytes, desc.mediaType);
    return m;
  }

  openBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable> {
    return this.client.openBlob(this.reference.repository, desc);
  }

  readBlob(desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Buffer> {
    return this.client.readBlob(this.reference.repository, desc, maxBytes);
  }

  hasBlob(desc: Pick<Descriptor, 'digest'>): Promise<boolean> {
    return this.client.blobExists(this.reference.repository, desc.digest);
  }

  async close(): Promise<void> {}
}
