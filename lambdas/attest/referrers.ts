import { BadInputError } from '../core/errors';
import { digestOf } from '../oci/digest';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { INDEX_TYPES, MediaType } from '../oci/media-types';
import type { ArtifactSource, ArtifactWriter } from '../oci/source';

/** Manifest annotations cosign's `WriteReferrer` sets on a bundle referrer. */
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';

/** The OCI empty descriptor's content, `{}` (image-spec manifest.md "Guidance for an Empty Descriptor"). */
export const EMPTY_CONFIG = Buffer.from('{}');

export type SubjectDescriptor = Pick<Descriptor, 'mediaType' | 'digest' | 'size'>;

/**
 * A bundle referrer as cosign's `WriteReferrer` writes it (formats.md §1.7a): artifactType and
 * config artifactType the bundle media type, the empty config, one bundle layer, the subject,
 * and the content / predicateType annotations. Unlike cosign we leave out
 * `org.opencontainers.image.created`: without a time the manifest is a function of the bundle
 * and the subject, so attaching the same bundle twice is idempotent.
 */
export function bundleReferrerManifest(bundle: Buffer, subject: SubjectDescriptor, predicateType: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: MediaType.sigstoreBundleV03,
      config: { mediaType: MediaType.ociEmpty, artifactType: MediaType.sigstoreBundleV03, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
      layers: [{ mediaType: MediaType.sigstoreBundleV03, digest: digestOf(bundle), size: bundle.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope', [BUNDLE_PREDICATE_TYPE_ANNOTATION]: predicateType },
    }),
  );
}

/**
 * The referrers tag schema's tag for a digest (distribution-spec): `<alg>-<hex>`, algorithm cut
 * to 32 characters and hex to 64. It never collides with cosign's `.sig` / `.att` / `.sbom` tags.
 */
export function referrersFallbackTag(digest: string): string {
  const [alg = '', hex = ''] = digest.split(':');
  return `${alg.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

export type ReferrerOutcome =
  | { readonly mode: 'referrers-api'; readonly digest: string }
  | { readonly mode: 'fallback-tag'; readonly digest: string; readonly tag: string }
  | { readonly mode: 'skipped'; readonly digest: string; readonly reason: string };

interface RawIndex {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Record<string, unknown>[];
  annotations?: unknown;
}

/** The fallback index with `entry` appended (once); other entries are kept as they are. */
export function appendToFallbackIndex(existing: FetchedManifest | undefined, entry: Descriptor): Buffer | undefined {
  if (existing && existing.manifest.kind !== 'index') throw new BadInputError(`a referrers tag holds an image manifest (${existing.digest}), not an index; refusing to overwrite it`);
  // Bytes parseManifest accepted as an index: `manifests` is a list of descriptor objects.
  const previous: RawIndex = existing ? (JSON.parse(existing.bytes.toString('utf8')) as RawIndex) : {};
  const manifests = previous.manifests ?? [];
  if (manifests.some((m) => m.digest === entry.digest)) return undefined;
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [...manifests, { ...entry }],
      ...(previous.annotations ? { annotations: previous.annotations } : {}),
    }),
  );
}

/** A manifest stored without a tag: by digest in a registry, as a blob in a layout. */
async function putUntagged(source: ArtifactSource, writer: ArtifactWriter, bytes: Buffer): Promise<string> {
  if (source.scheme === 'registry') return writer.putManifest(digestOf(bytes), bytes, MediaType.ociManifest);
  return (await writer.pushBlob(bytes)).digest;
}

/**
 * Attaches a referrer manifest to `subject`. Where the registry serves the referrers API, the
 * manifest is pushed with its `subject` and the registry indexes it; when that registry refuses
 * an index as subject (ECR does, aws/containers-roadmap #2783) the attachment is skipped, the
 * platform manifests carrying their own. Otherwise (Debian's distribution 2.8, OCI layouts) the
 * client maintains the `sha256-<hex>` fallback index itself. That read-modify-write is racy,
 * as for `.sig`/`.att`: two writers for one digest should not run at the same instant.
 */
export async function attachReferrer(source: ArtifactSource, subject: SubjectDescriptor, manifest: Buffer, layerBlobs: readonly Buffer[]): Promise<ReferrerOutcome> {
  const writer = source.writer;
  if (!writer) throw new BadInputError(`${source.display}: referrers can only be attached in a registry or an oci-dir layout`);
  await writer.pushBlob(EMPTY_CONFIG);
  for (const blob of layerBlobs) await writer.pushBlob(blob);
  const digest = digestOf(manifest);
  const listed = await writer.referrers?.(subject.digest);
  if (listed) {
    try {
      await writer.putManifest(digest, manifest, MediaType.ociManifest);
    } catch (err) {
      if (err instanceof BadInputError && INDEX_TYPES.has(subject.mediaType)) {
        return { mode: 'skipped', digest, reason: `the registry refused an index as subject (${err.message}); the platform manifests carry the referrers` };
      }
      throw err;
    }
    return { mode: 'referrers-api', digest };
  }
  await putUntagged(source, writer, manifest);
  const tag = referrersFallbackTag(subject.digest);
  const existing = await writer.manifestByTag(tag);
  if (existing && existing.manifest.kind !== 'index') {
    throw new BadInputError(`${writer.repositoryName}:${tag} is not a referrers index; refusing to overwrite it`);
  }
  const doc = JSON.parse(manifest.toString('utf8')) as { artifactType?: string; annotations?: Record<string, string> }; // the manifest we just built
  const entry: Descriptor = {
    mediaType: MediaType.ociManifest,
    digest,
    size: manifest.length,
    ...(doc.artifactType ? { artifactType: doc.artifactType } : {}),
    ...(doc.annotations ? { annotations: doc.annotations } : {}),
  };
  const index = appendToFallbackIndex(existing, entry);
  if (index) await writer.putManifest(tag, index, MediaType.ociIndex);
  return { mode: 'fallback-tag', digest, tag };
}

export interface ReferrerList {
  readonly mode: 'referrers-api' | 'fallback-tag';
  readonly descriptors: readonly Descriptor[];
}

/** Referrers of `digest` with the given artifactType, from the API or else the fallback tag. */
export async function listReferrers(source: ArtifactSource, digest: string, artifactType: string): Promise<ReferrerList> {
  const writer = source.writer;
  if (!writer) return { mode: 'fallback-tag', descriptors: [] };
  const listed = await writer.referrers?.(digest);
  // Filtered client-side: registries may ignore ?artifactType= (go-containerregistry does the same).
  if (listed) return { mode: 'referrers-api', descriptors: listed.filter((d) => d.artifactType === artifactType) };
  const index = await writer.manifestByTag(referrersFallbackTag(digest));
  if (!index || index.manifest.kind !== 'index') return { mode: 'fallback-tag', descriptors: [] };
  return { mode: 'fallback-tag', descriptors: index.manifest.manifests.filter((d) => d.artifactType === artifactType) };
}
