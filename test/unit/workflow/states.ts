import type { EvidencePush } from '../../../lambdas/oci/evidence-push';
import type { ResolvedArtifact, ScanSummary, SbomSummary, SigningSummary, WorkflowState } from '../../../lambdas/workflow/state';

/** Workflow states as the Record and Notify steps receive them, built from small overrides. */

export const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api';
export const DIGEST = `sha256:${'a1'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'b2'.repeat(32)}`;
export const PUSHED_AT = '2026-03-01T09:00:00.000Z';

const doc = (key: string) => ({ key, location: `s3://evidence/${key}`, sha256: 'c3'.repeat(32) });

export function artifact(overrides: Partial<ResolvedArtifact> = {}): ResolvedArtifact {
  const digest = overrides.digest ?? DIGEST;
  return {
    source: `registry:${REPO}@${digest}`,
    repositoryName: REPO,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    kind: 'image',
    tag: 'v1.2.0',
    targets: [{ digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1234, role: 'image' }],
    platforms: [],
    provenance: { revision: 'd3adb33f', source: 'https://git.example/shop/api' },
    trigger: { type: 'ecr-push', id: 'evt-1', time: PUSHED_AT },
    duplicate: false,
    ...overrides,
  };
}

export function evidencePush(push: EvidencePush, overrides: Partial<ResolvedArtifact> = {}): ResolvedArtifact {
  return artifact({ digest: OTHER_DIGEST, kind: 'artifact', tag: `${DIGEST.replace(':', '-')}.sig`, evidence: push, ...overrides });
}

export const sbom: SbomSummary = {
  documents: [{ manifestDigest: DIGEST, components: 3, byType: { library: 3 }, warnings: 0, gaps: 0, gapLines: [], cyclonedx: doc('sbom/a.cdx.json'), spdx: doc('sbom/a.spdx.json') }],
  components: 3,
  uninventoried: [],
};

export function scan(overrides: Partial<ScanSummary> = {}): ScanSummary {
  return {
    verdict: 'pass',
    gaps: [],
    gapsTotal: 0,
    threshold: 'high',
    unknownSeverity: 'fail',
    counts: { none: 0, unknown: 0, info: 0, low: 1, medium: 0, high: 0, critical: 0 },
    suppressed: 0,
    unorderable: 0,
    findingsAboveThreshold: [],
    findingsAboveThresholdTotal: 0,
    reports: [{ ...doc('scan/a.json'), manifestDigest: DIGEST, verdict: 'pass' }],
    ...overrides,
  };
}

export const signing: SigningSummary = {
  signed: true,
  keyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
  signatures: [{ digest: DIGEST, tag: `${DIGEST.replace(':', '-')}.sig`, outcome: 'created', signatureManifest: `sha256:${'d4'.repeat(32)}` }],
  attestations: [],
};

export function state(overrides: Partial<WorkflowState> = {}): WorkflowState {
  return { artifact: artifact(), ...overrides };
}
