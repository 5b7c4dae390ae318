/**
 * Port: the component index, "which stored artifacts contain package P of ecosystem X" in one
 * query. Kept in the records table (DynamoDB in AWS, dynalite locally) under its own key prefixes.
 */

/** One component of one processed artifact, as indexed. */
export interface IndexedComponent {
  /** The OSV ecosystem the scan places it in (`Debian:12`, `npm`, `Alpine:v3.19`). */
  readonly ecosystem: string;
  /** The name it is indexed under: the OSV package name, or for Debian/Alpine also the binary package. */
  readonly name: string;
  /** `package`: its own name; `source`: its source package (what distribution advisories name). */
  readonly via: 'package' | 'source';
  readonly purl: string;
  readonly version: string;
  /** The layer that brought it in (its digest), when the SBOM says. */
  readonly layer?: string;
  readonly repository: string;
  /** The artifact as pushed (an index for multi-arch images). */
  readonly digest: string;
  /** The manifest whose SBOM lists the component (a platform's, or the artifact's own). */
  readonly manifestDigest: string;
  readonly platform?: string;
  /** The tag it was pushed with, when there was one. */
  readonly tag?: string;
  readonly indexedAt: string;
}

export interface ArtifactRef {
  readonly repository: string;
  readonly digest: string;
}

export interface ComponentIndex {
  /** Adds (or re-adds, identically) components of a processed artifact. */
  add(components: readonly IndexedComponent[]): Promise<void>;
  /** Every indexed component of (base ecosystem, name): one query, paginated. */
  find(ecosystemBase: string, name: string): Promise<IndexedComponent[]>;
  /** Base ecosystems (`Debian`, `npm`…) of every indexed component: what the OSV mirror must hold. */
  ecosystems(): Promise<string[]>;
  /** An artifact whose scan lacked data for an ecosystem, to re-evaluate when the data arrives. */
  markPending(ecosystemBase: string, artifact: ArtifactRef, time: string): Promise<void>;
  pending(ecosystemBase: string): Promise<ArtifactRef[]>;
}
