import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDbLedgerStore } from '../../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { auditEntryOf } from '../../../lambdas/core/audit';
import type { LocalDynamo } from '../../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import type { BuildRecord } from '../../../lambdas/ports/ledger-store';

const REPO = 'registry.example/shop/api';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const build = (overrides: Partial<BuildRecord> = {}): BuildRecord => ({
  status: 'succeeded',
  commit: 'd3adb33f',
  source: 'https://git.example/shop/api',
  buildId: '42',
  pipeline: 'shop-api',
  author: 'ana',
  digests: [D1],
  repositories: [],
  reportedAt: '2026-03-01T08:59:00.000Z',
  reportedBy: 'local:ana',
  ...overrides,
});

describe('DynamoDbLedgerStore on dynalite', () => {
  let dynamo: LocalDynamo;
  let ledger: DynamoDbLedgerStore;
  let records: DynamoDbRecordStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
    records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
  });
  afterAll(() => dynamo.close());

  it('keeps a build once, by build id, and finds it by each digest it produced', async () => {
    expect(await ledger.putBuild(build({ digests: [D1, D2] }))).toBe('created');
    expect(await ledger.putBuild(build({ commit: 'other' }))).toBe('exists');
    expect(await ledger.getBuild('shop-api', '42')).toEqual(build({ digests: [D1, D2] }));
    expect((await ledger.buildsOf(D2)).map((b) => b.commit)).toEqual(['d3adb33f']);
    expect(await ledger.buildsOf(`sha256:${'3'.repeat(64)}`)).toEqual([]);
  });

  it('records each pusher call once (CloudTrail eventID), whatever the number of deliveries', async () => {
    const push = { repositoryName: REPO, digest: D1, principal: 'arn:aws:sts::123456789012:assumed-role/ci/run-1', account: '123456789012', time: '2026-03-01T09:00:00Z', eventId: 'ct-1' };
    expect(await ledger.putPusher(push)).toBe('created');
    expect(await ledger.putPusher(push)).toBe('exists');
    expect(await ledger.putPusher(push)).toBe('exists');
    expect(await ledger.pushersOf(D1)).toEqual([push]);
  });

  it('keeps every push of a tag in time order and raises a flag once', async () => {
    await ledger.recordTagPush({ repositoryName: REPO, tag: 'v1', digest: D2, time: '2026-03-01T10:00:00Z', outcome: 'violation' });
    await ledger.recordTagPush({ repositoryName: REPO, tag: 'v1', digest: D1, time: '2026-03-01T09:00:00Z', outcome: 'bound' });
    expect((await ledger.tagHistory(REPO, 'v1')).map((p) => [p.digest, p.outcome])).toEqual([
      [D1, 'bound'],
      [D2, 'violation'],
    ]);
    const flag = { kind: 'tag-policy', key: 'latest', time: 't', detail: { tag: 'latest' } };
    expect(await ledger.raiseFlag(REPO, D1, flag)).toBe('created');
    expect(await ledger.raiseFlag(REPO, D1, { ...flag, time: 'later' })).toBe('exists');
    expect(await ledger.flagsOf(REPO, D1)).toEqual([flag]);
    expect(await ledger.flagsOf(REPO, D2)).toEqual([]);
  });

  it('answers audit queries by actor and by time window with exactly the entries in them', async () => {
    const gate = (id: string, time: string, caller: string, allowed: boolean) => ({ id, time, type: 'GateDecision', detail: { caller, allowed, environment: 'prod' } });
    await records.appendEvent(REPO, D1, gate('g1', '2026-04-01T23:59:59.000Z', 'arn:aws:iam::1:role/deployer', true));
    await records.appendEvent(REPO, D1, gate('g2', '2026-04-02T00:00:00.000Z', 'arn:aws:iam::1:role/deployer', false));
    await records.appendEvent(REPO, D2, gate('g3', '2026-04-02T12:00:00.000Z', 'arn:aws:iam::1:role/other', true));
    await records.appendEvent(REPO, D2, { id: 'p1', time: '2026-04-03T08:00:00.000Z', type: 'ArtifactPushed', detail: { tag: 'v1' } });
    await records.appendEvent(REPO, D2, { id: 'p1', time: '2026-04-03T08:00:00.000Z', type: 'ArtifactPushed', detail: { tag: 'v1' } });
    await ledger.appendAudit(auditEntryOf('build:shop-api#42', { id: 'b1', time: '2026-04-02T06:00:00.000Z', type: 'BuildRecorded', actor: 'ci:shop-api', action: 'record-build', outcome: 'succeeded', detail: {} }));

    const ids = (entries: { id: string }[]) => entries.map((e) => e.id);
    expect(ids(await ledger.queryAudit({ actor: 'arn:aws:iam::1:role/deployer', since: '2026-03-01T00:00:00Z', until: '2026-05-01T00:00:00Z' }))).toEqual(['g1', 'g2']);
    expect(ids(await ledger.queryAudit({ actor: 'arn:aws:iam::1:role/deployer' }))).toEqual(['g1', 'g2']);
    expect(ids(await ledger.queryAudit({ actor: 'arn:aws:iam::1:role/deployer', since: '2026-04-02T00:00:00.000Z' }))).toEqual(['g2']);
    // A window across midnight reads both days' partitions; its bounds are inclusive.
    expect(ids(await ledger.queryAudit({ since: '2026-04-01T23:59:59.000Z', until: '2026-04-02T12:00:00.000Z' }))).toEqual(['g1', 'g2', 'b1', 'g3']);
    expect(ids(await ledger.queryAudit({ since: '2026-04-02T00:00:00.001Z', until: '2026-04-02T11:59:59.999Z' }))).toEqual(['b1']);
    expect(ids(await ledger.queryAudit({ action: 'gate', since: '2026-04-01T00:00:00Z', until: '2026-04-30T00:00:00Z' }))).toEqual(['g1', 'g2', 'g3']);
    // The replayed push is one entry; the guard's own steps are actors too.
    const pushes = await ledger.queryAudit({ actor: 'artifact-guard:record' });
    expect(pushes).toEqual([{ id: 'p1', time: '2026-04-03T08:00:00.000Z', actor: 'artifact-guard:record', action: 'record-push', target: `${REPO}@${D2}`, outcome: 'success', type: 'ArtifactPushed', detail: { tag: 'v1' } }]);
    const [denied] = await ledger.queryAudit({ actor: 'arn:aws:iam::1:role/deployer', since: '2026-04-02T00:00:00.000Z' });
    expect(denied).toMatchObject({ action: 'gate', outcome: 'denied', target: `${REPO}@${D1}` });
  });

  it('upgrades a records store made before the actor index: the index added, old trail events indexed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-old-ledger-'));
    const server = dynalite({ path: dir, createTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    await client.send(
      new CreateTableCommand({
        TableName: 'artifact-guard-records',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((n) => ({ AttributeName: n, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [{ IndexName: 'byDigest', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
    // A trail event written by the older version (no audit index entry).
    const { DynamoDBDocumentClient, PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await DynamoDBDocumentClient.from(client).send(
      new PutCommand({ TableName: 'artifact-guard-records', Item: { pk: `ARTIFACT#${REPO}@${D2}`, sk: 'EVENT#2026-01-01T00:00:00.000Z#old', event: { id: 'old', time: '2026-01-01T00:00:00.000Z', type: 'GateDecision', detail: { caller: 'me', allowed: false } } } }),
    );
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const upgraded = await startLocalDynamo({ path: dir });
    try {
      const table = await upgraded.client.send(new DescribeTableCommand({ TableName: upgraded.tableName }));
      expect((table.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort()).toEqual(['byActor', 'byDigest']);
      const store = new DynamoDbLedgerStore(upgraded.client, upgraded.tableName);
      await new DynamoDbRecordStore(upgraded.client, upgraded.tableName).appendEvent(REPO, D1, { id: 'x', time: '2026-04-01T00:00:00.000Z', type: 'GateDecision', detail: { caller: 'me', allowed: true } });
      expect((await store.queryAudit({ actor: 'me' })).map((e) => [e.id, e.outcome])).toEqual([
        ['old', 'denied'],
        ['x', 'allowed'],
      ]);
      expect(await new DynamoDbRecordStore(upgraded.client, upgraded.tableName).listEvents(REPO, D2)).toHaveLength(1);
    } finally {
      await upgraded.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
