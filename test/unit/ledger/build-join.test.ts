import { DynamoDbLedgerStore } from '../../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { MetricName } from '../../../lambdas/core/metric-names';
import { buildRecordOf, parseBuildReport } from '../../../lambdas/ledger/build-report';
import { createBuildRecorder } from '../../../lambdas/ledger/build-recorder';
import type { LocalDynamo } from '../../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import type { Alert, AlertSink } from '../../../lambdas/ports/alert-sink';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { alertsFor } from '../../../lambdas/workflow/steps/notify';
import { artifact, DIGEST, REPO, state } from '../workflow/states';

class ListSink implements AlertSink {
  readonly alerts: Alert[] = [];
  async publish(alerts: readonly Alert[]): Promise<void> {
    this.alerts.push(...alerts);
  }
}

const report = (overrides: Record<string, unknown> = {}) =>
  parseBuildReport({ status: 'succeeded', commit: 'd3adb33f00112233', source: 'https://git.example/shop/api.git', buildId: '812', pipeline: 'shop-api', author: 'ana', digests: [DIGEST], ...overrides });

describe('builds and images join by digest, in either order', () => {
  let dynamo: LocalDynamo;
  beforeEach(async () => {
    dynamo = await startLocalDynamo();
  });
  afterEach(() => dynamo.close());

  function setup() {
    const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
    const ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
    const metrics = new InMemoryMetrics();
    const sink = new ListSink();
    const recordStep = createRecordStep({ records, ledger, metrics, now: () => new Date('2026-03-01T09:05:00Z') });
    const recordBuild = createBuildRecorder({ records, ledger, alerts: sink, metrics });
    /** The Record step and the Notify step's alerts for its result. */
    const push = async (labels = artifact().provenance) => {
      const s = state({ artifact: artifact({ provenance: labels }) });
      return alertsFor({ ...s, record: await recordStep(s) });
    };
    return { records, ledger, metrics, sink, push, build: (r = report()) => recordBuild(buildRecordOf(r, '2026-03-01T08:59:00.000Z', 'local:ana')) };
  }
  const linked = async (records: DynamoDbRecordStore) => (await records.listEvents(REPO, DIGEST)).filter((e) => e.type === 'BuildLinked').map((e) => e.detail.buildId);

  it('build reported before the push: the Record step joins it (agreeing labels: no alert)', async () => {
    const { records, ledger, push, build, sink } = setup();
    expect((await build()).links).toEqual([]);
    const alerts = await push();
    expect(alerts.map((a) => a.type)).toEqual(['Artifact Processed']);
    expect(await linked(records)).toEqual(['812']);
    expect(await ledger.flagsOf(REPO, DIGEST)).toEqual([]);
    expect(sink.alerts).toEqual([]);
  });

  it('build reported after the push: the build recorder joins it', async () => {
    const { records, push, build } = setup();
    await push();
    const result = await build();
    expect(result.links.map((l) => [l.repositoryName, l.digest, l.mismatches])).toEqual([[REPO, DIGEST, []]]);
    expect(await linked(records)).toEqual(['812']);
  });

  it.each([
    ['before', true],
    ['after', false],
  ])('a label disagreeing with a build reported %s the push is kept, flagged and alerted once', async (_when, buildFirst) => {
    const { records, ledger, push, build, sink, metrics } = setup();
    const labels = { revision: 'feedface', source: 'https://git.example/shop/api', buildId: '812' };
    const pushAlerts: Alert[] = [];
    if (buildFirst) await build();
    pushAlerts.push(...(await push(labels)));
    if (!buildFirst) await build();
    // Replays of both, three times: nothing new.
    for (let i = 0; i < 3; i += 1) {
      pushAlerts.push(...(await push(labels)).filter((a) => a.type === 'Policy Violation'));
      await build();
    }
    const all = [...pushAlerts.filter((a) => a.type === 'Policy Violation'), ...sink.alerts];
    expect(all).toHaveLength(1);
    expect(all[0]?.detail).toMatchObject({ reason: 'provenance-mismatch', repository: REPO, digest: DIGEST, pipeline: 'shop-api', buildId: '812', mismatches: [{ field: 'revision', label: 'feedface', build: 'd3adb33f00112233' }] });
    expect((await records.getArtifact(REPO, DIGEST))?.provenance.revision).toBe('feedface');
    expect((await ledger.flagsOf(REPO, DIGEST)).map((f) => [f.kind, f.key])).toEqual([['provenance-mismatch', 'shop-api#812']]);
    expect((await records.listEvents(REPO, DIGEST)).filter((e) => e.type === 'ProvenanceMismatch')).toHaveLength(1);
    expect(metrics.counts.get(MetricName.policyViolations)).toBe(1);
  });

  it('counts each build once in the success rate, overall and per pipeline', async () => {
    const { build, metrics, ledger } = setup();
    await build();
    await build();
    await build(report({ buildId: '813', status: 'failed', digests: [] }));
    expect(metrics.dimensioned).toEqual([
      { name: MetricName.buildSuccess, value: 1, dimensions: { pipeline: 'shop-api' } },
      { name: MetricName.buildSuccess, value: 0, dimensions: { pipeline: 'shop-api' } },
    ]);
    expect(metrics.counts.get(MetricName.buildSuccess)).toBe(1);
    expect((await ledger.queryAudit({ actor: 'ci:shop-api' })).map((e) => `${e.action} ${e.outcome} ${e.target}`).sort()).toEqual(['record-build failed build:shop-api#813', 'record-build succeeded build:shop-api#812']);
  });
});

describe('parseBuildReport', () => {
  it.each([
    [{ status: 'ok' }, 'status must be succeeded or failed'],
    [{ commit: '' }, 'commit is required'],
    [{ digests: ['sha256:xyz'] }, 'digests must be sha256:<64 hex> values'],
    [{ startedAt: 'yesterday' }, 'startedAt must be an RFC 3339 time'],
    [{ startedAt: '2026-03-02T00:00:00Z', finishedAt: '2026-03-01T00:00:00Z' }, 'startedAt is after finishedAt'],
  ])('refuses %j: %s', (overrides, message) => {
    expect(() => report(overrides)).toThrow(message);
  });

  it('keeps each digest once and normalises times', () => {
    expect(report({ digests: [DIGEST, DIGEST], startedAt: '2026-03-01T10:00:00+01:00' })).toMatchObject({ digests: [DIGEST], startedAt: '2026-03-01T09:00:00.000Z' });
  });
});
