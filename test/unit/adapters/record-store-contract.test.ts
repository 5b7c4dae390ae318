import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { RecordsTable } from '../../../lambdas/core/records-table';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import type { ArtifactRecord, AuditEvent, RecordStore } from '../../../lambdas/ports/record-store';
import { MemoryRecordStore } from '../../support/memory-record-store';

/**
 * The RecordStore port's semantics, checked on the DynamoDB adapter (against dynalite, DynamoDB's
 * API in process) and on the in-memory double the step tests use, so that the double cannot drift.
 */
const STORES: [string, () => Promise<{ store: RecordStore; close: () => Promise<void> }>][] = [
  ['MemoryRecordStore', async () => ({ store: new MemoryRecordStore(), close: async () => undefined })],
  [
    'DynamoDbRecordStore on dynalite',
    async () => {
      const dynamo = await startLocalDynamo();
      return { store: new DynamoDbRecordStore(dynamo.client, dynamo.tableName), close: () => dynamo.close() };
    },
  ],
];

const REPO = 'registry.example/shop/api';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const record = (digest: string, overrides: Partial<ArtifactRecord> = {}): ArtifactRecord => ({
  repositoryName: REPO,
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'image',
  platforms: [{ digest: D2, platform: 'linux/amd64' }],
  provenance: { revision: 'abc' },
  firstSeen: '2026-03-01T09:00:00.000Z',
  source: `registry:${REPO}@${digest}`,
  ...overrides,
});

const event = (id: string, time: string, type = 'ArtifactPushed'): AuditEvent => ({ id, time, type, detail: { tag: null, n: 1 } });

describe.each(STORES)('RecordStore semantics: %s', (_name, open) => {
  let store: RecordStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(() => close());

  it('writes an artifact once and never overwrites it', async () => {
    expect(await store.getArtifact(REPO, D1)).toBeUndefined();
    expect(await store.putArtifact(record(D1))).toBe('created');
    expect(await store.putArtifact(record(D1, { firstSeen: '2030-01-01T00:00:00.000Z', kind: 'index' }))).toBe('exists');
    expect(await store.getArtifact(REPO, D1)).toEqual(record(D1));
    expect(await store.getArtifact('registry.example/other', D1)).toBeUndefined();
  });

  it('binds a tag to its first digest and answers later claims with it', async () => {
    expect(await store.claimTag(REPO, 'v1', D1, 't1')).toEqual({ digest: D1, outcome: 'created' });
    expect(await store.claimTag(REPO, 'v1', D2, 't2')).toEqual({ digest: D1, outcome: 'exists' });
    expect(await store.claimTag(REPO, 'v1', D1, 't3')).toEqual({ digest: D1, outcome: 'exists' });
    expect(await store.claimTag('registry.example/other', 'v1', D2, 't1')).toEqual({ digest: D2, outcome: 'created' });
  });

  it('keeps one piece of evidence per kind, the first one', async () => {
    expect(await store.getEvidence(REPO, D2)).toEqual({});
    expect(await store.putEvidence(REPO, D2, 'sbom', { components: 3, nested: { a: [1, 2] } }, 't1')).toBe('created');
    expect(await store.putEvidence(REPO, D2, 'sbom', { components: 4 }, 't2')).toBe('exists');
    expect(await store.putEvidence(REPO, D2, 'signature#kms', { signed: true }, 't2')).toBe('created');
    expect(await store.getEvidence(REPO, D2)).toEqual({ sbom: { components: 3, nested: { a: [1, 2] } }, 'signature#kms': { signed: true } });
  });

  it('appends each event once (by time and id) and lists them by time, then id', async () => {
    const later = event('b-later', '2026-03-01T10:00:00.000Z');
    const first = event('z-first', '2026-03-01T09:00:00.000Z');
    const sameTime = event('a-same', '2026-03-01T09:00:00.000Z', 'ArtifactProcessed');
    expect(await store.appendEvent(REPO, D1, later)).toBe('created');
    expect(await store.appendEvent(REPO, D1, first)).toBe('created');
    expect(await store.appendEvent(REPO, D1, sameTime)).toBe('created');
    expect(await store.appendEvent(REPO, D1, { ...first, type: 'Replaced' })).toBe('exists');
    expect(await store.listEvents(REPO, D1)).toEqual([sameTime, first, later]);
    expect(await store.listEvents(REPO, D2)).toEqual([]);
  });

  it('marks an artifact processed once', async () => {
    expect(await store.isProcessed(REPO, D1)).toBe(false);
    expect(await store.markProcessed(REPO, D1, 't1')).toBe('created');
    expect(await store.markProcessed(REPO, D1, 't2')).toBe('exists');
    expect(await store.isProcessed(REPO, D1)).toBe(true);
    expect(await store.isProcessed(REPO, D2)).toBe(false);
  });
});

