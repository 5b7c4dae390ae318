import type { JsonValue } from '../signing/strict-json';
import type { ResolvedArtifact } from './state';
import type { StatementSpec } from '../attest/attest-artifact';
import { PREDICATE_TYPES } from '../attest/predicate-types';
import { cycloneDxPredicate } from '../attest/predicates/cyclonedx';
import { slsaProvenancePredicate } from '../attest/predicates/slsa-provenance';
import { vulnPredicate } from '../attest/predicates/vuln';

/** One platform's (or a single image's) SBOM as the SBOM step stored it. */
export interface SbomEvidence {
  /** The manifest the SBOM describes (the image, or one platform manifest of an index). */
  readonly manifestDigest: string;
  /** The CycloneDX JSON document. */
  readonly cyclonedx: string | Buffer;
}

/** One platform's (or a single image's) scan report as the scan step stored it. */
export interface ScanEvidence {
  readonly manifestDigest: string;
  /** The report JSON (`artifact-guard/scan-report@1`), carried as `scanner.result`. */
  readonly report: JsonValue;
  readonly startedOn: string;
  readonly finishedOn: string;
  readonly db?: { readonly uri?: string; readonly version?: string };
}

export interface WorkflowEvidence {
  readonly artifact: ResolvedArtifact;
  readonly sboms?: readonly SbomEvidence[];
  readonly scans?: readonly ScanEvidence[];
  /** Who records the provenance: e.g. `aws://<account>/<region>` or the state machine ARN; default `local`. */
  readonly attestor?: string;
  /** Overrides the builder derived from the pipeline label (see slsa-provenance.ts). */
  readonly builderId?: string;
}

/**
 * The statements the workflow attests for an artifact: SLSA provenance for the artifact and
 * every platform manifest; each CycloneDX SBOM and each scan report for the manifest it is
 * about (platform manifests of an index, or the image itself). Pass the result to
 * `attestArtifact({ statements })`.
 */
export function workflowStatements(e: WorkflowEvidence): StatementSpec[] {
  const a = e.artifact;
  const statements: StatementSpec[] = [
    {
      predicateType: PREDICATE_TYPES.slsaprovenance1,
      predicate: slsaProvenancePredicate({
        repositoryName: a.repositoryName,
        digest: a.digest,
        ...(a.tag ? { tag: a.tag } : {}),
        provenance: a.provenance,
        trigger: a.trigger,
        ...(e.attestor ? { attestor: e.attestor } : {}),
        ...(e.builderId ? { builderId: e.builderId } : {}),
      }),
    },
  ];
  for (const s of e.sboms ?? []) statements.push({ predicateType: PREDICATE_TYPES.cyclonedx, predicate: cycloneDxPredicate(s.cyclonedx), subjectDigest: s.manifestDigest });
  for (const s of e.scans ?? []) {
    statements.push({
      predicateType: PREDICATE_TYPES.vuln,
      predicate: vulnPredicate({ report: s.report, scanStartedOn: s.startedOn, scanFinishedOn: s.finishedOn, eventId: a.trigger.id, ...(s.db ? { db: s.db } : {}) }),
      subjectDigest: s.manifestDigest,
    });
  }
  return statements;
}
