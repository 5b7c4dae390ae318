import type { ArtifactTarget } from '../oci/artifact-plan';
import type { PresignedPayloads } from '../signing/presigned';
import type { ArtifactKind, Provenance, Trigger } from '../core/artifact';
import type { EvidencePush } from '../oci/evidence-push';
import type { BuildLink } from '../ledger/link-build';
import type { StoredDocument } from '../ports/write-once';
import type { UninventoriedManifest } from '../sbom/component';
import type { DataDescription } from '../vuln/vulnerability-source';
import type { ScanReport } from '../vuln/report';
import type { Severity } from '../vuln/severity';


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
  /**
   * The digest was fully processed before, or another execution holds its processing lease:
   * only tag bookkeeping happens (the heavy steps run once per digest).
   */
  readonly duplicate: boolean;
  /**
   * Set when another execution holds the digest's processing lease. `sameEvent`: it runs for this
   * very event (a redelivery), so this execution ends at once, writing nothing.
   */
  readonly inProgress?: { readonly by: string; readonly until: string; readonly sameEvent: boolean };
}

/** Output of the Record step, at `$.record`. */
export interface RecordResult {
  readonly artifact: 'created' | 'exists';
  readonly tagViolation?: { readonly tag: string; readonly boundDigest: string };
  /** An evidence push that is not what it claims (see oci/evidence-push.ts). */
  readonly policyViolation?: { readonly reason: string };
  /** The tag is not allowed by the tag policy (first time for this digest and tag). */
  readonly tagPolicyViolation?: { readonly tag: string; readonly rule: string };
  /** Build records whose facts the labels contradict, newly flagged (see ledger/link-build.ts). */
  readonly provenanceMismatches?: readonly BuildLink[];
  readonly eventsWritten: number;
}

/** The execution state as the steps see it (the input's keys plus each step's result). */
export interface WorkflowState extends WorkflowInput {
  /** Set by the state machine's first state: the execution's ARN (`local:<id>` locally), for alerts. */
  readonly execution?: { readonly id: string };
  readonly artifact: ResolvedArtifact;
  readonly sbom?: SbomSummary;
  readonly scan?: ScanSummary;
  readonly signatures?: SignedPayloads;
  readonly signing?: SigningSummary;
  readonly record?: RecordResult;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** Input of an execution: an ECR push event (from the rule) or `{ source, tag? }` (manual, local). */
export interface WorkflowInput {
  /**
   * Registry reference or local source (manual and local runs). In an EventBridge event it is the
   * event's source (`aws.ecr`), not a reference: an input with `detail-type` or `detail` is an event.
   */
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

/** Output of the SBOM step, at `$.sbom`: small on purpose (state is limited to 256 KB). */
export interface SbomSummary {
  readonly documents: readonly {
    readonly manifestDigest: string;
    readonly platform?: string;
    readonly components: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly warnings: number;
    /** What the inventory may be missing (skipped layers, capped or unreadable package databases). */
    readonly gaps: number;
    /** The first gaps, one line each. */
    readonly gapLines: readonly string[];
    readonly cyclonedx: StoredDocument;
    readonly spdx: StoredDocument;
  }[];
  readonly components: number;
  /** Manifests of the artifact that have no SBOM: a Helm chart, another OCI artifact, a non-image index child. */
  readonly uninventoried: readonly UninventoriedManifest[];
}

export interface ScanSummary {
  /**
   * `pass` only when every planned image was fully inventoried and scanned with data covering
   * its ecosystems and no finding reaches the threshold; `fail` when one does; `incomplete` when
   * any of that cannot be shown (a gap, no data, a manifest with no inventory): never signed;
   * `skipped` for an artifact without a container filesystem when the operator accepts those.
   */
  readonly verdict: 'pass' | 'fail' | 'incomplete' | 'skipped';
  /** Why the verdict is `incomplete` or `skipped`, in one line. */
  readonly reason?: string;
  /** What was not covered, one line each (the first {@link MAX_LISTED_GAPS}; the reports list all). */
  readonly gaps: readonly string[];
  readonly gapsTotal: number;
  readonly threshold: Severity;
  readonly unknownSeverity: 'fail' | 'warn';
  /** Unsuppressed findings per severity, over every platform. */
  readonly counts: Readonly<Record<Severity, number>>;
  readonly suppressed: number;
  /** Components whose version could not be ordered (listed in the report). */
  readonly unorderable: number;
  /** `sources`: who reported each (`grype:high`, `ours:medium`), when second opinions were merged. */
  readonly findingsAboveThreshold: readonly { readonly id: string; readonly severity: Severity; readonly package: string; readonly version: string; readonly fixed: readonly string[]; readonly sources?: readonly string[] }[];
  readonly findingsAboveThresholdTotal: number;
  /** Every scanner whose findings were merged (ours first), when there were second opinions. */
  readonly sources?: readonly { readonly name: string; readonly version?: string; readonly scannedAt?: string; readonly findings: number }[];
  /** Findings one source reports and another rules out, one line each (the first few; the reports list all). */
  readonly disagreements?: readonly string[];
  readonly disagreementsTotal?: number;
  readonly data?: Omit<DataDescription, 'warnings'>;
  readonly reports: readonly (StoredDocument & { readonly manifestDigest: string; readonly platform?: string; readonly verdict: ScanReport['verdict'] })[];
}

/**
 * Output of the Sign step, at `$.signatures`: the signatures over the payloads it built (the
 * attestations' statements always; the approvals only when `approved`), for the Attach step.
 * About 250 bytes a signature, five per manifest: far below the state's 256 KB.
 */
export interface SignedPayloads extends PresignedPayloads {
  /** The verdict allows the image signature (and cosign v3's sign bundle); they were signed. */
  readonly approved: boolean;
  /** Why not approved (`not signed: …`). */
  readonly reason?: string;
  /** The docker-reference signed for (`HOST/REPO`). */
  readonly identity: string;
  readonly time: string;
}

/** Output of the Attach step, at `$.signing`. */
export interface SigningSummary {
  readonly signed: boolean;
  /** Why nothing was signed. */
  readonly reason?: string;
  readonly keyId?: string;
  readonly identity?: string;
  readonly time?: string;
  readonly signatures?: readonly { readonly digest: string; readonly tag: string; readonly outcome: string; readonly signatureManifest: string }[];
  /** Attestations attached whatever the verdict: provenance, SBOM and scan, per manifest. */
  readonly attestations: readonly { readonly type: string; readonly digest: string; readonly layer?: string; readonly bundle: string; readonly referrer: string }[];
}
