import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeBuildPublisher } from '../../../lambdas/adapters/aws/eventbridge-build-publisher';
import { AlertType, NOTIFYING_ALERTS } from '../../../lambdas/core/alerts';
import { BUILD_RECORDED } from '../../../lambdas/core/bus-events';
import { parseBuildReport } from '../../../lambdas/ledger/build-report';
import { provenanceMismatchAlert, tagPolicyAlert } from '../../../lambdas/ledger/ledger-alerts';
import type { Alert } from '../../../lambdas/ports/alert-sink';
import { renderAlert } from '../../../lambdas/workflow/alert-message';
import { alertsFor } from '../../../lambdas/workflow/steps/notify';
import { eventSchemas, expectValidEvent } from '../../support/event-schemas';
import { DIGEST, evidencePush, OTHER_DIGEST, REPO, scan, state } from '../workflow/states';

const schemas = eventSchemas();

/** Every alert the workflow's Notify step and the ledger emit, from states that raise each. */
function emitted(): Alert[] {
  const vulns = scan({ verdict: 'fail', findingsAboveThreshold: [{ id: 'CVE-2026-1', severity: 'critical', package: 'pkg:npm/x@1.0.0', version: '1.0.0', fixed: ['1.0.1'] }], findingsAboveThresholdTotal: 1, gaps: ['layer 2 not read'], gapsTotal: 1 });
  const link = { repositoryName: REPO, digest: DIGEST, pipeline: 'shop-api', buildId: '812', mismatches: [{ field: 'revision' as const, label: 'feedface', build: 'd3adb33f' }], alert: true };
  return [
    ...alertsFor(state({ execution: { id: 'arn:aws:states:eu-west-1:123456789012:execution:wf:1' }, scan: vulns, record: { artifact: 'created', eventsWritten: 2, tagViolation: { tag: 'v1.2.0', boundDigest: OTHER_DIGEST }, tagPolicyViolation: { tag: 'latest', rule: 'not allowed' }, provenanceMismatches: [link] } })),
    ...alertsFor(state({ scan: scan({ verdict: 'incomplete', reason: 'no data', gaps: ['deb: no data'], gapsTotal: 1 }) })),
    ...alertsFor(state({ error: { Error: 'UnavailableError', Cause: '{"errorMessage":"registry down"}' } })),
    ...alertsFor({ source: 'registry:x/y:1', error: { Error: 'BadInputError', Cause: 'bad' } } as never),
    ...alertsFor(state({ artifact: evidencePush({ claim: 'signature', subject: DIGEST, valid: false, reason: 'it holds a filesystem layer' }), record: { artifact: 'created', eventsWritten: 1, policyViolation: { reason: 'it holds a filesystem layer' } } })),
    provenanceMismatchAlert(link),
    tagPolicyAlert({ repositoryName: REPO, digest: DIGEST, tag: 'dev', rule: 'matches none of the allowed patterns' }),
    {
      type: AlertType.signatureFailed,
      detail: { summary: 'deployment denied', environment: 'prod', caller: 'arn:aws:iam::1:role/d', reference: `${REPO}:v1.2.0`, repository: REPO, digest: DIGEST, reasons: ['no signature'], policySource: 'gate', policy: {} },
    },
  ];
}

