import { AlertType, type AlertTypeName } from '../../../lambdas/core/alerts';
import { renderAlert, shortRepository } from '../../../lambdas/workflow/alert-message';
import { alertsFor } from '../../../lambdas/workflow/steps/notify';
import type { WorkflowState } from '../../../lambdas/workflow/state';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:Workflow:3f2a';

/** A state as the workflow leaves it, with the scan outcome given. */
function state(extra: Partial<WorkflowState>): WorkflowState {
  return {
    execution: { id: EXECUTION },
    artifact: {
      source: `registry:${REPO}@${DIGEST}`,
      repositoryName: REPO,
      digest: DIGEST,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      kind: 'image',
      tag: '1.4.2',
      targets: [],
      platforms: [],
      provenance: {},
      trigger: { type: 'ecr-push', id: 'e', time: '2026-12-01T00:00:00Z' },
      duplicate: false,
    },
    ...extra,
  } as WorkflowState;
}

const scan = {
  threshold: 'high',
  unknownSeverity: 'fail',
  counts: {},
  suppressed: 0,
  unorderable: 0,
  reports: [{ manifestDigest: DIGEST, key: 'k', location: `s3://evidence-bucket/evidence/${REPO}/sha256-ab/scan/r.json`, sha256: 'x', verdict: 'fail' }],
} as const;

/** Every alert the workflow raises, rendered: the subject names the alert and the image, the body what to do. */
const cases: [AlertTypeName, WorkflowState, RegExp, readonly RegExp[]][] = [
  [
    AlertType.vulnerabilities,
    state({ scan: { ...scan, verdict: 'fail', gaps: [], gapsTotal: 0, findingsAboveThresholdTotal: 2, findingsAboveThreshold: [{ id: 'GHSA-p6mc-m468-83gw', severity: 'critical', package: 'pkg:npm/lodash@4.17.15', version: '4.17.15', fixed: ['4.17.20'] }, { id: 'CVE-2023-1', severity: 'high', package: 'pkg:npm/x@1', version: '1', fixed: [] }] } as never }),
    /^\[Artifact Guard\] CRITICAL vulnerabilities in team\/app:1\.4\.2$/,
    [/found 2 unsuppressed finding\(s\) at or above high in team\/app:1\.4\.2/, /GHSA-p6mc-m468-83gw \(critical\) in pkg:npm\/lodash@4\.17\.15 4\.17\.15, fixed in 4\.17\.20/, /no fix yet/, /Account: 123456789012/, /Region: eu-west-1/, /not signed/, /https:\/\/osv\.dev\/vulnerability\/GHSA-p6mc-m468-83gw/, /https:\/\/eu-west-1\.console\.aws\.amazon\.com\/states\/home\?region=eu-west-1#\/v2\/executions\/details\/arn:aws:states/, /s3\.console\.aws\.amazon\.com\/s3\/buckets\/evidence-bucket\?prefix=evidence/],
  ],
  [
    AlertType.scanIncomplete,
    state({ scan: { ...scan, verdict: 'incomplete', reason: 'r', gaps: ['6 Debian:12 components were not scanned: the data has no Debian:12 records'], gapsTotal: 1, findingsAboveThreshold: [], findingsAboveThresholdTotal: 0 } as never }),
    /^\[Artifact Guard\] Scan incomplete, not signed: team\/app:1\.4\.2$/,
    [/could not be fully inventoried and scanned/, /Debian:12 components were not scanned/, /gate and admission policies will deny/, /data that covers/],
  ],
  [
    AlertType.tagViolation,
    state({ record: { artifact: 'exists', eventsWritten: 1, tagViolation: { tag: '1.4.2', boundDigest: `sha256:${'cd'.repeat(32)}` } } }),
    /^\[Artifact Guard\] Tag moved: team\/app:1\.4\.2$/,
    [/was pushed again with another digest/, /bound to sha256:cdcd/, /deploy by digest/],
  ],
  [
    AlertType.workflowFailed,
    state({ error: { Error: 'IntegrityError', Cause: JSON.stringify({ errorMessage: 'evidence s3://b/k was modified after it was written' }) } }),
    /^\[Artifact Guard\] Workflow failed: team\/app:1\.4\.2$/,
    [/IntegrityError: processing .* failed: evidence s3:\/\/b\/k was modified/, /redrive/, /executions\/details\//],
  ],
];

describe('alerts a person can act on', () => {
  it.each(cases)('%s: subject and body', (type, s, subject, body) => {
    const alert = alertsFor(s).find((a) => a.type === type);
    if (!alert) throw new Error(`no ${type} alert`);
    const m = renderAlert(alert.type, alert.detail);
    expect(m.subject).toMatch(subject);
    expect(m.subject.length).toBeLessThanOrEqual(100);
    for (const line of body) expect(m.text).toMatch(line);
    expect(m.chat).toMatchObject({ version: '1.0', source: 'custom', content: { title: m.subject } });
  });

  it('renders a policy violation, a denied deployment and a processed artifact too', () => {
    const violation = renderAlert(AlertType.policyViolation, { summary: 's', repository: REPO, digest: DIGEST, tag: `sha256-${'ab'.repeat(32)}.sig`, claim: 'signature', subject: DIGEST, explanation: 'it holds 1 filesystem layer(s)' }, { account: '123456789012', region: 'eu-west-1' });
    expect(violation.subject).toMatch(/^\[Artifact Guard\] Policy violation: team\/app:sha256-abab/);
    expect(violation.subject.length).toBeLessThanOrEqual(100);
    expect(violation.text).toMatch(/not the evidence it claims to be \(signature about sha256:abab/);
    expect(violation.text).toMatch(/it holds 1 filesystem layer/);
    const denied = renderAlert(AlertType.signatureFailed, { summary: 's', reference: `${REPO}:1.4.2`, repository: REPO, digest: DIGEST, reasons: ['signature: no acceptable signature in sha256-ab.sig'] });
    expect(denied.subject).toBe(`[Artifact Guard] Deployment denied: team/app@${DIGEST.slice(0, 19)}`);
    expect(denied.text).toMatch(/must not proceed/);
    expect(renderAlert(AlertType.processed, { summary: 'image x processed', repository: REPO, digest: DIGEST }).subject).toMatch(/Processed: team\/app@sha256:/);
  });

  it('keeps subjects to one printable line of at most 100 characters', () => {
    const m = renderAlert(AlertType.tagViolation, { repository: `${REPO}/${'very-long-name'.repeat(10)}`, tag: 'x\ny', boundDigest: DIGEST, pushedDigest: DIGEST });
    expect(m.subject.length).toBeLessThanOrEqual(100);
    expect(m.subject).not.toMatch(/[\n\r]/);
    expect(shortRepository('localhost:5000/app')).toBe('app');
    expect(shortRepository('library/app')).toBe('library/app');
  });
});
