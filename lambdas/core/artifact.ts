/** Types every layer shares: what an artifact is, what a pipeline said about it, what started its processing. */

/** What a manifest is (see oci/classify.ts). */
export type ArtifactKind = 'image' | 'index' | 'helm-chart' | 'artifact' | 'attachment';

/** Build facts a CI pipeline may label the image with (OCI annotation keys plus our own). */
export interface Provenance {
  readonly revision?: string;
  readonly source?: string;
  readonly created?: string;
  readonly version?: string;
  readonly buildId?: string;
  readonly pipeline?: string;
  readonly author?: string;
}

/** What started an execution. */
export interface Trigger {
  readonly type: 'ecr-push' | 'manual';
  /** EventBridge event id, or a caller-chosen id; audit events derive their ids from it. */
  readonly id: string;
  readonly time: string;
}
