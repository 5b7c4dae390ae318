import type { Readable } from 'node:stream';
import type { ImageReference } from './reference';
import type { Descriptor, FetchedManifest } from './manifest';

export type SourceScheme = 'registry' | 'oci-dir' | 'oci-archive' | 'docker-archive' | 'dir';

/**
 * Where an artifact's manifests and blobs come from: a registry, an OCI layout on disk or in a
 * tar, or a `docker save` tar. Every manifest and blob handed out is checked against its digest.
 */
export interface ArtifactSource {
  readonly scheme: SourceScheme;
  /** As the user wrote it, for messages (`registry:127.0.0.1:5000/app:1.0`). */
  readonly display: string;
  /** Registry sources only: the parsed reference. */
  readonly reference?: ImageReference;
  /** The tag the user named (or the layout's only tag), if any. */
  readonly tag?: string;
  /** The root manifest or index the source names. */
  resolve(): Promise<FetchedManifest>;
  /** A manifest by descriptor (a platform manifest of an index). */
  manifest(desc: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<FetchedManifest>;
  openBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable>;
  readBlob(desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Buffer>;
  hasBlob(desc: Pick<Descriptor, 'digest'>): Promise<boolean>;
  /** Where signatures and attestations can be written, when the source allows it. */
  readonly writer?: ArtifactWriter;
  close(): Promise<void>;
}

/** Write access for attaching evidence (`sha256-<hex>.sig` tags) beside an artifact. */
export interface ArtifactWriter {
  /** `HOST/REPO` for registries; a stable name for layouts. */
  readonly repositoryName: string;
  manifestByTag(tag: string): Promise<FetchedManifest | undefined>;
  pushBlob(bytes: Buffer): Promise<{ digest: string; size: number }>;
  putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<string>;
  /**
   * OCI 1.1 referrers of a manifest when the registry serves the referrers API; undefined when
   * it does not (then the `sha256-<hex>` tag schema applies). Absent for layouts on disk.
   */
  referrers?(digest: string): Promise<Descriptor[] | undefined>;
}