describe('event schemas of the custom bus', () => {
  it('has one schema per detail-type the code publishes there', () => {
    expect([...schemas.keys()].sort()).toEqual([...Object.values(AlertType), BUILD_RECORDED].sort());
  });

  it('every alert the code emits matches its schema, and every alert type is emitted here', () => {
    const alerts = emitted();
    for (const a of alerts) expectValidEvent(schemas, a.type, a.detail);
    expect(new Set(alerts.map((a) => a.type))).toEqual(new Set(Object.values(AlertType)));
    expect(alerts.filter((a) => a.type === AlertType.policyViolation).map((a) => a.detail.reason).sort()).toEqual(['evidence-mismatch', 'provenance-mismatch', 'provenance-mismatch', 'tag-policy', 'tag-policy']);
  });

  it('rejects a detail that breaks its schema (a provenance mismatch without its mismatches)', () => {
    const bad = { ...provenanceMismatchAlert({ repositoryName: REPO, digest: DIGEST, pipeline: 'p', buildId: '1', mismatches: [], alert: true }).detail };
    expect(() => expectValidEvent(schemas, AlertType.policyViolation, bad)).toThrow('does not match its schema');
  });

  it('the Build Recorded event record-build --bus puts on the bus matches its schema', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const report = parseBuildReport({ status: 'failed', commit: 'abc1234', source: 'https://git.example/app', buildId: '9', pipeline: 'app', author: 'ana', startedAt: '2026-03-01T09:00:00Z', digests: [], repositories: [] });
    expect(await new EventBridgeBuildPublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'guard-bus').publish(report)).toEqual({ eventId: 'e-1' });
    const entry = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ EventBusName: 'guard-bus', Source: 'artifact-guard.ci', DetailType: 'Build Recorded' });
    expectValidEvent(schemas, BUILD_RECORDED, JSON.parse(entry?.Detail ?? ''));
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized' }] });
    await expect(new EventBridgeBuildPublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'guard-bus').publish(report)).rejects.toThrow('EventBridge refused the build report on bus guard-bus: AccessDeniedException (not authorized)');
    eb.restore();
  });
});

describe('SNS texts of the ledger alerts', () => {
  it('provenance-mismatch: which image, which build, what disagrees, what to do', () => {
    const a = provenanceMismatchAlert({ repositoryName: REPO, digest: DIGEST, pipeline: 'shop-api', buildId: '812', mismatches: [{ field: 'revision', label: 'feedface', build: 'd3adb33f' }], alert: true });
    const m = renderAlert(a.type, { ...a.detail, reports: [`s3://evidence-bucket/evidence/${REPO}/${DIGEST}/scan.json`] }, { account: '123456789012', region: 'eu-west-1' });
    expect(m.subject).toBe(`[Artifact Guard] Provenance mismatch: shop/api@${DIGEST.slice(0, 19)}`);
    expect(m.text).toContain('disagree with what CI reported for build shop-api #812');
    expect(m.text).toContain('revision: the image says "feedface", the build record says "d3adb33f"');
    expect(m.text).toContain(`Digest: ${DIGEST}`);
    expect(m.text).toMatch(/What to do:\n {2}- Check which build pushed this digest/);
    expect(m.text).toContain('Evidence: https://s3.console.aws.amazon.com/s3/buckets/evidence-bucket?prefix=');
    expect(NOTIFYING_ALERTS).toContain(a.type);
  });

  it('tag-policy: the tag, the rule, and how to fix it', () => {
    const a = tagPolicyAlert({ repositoryName: REPO, digest: DIGEST, tag: 'latest', rule: '"latest" names no release and moves; allowed: …' });
    const m = renderAlert(a.type, a.detail);
    expect(m.subject).toBe('[Artifact Guard] Tag not allowed: shop/api:latest');
    expect(m.text).toContain('pushed under tag latest, which the tag policy does not allow');
    expect(m.text).toContain('"latest" names no release and moves');
    expect(m.text).toContain('add its pattern to the tagPatterns');
  });

  it('evidence-mismatch keeps its own text', () => {
    const [a] = alertsFor(state({ artifact: evidencePush({ claim: 'signature', subject: DIGEST, valid: false, reason: 'it holds 1 filesystem layer(s)' }), record: { artifact: 'created', eventsWritten: 1, policyViolation: { reason: 'it holds 1 filesystem layer(s)' } } }));
    expect(renderAlert(AlertType.policyViolation, a?.detail ?? { summary: '' }).text).toContain('is not the evidence it claims to be');
  });
});

