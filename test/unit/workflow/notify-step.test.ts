import { AlertType, NOTIFYING_ALERTS } from '../../../lambdas/core/alerts';
import { MetricName } from '../../../lambdas/core/metric-names';
import type { Alert } from '../../../lambdas/ports/alert-sink';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import type { ScanSummary } from '../../../lambdas/workflow/state';
import { alertsFor, createNotifyStep, failureMessage } from '../../../lambdas/workflow/steps/notify';
import { MemoryRecordStore } from '../../support/memory-record-store';
import { artifact, DIGEST, evidencePush, OTHER_DIGEST, REPO, scan, state } from './states';

const NOW = new Date('2026-03-01T09:05:00.000Z');

const REF = `${REPO}@${DIGEST}`;

function finding(i: number, fixed: string[] = []): ScanSummary['findingsAboveThreshold'][number] {
  return { id: `CVE-2026-000${i}`, severity: 'high', package: `pkg:npm/lib${i}@1.0.0`, version: '1.0.0', fixed };
}

const failing = (n: number, more: Partial<ScanSummary> = {}) =>
  scan({ verdict: 'fail', findingsAboveThreshold: Array.from({ length: Math.min(n, 6) }, (_, i) => finding(i + 1, i === 0 ? ['1.0.1', '2.0.0'] : [])), findingsAboveThresholdTotal: n, counts: { none: 0, unknown: 0, info: 0, low: 0, medium: 0, high: n, critical: 0 }, ...more });

const incomplete = (gaps: string[], gapsTotal = gaps.length) => scan({ verdict: 'incomplete', reason: 'no vulnerability data for deb packages', gaps, gapsTotal });

const typesOf = (alerts: Alert[]) => alerts.map((a) => a.type);