describe.each(STORES)('RecordStore processing lease: %s', (_name, open) => {
  let store: RecordStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(() => close());

  const T0 = new Date('2026-03-01T09:00:00.000Z');
  const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
  const ask = (owner: string, now: Date, triggerId = 'evt-1') => ({ owner, triggerId, now, seconds: 600 });

  it('is taken by the first execution and answered with its holder to the others', async () => {
    const first = await store.acquireLease(REPO, D1, ask('exec-a', T0));
    expect(first).toEqual({ outcome: 'acquired', lease: { owner: 'exec-a', triggerId: 'evt-1', acquiredAt: T0.toISOString(), expiresAt: at(600).toISOString() } });
    const second = await store.acquireLease(REPO, D1, ask('exec-b', at(10), 'evt-2'));
    expect(second).toEqual({ outcome: 'held', holder: { owner: 'exec-a', triggerId: 'evt-1', acquiredAt: T0.toISOString(), expiresAt: at(600).toISOString() } });
    // Another digest, or the same digest in another repository, has its own lease.
    expect((await store.acquireLease(REPO, D2, ask('exec-b', at(10)))).outcome).toBe('acquired');
    expect((await store.acquireLease('registry.example/other', D1, ask('exec-b', at(10)))).outcome).toBe('acquired');
  });

  it('is taken again by its own execution (a retried step) and renewed', async () => {
    const again = await store.acquireLease(REPO, D1, ask('exec-a', at(30)));
    expect(again).toEqual({ outcome: 'acquired', lease: expect.objectContaining({ owner: 'exec-a', expiresAt: at(630).toISOString() }) });
  });

  it('holds until its expiry, then is taken over (a crashed run)', async () => {
    expect((await store.acquireLease(REPO, D1, ask('exec-c', at(629)))).outcome).toBe('held');
    const taken = await store.acquireLease(REPO, D1, ask('exec-c', at(630), 'evt-3'));
    expect(taken).toEqual({ outcome: 'acquired', lease: expect.objectContaining({ owner: 'exec-c', triggerId: 'evt-3' }) });
    expect(await store.acquireLease(REPO, D1, ask('exec-a', at(700)))).toEqual({ outcome: 'held', holder: expect.objectContaining({ owner: 'exec-c' }) });
  });

  it('is released only by its holder', async () => {
    await store.releaseLease(REPO, D1, 'exec-a');
    expect((await store.acquireLease(REPO, D1, ask('exec-d', at(700)))).outcome).toBe('held');
    await store.releaseLease(REPO, D1, 'exec-c');
    expect((await store.acquireLease(REPO, D1, ask('exec-d', at(700)))).outcome).toBe('acquired');
    await store.releaseLease(REPO, 'sha256:none', 'exec-d');
  });
});

describe('DynamoDbRecordStore lease on dynalite (DynamoDB conditional writes)', () => {
  it('gives one lease to one of many concurrent executions, with its expiry in the TTL attribute', async () => {
    const dynamo = await startLocalDynamo();
    try {
      const store = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
      const now = new Date('2026-03-01T09:00:00.400Z');
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquireLease(REPO, D1, { owner: `exec-${i}`, triggerId: 'evt', now, seconds: 7200 })));
      const winners = outcomes.filter((o) => o.outcome === 'acquired');
      expect(winners).toHaveLength(1);
      const owner = winners[0]?.outcome === 'acquired' ? winners[0].lease.owner : '';
      expect(outcomes.filter((o) => o.outcome === 'held').map((o) => (o.outcome === 'held' ? o.holder.owner : ''))).toEqual(Array(7).fill(owner));
      const raw = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: `ARTIFACT#${REPO}@${D1}` }, sk: { S: 'PROCESSING' } }, ConsistentRead: true }));
      // A number of epoch seconds: what DynamoDB's TTL reads (a string there would never expire).
      expect(raw.Item?.[RecordsTable.timeToLiveAttribute]).toEqual({ N: String(Math.floor(now.getTime() / 1000) + 7200) });
      await store.releaseLease(REPO, D1, owner);
      const gone = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: `ARTIFACT#${REPO}@${D1}` }, sk: { S: 'PROCESSING' } }, ConsistentRead: true }));
      expect(gone.Item).toBeUndefined();
    } finally {
      await dynamo.close();
    }
  });
});
