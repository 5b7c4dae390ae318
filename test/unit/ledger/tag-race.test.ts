import { DynamoDbLedgerStore } from '../../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { MetricName } from '../../../lambdas/core/metric-names';
import { DEFAULT_TAG_POLICY, tagPolicyProblem } from '../../../lambdas/ledger/tag-policy';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { alertsFor } from '../../../lambdas/workflow/steps/notify';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { artifact, DIGEST, OTHER_DIGEST, REPO, state } from '../workflow/states';

describe('two pushes of one tag at once', () => {
  it('exactly one binding wins; the other push is a violation, in its trail, the tag history and an alert', async () => {
    const dynamo = await startLocalDynamo();
    try {
      const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
      const ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
      const metrics = new InMemoryMetrics();
      const record = createRecordStep({ records, ledger, metrics, now: () => new Date('2026-03-01T09:05:00Z') });
      const a = state({ artifact: artifact({ digest: DIGEST, tag: '2.0.0', trigger: { type: 'ecr-push', id: 'evt-a', time: '2026-03-01T09:00:00.000Z' } }) });
      const b = state({ artifact: artifact({ digest: OTHER_DIGEST, tag: '2.0.0', trigger: { type: 'ecr-push', id: 'evt-b', time: '2026-03-01T09:00:00.000Z' } }) });
      const [ra, rb] = await Promise.all([record(a), record(b)]);
      const violations = [ra, rb].filter((r) => r.tagViolation);
      expect(violations).toHaveLength(1);
      const winner = ra.tagViolation ? OTHER_DIGEST : DIGEST;
      const loser = winner === DIGEST ? OTHER_DIGEST : DIGEST;
      expect(violations[0]?.tagViolation).toEqual({ tag: '2.0.0', boundDigest: winner });
      expect(await ledger.tagBinding(REPO, '2.0.0')).toBe(winner);
      expect((await ledger.tagHistory(REPO, '2.0.0')).map((p) => [p.digest, p.outcome]).sort()).toEqual([
        [winner, 'bound'],
        [loser, 'violation'],
      ].sort());
      expect((await records.listEvents(REPO, loser)).map((e) => e.type)).toContain('TagImmutabilityViolation');
      expect((await records.listEvents(REPO, winner)).map((e) => e.type)).not.toContain('TagImmutabilityViolation');
      const alerts = [alertsFor({ ...a, record: ra }), alertsFor({ ...b, record: rb })].flat().filter((x) => x.type === 'Tag Immutability Violation');
      expect(alerts.map((x) => x.detail.pushedDigest)).toEqual([loser]);
      expect(metrics.counts.get(MetricName.tagViolations)).toBe(1);
    } finally {
      await dynamo.close();
    }
  });
});

describe('the default tag policy', () => {
  it.each(['1.4.2', 'v1.4', '1', '1.4.2-rc.1', '1.4.2+build.7', 'sha-0a1b2c3', `sha-${'f'.repeat(40)}`, 'build-812'])('allows %s', (tag) => {
    expect(tagPolicyProblem(DEFAULT_TAG_POLICY, tag)).toBeUndefined();
  });
  it.each(['latest', 'dev', 'main', '01.2.3', 'sha-xyz', 'v1.2.3.4', 'build-'])('reports %s', (tag) => {
    expect(tagPolicyProblem(DEFAULT_TAG_POLICY, tag)).toMatch(tag === 'latest' ? /^"latest" names no release and moves/ : /matches none of the allowed patterns/);
  });
});