describe('alertsFor', () => {
  it('a processed artifact: one informational alert naming it, its kind and tag', () => {
    expect(alertsFor(state({ scan: scan() }))).toEqual([
      { type: AlertType.processed, detail: { summary: `image ${REF} (tag v1.2.0) processed`, repository: REPO, digest: DIGEST, kind: 'image', tag: 'v1.2.0' } },
    ]);
    expect(alertsFor(state({ artifact: artifact({ tag: undefined, kind: 'index' }) }))[0]?.detail).toMatchObject({ summary: `index ${REF} processed`, tag: null });
    expect(NOTIFYING_ALERTS).not.toContain(AlertType.processed);
  });

  it('a duplicate: no processed alert, nothing at all when nothing else happened', () => {
    expect(alertsFor(state({ artifact: artifact({ duplicate: true }), scan: scan() }))).toEqual([]);
  });

  it('a tag violation: which tag moved from which digest to which', () => {
    const alerts = alertsFor(state({ record: { artifact: 'created', tagViolation: { tag: 'v1.2.0', boundDigest: OTHER_DIGEST }, eventsWritten: 3 } }));
    expect(typesOf(alerts)).toEqual([AlertType.tagViolation, AlertType.processed]);
    expect(alerts[0]?.detail).toEqual({ summary: `tag ${REPO}:v1.2.0 moved from ${OTHER_DIGEST} to ${DIGEST}`, repository: REPO, tag: 'v1.2.0', boundDigest: OTHER_DIGEST, pushedDigest: DIGEST });
  });

  it('vulnerabilities: the first five findings at or above the threshold, with their fixes, and the counts', () => {
    const s = failing(7);
    const [vulns] = alertsFor(state({ scan: s }));
    expect(vulns?.type).toBe(AlertType.vulnerabilities);
    expect(vulns?.detail).toEqual({
      summary:
        `7 finding(s) at or above high in ${REF}: CVE-2026-0001 (high, pkg:npm/lib1@1.0.0, fixed in 1.0.1, 2.0.0); CVE-2026-0002 (high, pkg:npm/lib2@1.0.0); ` +
        'CVE-2026-0003 (high, pkg:npm/lib3@1.0.0); CVE-2026-0004 (high, pkg:npm/lib4@1.0.0); CVE-2026-0005 (high, pkg:npm/lib5@1.0.0); …',
      repository: REPO,
      digest: DIGEST,
      tag: 'v1.2.0',
      threshold: 'high',
      counts: s.counts,
      findings: s.findingsAboveThreshold,
      findingsTotal: 7,
      reports: ['s3://evidence/scan/a.json'],
    });
    expect(alertsFor(state({ scan: failing(1) }))[0]?.detail.summary).toBe(`1 finding(s) at or above high in ${REF}: CVE-2026-0001 (high, pkg:npm/lib1@1.0.0, fixed in 1.0.1, 2.0.0)`);
  });

  it('a passing or skipped scan raises no scan alert', () => {
    expect(typesOf(alertsFor(state({ scan: scan() })))).toEqual([AlertType.processed]);
    expect(typesOf(alertsFor(state({ scan: scan({ verdict: 'skipped', reason: 'a Helm chart' }) })))).toEqual([AlertType.processed]);
  });

  it('an incomplete scan: why, and the first five gaps with how many more', () => {
    const gaps = Array.from({ length: 7 }, (_, i) => `gap ${i + 1}`);
    const alerts = alertsFor(state({ scan: incomplete(gaps, 12) }));
    expect(typesOf(alerts)).toEqual([AlertType.scanIncomplete, AlertType.processed]);
    expect(alerts[0]?.detail).toEqual({
      summary: `${REF} was not fully inventoried and scanned, so it is not signed: gap 1; gap 2; gap 3; gap 4; gap 5; … 7 more`,
      repository: REPO,
      digest: DIGEST,
      tag: 'v1.2.0',
      reason: 'no vulnerability data for deb packages',
      gaps,
      gapsTotal: 12,
      reports: ['s3://evidence/scan/a.json'],
    });
    expect(alertsFor(state({ scan: incomplete(['only gap']) }))[0]?.detail.summary).toBe(`${REF} was not fully inventoried and scanned, so it is not signed: only gap`);
  });

  it('a failing scan with gaps: the findings and the gaps, since fixing the findings would not make it signable', () => {
    const alerts = alertsFor(state({ scan: failing(2, { gaps: ['layer sha256:… not read'], gapsTotal: 1 }) }));
    expect(typesOf(alerts)).toEqual([AlertType.vulnerabilities, AlertType.scanIncomplete, AlertType.processed]);
    expect(alerts[1]?.detail).toMatchObject({ reason: null, gaps: ['layer sha256:… not read'], gapsTotal: 1 });
    expect(typesOf(alertsFor(state({ scan: failing(2) })))).toEqual([AlertType.vulnerabilities, AlertType.processed]);
  });

  it('all of it at once, in a fixed order: tag violation, vulnerabilities, gaps, processed', () => {
    const alerts = alertsFor(state({ scan: failing(1, { gaps: ['g'], gapsTotal: 1 }), record: { artifact: 'created', tagViolation: { tag: 'v1.2.0', boundDigest: OTHER_DIGEST }, eventsWritten: 3 } }));
    expect(typesOf(alerts)).toEqual([AlertType.tagViolation, AlertType.vulnerabilities, AlertType.scanIncomplete, AlertType.processed]);
  });

  it('an invalid evidence push: a policy violation that says what was claimed and what is wrong, and nothing else', () => {
    const reason = 'a signature tag must hold an OCI image manifest, not application/vnd.oci.image.index.v1+json';
    const push = evidencePush({ claim: 'signature', subject: DIGEST, valid: false, reason });
    const alerts = alertsFor(state({ artifact: push, scan: failing(3), record: { artifact: 'created', policyViolation: { reason }, eventsWritten: 1 } }));
    expect(alerts).toEqual([
      {
        type: AlertType.policyViolation,
        detail: {
          summary: `tag ${REPO}:${push.tag} (signature about ${DIGEST}) is not what it claims: ${reason}`,
          reason: 'evidence-mismatch',
          repository: REPO,
          digest: OTHER_DIGEST,
          tag: push.tag,
          claim: 'signature',
          subject: DIGEST,
          explanation: reason,
        },
      },
    ]);
    // Pushed by digest, with no subject to name: the reference stands for the tag.
    const untagged = evidencePush({ claim: 'referrer', valid: false, reason: 'subject not in the repository' }, { tag: undefined });
    expect(alertsFor(state({ artifact: untagged, record: { artifact: 'created', policyViolation: { reason: 'subject not in the repository' }, eventsWritten: 1 } }))[0]?.detail.summary).toBe(
      `${REPO}@${OTHER_DIGEST} (referrer) is not what it claims: subject not in the repository`,
    );
  });

  it('a valid evidence push: no alert (it is recorded on its subject)', () => {
    const push = evidencePush({ claim: 'signature', subject: DIGEST, valid: true, reason: 'ok' });
    expect(alertsFor(state({ artifact: push, record: { artifact: 'exists', eventsWritten: 1 } }))).toEqual([]);
  });

  it('a failed execution: the error message from the Step Functions Cause JSON, never its stack', () => {
    const cause = JSON.stringify({ errorType: 'IntegrityError', errorMessage: 'evidence s3://evidence/sbom/a.cdx.json was modified after it was written\nmore detail', trace: ['IntegrityError: …', '    at readVerified (/var/task/index.js:1:1)'] });
    const alerts = alertsFor(state({ scan: failing(3), error: { Error: 'IntegrityError', Cause: cause } }));
    expect(alerts).toEqual([
      {
        type: AlertType.workflowFailed,
        detail: {
          summary: `processing ${REF} failed: evidence s3://evidence/sbom/a.cdx.json was modified after it was written`,
          error: 'IntegrityError',
          repository: REPO,
          digest: DIGEST,
          tag: 'v1.2.0',
          artifact: artifact(),
          source: null,
        },
      },
    ]);
    expect(JSON.stringify(alerts)).not.toContain('index.js');
  });

  it('a failure before Resolve: names the source, else the ECR event, else says so', () => {
    // A failure before Resolve: the state has no artifact yet, whatever its type says after Resolve.
    const noArtifact = (s: object) => s as Parameters<typeof alertsFor>[0];
    const error = { Error: 'States.TaskFailed', Cause: 'registry unreachable\nat …' };
    expect(alertsFor(noArtifact({ source: 'oci-dir:/tmp/app:1.0', error }))[0]?.detail).toEqual({ summary: 'processing oci-dir:/tmp/app:1.0 failed: registry unreachable', error: 'States.TaskFailed', artifact: null, source: 'oci-dir:/tmp/app:1.0' });
    const detail = { 'repository-name': 'shop/api', 'image-tag': 'v2', 'image-digest': DIGEST };
    expect(alertsFor(noArtifact({ detail, error }))[0]?.detail.summary).toBe(`processing shop/api:v2@${DIGEST} failed: registry unreachable`);
    expect(alertsFor(noArtifact({ detail: { 'repository-name': 'shop/api' }, error: {} }))[0]?.detail).toMatchObject({ summary: 'processing shop/api@? failed: unknown error', error: 'Error' });
    expect(alertsFor(noArtifact({ error: { Error: 'States.Timeout' } }))[0]?.detail.summary).toBe('processing a pushed artifact failed: States.Timeout');
  });
});

