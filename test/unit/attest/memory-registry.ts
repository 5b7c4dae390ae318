import { Readable } from 'node:stream';
import { BadInputError, NotFoundError } from '../../../lambdas/core/errors';
import { digestOf } from '../../../lambdas/oci/digest';
import type { Descriptor, FetchedManifest } from '../../../lambdas/oci/manifest';
import { parseManifest } from '../../../lambdas/oci/manifest';
import { INDEX_TYPES } from '../../../lambdas/oci/media-types';
import type { ArtifactSource, ArtifactWriter } from '../../../lambdas/oci/source';

/**
 * An in-memory registry that serves the OCI 1.1 referrers API (as ECR and distribution 3 do),
 * for the paths Debian's distribution 2.8 cannot exercise. `refuseIndexSubjects` answers a
 * manifest whose subject is an index as ECR does (HTTP 405 → BadInputError in our client).
 */
export class MemoryRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly tags = new Map<string, string>();

  constructor(readonly opts: { refuseIndexSubjects?: boolean; referrersApi?: boolean } = {}) {}

  put(bytes: Buffer, mediaType: string, tag?: string): string {
    const { manifest } = parseManifest(bytes, mediaType);
    const subject = manifest.subject;
    if (subject && this.opts.refuseIndexSubjects && INDEX_TYPES.has(subject.mediaType)) throw new BadInputError('PUT manifest: HTTP 405 (UNSUPPORTED subject is an index)');
    const digest = digestOf(bytes);
    this.manifests.set(digest, { bytes, mediaType });
    if (tag && !tag.includes(':')) this.tags.set(tag, digest);
    return digest;
  }

  fetch(ref: string): FetchedManifest {
    const digest = ref.includes(':') ? ref : this.tags.get(ref);
    const m = digest ? this.manifests.get(digest) : undefined;
    if (!m || !digest) throw new NotFoundError(`manifest ${ref} not found`);
    const { manifest, mediaType } = parseManifest(m.bytes, m.mediaType);
    return { bytes: m.bytes, digest, mediaType, manifest };
  }

  referrers(digest: string): Descriptor[] {
    const out: Descriptor[] = [];
    for (const [d, m] of this.manifests) {
      const { manifest } = parseManifest(m.bytes, m.mediaType);
      if (manifest.subject?.digest !== digest) continue;
      out.push({ mediaType: m.mediaType, digest: d, size: m.bytes.length, ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}), ...(manifest.annotations ? { annotations: manifest.annotations } : {}) });
    }
    return out;
  }

  source(tag: string, name = 'registry.example.com/app'): ArtifactSource {
    const writer: ArtifactWriter = {
      repositoryName: name,
      manifestByTag: async (t) => (this.tags.has(t) ? this.fetch(t) : undefined),
      pushBlob: async (bytes) => {
        const digest = digestOf(bytes);
        this.blobs.set(digest, bytes);
        return { digest, size: bytes.length };
      },
      putManifest: async (t, bytes, mediaType) => this.put(bytes, mediaType, t),
      ...(this.opts.referrersApi === false ? { referrers: async () => undefined } : { referrers: async (d: string) => this.referrers(d) }),
    };
    const blob = (d: string): Buffer => {
      const b = this.blobs.get(d);
      if (!b) throw new NotFoundError(`blob ${d} not found`);
      return b;
    };
    return {
      scheme: 'registry',
      display: `registry:${name}:${tag}`,
      tag,
      writer,
      resolve: async () => this.fetch(tag),
      manifest: async (d) => this.fetch(d.digest),
      openBlob: async (d) => Readable.from([blob(d.digest)]),
      readBlob: async (d) => blob(d.digest),
      hasBlob: async (d) => this.blobs.has(d.digest),
      close: async () => undefined,
    };
  }
}
