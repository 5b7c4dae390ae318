import type { ArtifactTarget } from '../oci/artifact-plan';
import type { ArtifactKind, Provenance } from '../oci/classify';
import type { EvidencePush } from '../oci/evidence-push';
import type { SbomSummary } from './steps/sbom';
import type { SigningSummary } from './steps/sign';
import type { ScanSummary } from './steps/scan';

/** What started an execution. */
export interface Trigger {
  readonly type: 'ecr-push' | 'manual';
  /** EventBridge event id, or a caller-chosen id; audit events derive their ids from it. */
  readonly id: string;
  readonly time: string;
}

/** Output of the Resolve step, at `$.artifact`. */
export interface ResolvedArtifact {
  /**
   * The artifact pinned to its digest (`registry:HOST/REPO@sha256:…`; a layout on disk as given).
   * Every later step opens this and checks that the manifest it reads is `digest`.
   */
  readonly source: string;
  /** `HOST/REPO`, or `localhost/<name>` for a layout on disk. */
  readonly repositoryName: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: ArtifactKind;
  readonly tag?: string;
  /**
   * Every manifest of the artifact, children before the index that lists them, the root last
   * (see oci/artifact-plan.ts): the SBOM step inventories its images, Sign signs exactly these.
   */
  readonly targets: readonly ArtifactTarget[];
  /** The manifests an index lists (all of `targets` but the root), for the records. */
  readonly platforms: readonly { digest: string; mediaType: string; platform?: string }[];
  readonly provenance: Provenance;
  readonly trigger: Trigger;
  /**
   * Set when the push is evidence about another artifact (a signature, attestation, SBOM or
   * referrer): it is checked and recorded, never processed; an invalid one is a policy violation.
   */
  readonly evidence?: EvidencePush;
  /** The digest was fully processed before: only tag bookkeeping happens. */
  readonly duplicate: boolean;
}

/** Output of the Record step, at `$.record`. */
export interface RecordResult {
  readonly artifact: 'created' | 'exists';
  readonly tagViolation?: { readonly tag: string; readonly boundDigest: string };
  /** An evidence push that is not what it claims (see oci/evidence-push.ts). */
  readonly policyViolation?: { readonly reason: string };
  readonly eventsWritten: number;
}

/** The execution state as the steps see it (the input's keys plus each step's result). */
export interface WorkflowState extends WorkflowInput {
  readonly artifact: ResolvedArtifact;
  readonly sbom?: SbomSummary;
  readonly scan?: ScanSummary;
  readonly signing?: SigningSummary;
  readonly record?: RecordResult;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** Input of an execution: an ECR push event (from the rule) or `{ source, tag? }` (manual, local). */
export interface WorkflowInput {
  /** Registry reference or local source (manual and local runs). */
  readonly source?: string;
  readonly tag?: string;
  readonly id?: string;
  readonly time?: string;
  readonly account?: string;
  readonly region?: string;
  readonly 'detail-type'?: string;
  readonly detail?: {
    readonly 'repository-name'?: string;
    readonly 'image-digest'?: string;
    readonly 'image-tag'?: string;
    readonly 'action-type'?: string;
    readonly result?: string;
  };
}