describe('failureMessage', () => {
  it('keeps the first line of a Lambda error message or of a plain-text cause, bounded', () => {
    expect(failureMessage({ Cause: JSON.stringify({ errorMessage: 'one\ntwo' }) })).toBe('one');
    expect(failureMessage({ Cause: JSON.stringify({ errorMessage: 42 }) })).toBe('{"errorMessage":42}');
    expect(failureMessage({ Cause: 'x'.repeat(5000) })).toHaveLength(1000);
    expect(failureMessage({ Error: 'States.Timeout', Cause: '' })).toBe('States.Timeout');
    expect(failureMessage(undefined)).toBe('unknown error');
  });
});

describe('Notify step', () => {
  it('publishes the alerts of the state and returns their types', async () => {
    const published: Alert[][] = [];
    const metrics = new InMemoryMetrics();
    const notify = createNotifyStep({ alerts: { publish: async (alerts) => void published.push([...alerts]) }, metrics, records: new MemoryRecordStore(), now: () => NOW });
    const s = state({ scan: failing(1) });
    expect(await notify(s)).toEqual({ published: [AlertType.vulnerabilities, AlertType.processed] });
    expect(published).toEqual([alertsFor(s)]);
    // The artifact is now processed (PROCESSED written, counted): the only metric Notify adds.
    expect(metrics.counts).toEqual(new Map([[MetricName.artifactsProcessed, 1]]));
  });

  it('counts a failed execution, and publishes an empty list when there is nothing to say', async () => {
    const published: Alert[][] = [];
    const metrics = new InMemoryMetrics();
    const notify = createNotifyStep({ alerts: { publish: async (alerts) => void published.push([...alerts]) }, metrics, records: new MemoryRecordStore(), now: () => NOW });
    await notify(state({ error: { Error: 'Error', Cause: 'boom' } }));
    expect(metrics.counts.get(MetricName.workflowFailures)).toBe(1);
    expect(await notify(state({ artifact: artifact({ duplicate: true }) }))).toEqual({ published: [] });
    expect(published.map((p) => p.length)).toEqual([1, 0]);
  });

  it('fails when the alert sink fails (the state machine retries the step), before PROCESSED is written', async () => {
    const records = new MemoryRecordStore();
    const notify = createNotifyStep({ alerts: { publish: () => Promise.reject(new Error('bus unavailable')) }, metrics: new InMemoryMetrics(), records, now: () => NOW });
    await expect(notify(state())).rejects.toThrow('bus unavailable');
    expect(await records.isProcessed(REPO, DIGEST)).toBe(false);
  });

  it('writes PROCESSED after the alerts, then releases the processing lease, for an artifact it processed only', async () => {
    const records = new MemoryRecordStore();
    const order: string[] = [];
    const metrics = new InMemoryMetrics();
    const tracked = {
      markProcessed: (...args: Parameters<MemoryRecordStore['markProcessed']>) => {
        order.push('PROCESSED');
        return records.markProcessed(...args);
      },
      releaseLease: (...args: Parameters<MemoryRecordStore['releaseLease']>) => {
        order.push('release');
        return records.releaseLease(...args);
      },
    };
    const notify = createNotifyStep({ alerts: { publish: async () => void order.push('publish') }, metrics, records: tracked, now: () => NOW });
    await records.acquireLease(REPO, DIGEST, { owner: 'exec-1', triggerId: 'evt-1', now: NOW, seconds: 60 });
    await notify(state({ scan: scan(), execution: { id: 'exec-1' } }));
    expect(order).toEqual(['publish', 'PROCESSED', 'release']);
    expect(await records.isProcessed(REPO, DIGEST)).toBe(true);
    expect(metrics.counts.get(MetricName.artifactsProcessed)).toBe(1);
    expect((await records.acquireLease(REPO, DIGEST, { owner: 'exec-2', triggerId: 'evt-2', now: NOW, seconds: 60 })).outcome).toBe('acquired');
    // Replayed: PROCESSED exists already, counted once.
    await notify(state({ scan: scan(), execution: { id: 'exec-1' } }));
    expect(metrics.counts.get(MetricName.artifactsProcessed)).toBe(1);

    order.length = 0;
    await notify(state({ artifact: artifact({ duplicate: true }), execution: { id: 'exec-3' } }));
    await notify(state({ artifact: evidencePush({ claim: 'signature', subject: DIGEST, valid: true, reason: 'ok' }), execution: { id: 'exec-3' } }));
    expect(order).toEqual(['publish', 'publish']);
    // A failed run: its alert, no PROCESSED, the lease given up so that the event can be retried.
    await notify(state({ artifact: artifact({ digest: OTHER_DIGEST }), error: { Error: 'Error', Cause: 'boom' }, execution: { id: 'exec-4' } }));
    expect(order).toEqual(['publish', 'publish', 'publish', 'release']);
    expect(await records.isProcessed(REPO, OTHER_DIGEST)).toBe(false);
  });
});
