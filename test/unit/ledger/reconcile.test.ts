import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrImageLister } from '../../../lambdas/adapters/aws/ecr-image-lister';
import { SfnWorkflowStarter } from '../../../lambdas/adapters/aws/sfn-workflow-starter';
import { DynamoDbLedgerStore } from '../../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { MetricName } from '../../../lambdas/core/metric-names';
import { reconcile } from '../../../lambdas/ledger/reconcile';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import type { ImageLister, RegistryImage } from '../../../lambdas/ports/image-lister';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { MemoryRecordStore } from '../../support/memory-record-store';
import { artifact, REPO, sbom, scan, signing, state } from '../workflow/states';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

class ListLister implements ImageLister {
  constructor(private readonly images: RegistryImage[]) {}
  async *list(repository: string): AsyncIterable<RegistryImage> {
    for (const i of this.images) if (i.repositoryName === `${HOST}/${repository}`) yield i;
  }
}

describe('reconcile', () => {
  it('starts the workflow only for tagged digests without a completed record, never for evidence tags, at most N at once', async () => {
    const records = new MemoryRecordStore();
    const images = Array.from({ length: 10 }, (_, i) => ({ repositoryName: `${HOST}/shop/api`, digest: digest(i + 1), tags: [`1.0.${i}`] }));
    images.push({ repositoryName: `${HOST}/shop/api`, digest: digest(99), tags: ['sha256-abc.sig'] });
    await records.markProcessed(`${HOST}/shop/api`, digest(1), 't');
    await records.markProcessed(`${HOST}/shop/api`, digest(2), 't');
    let running = 0;
    let most = 0;
    const startedDigests: string[] = [];
    const metrics = new InMemoryMetrics();
    const report = await reconcile(
      {
        lister: new ListLister(images),
        records,
        concurrency: 3,
        metrics,
        start: async (image) => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 5));
          running -= 1;
          startedDigests.push(image.digest);
          return 'started';
        },
      },
      ['shop/api'],
    );
    expect(report).toMatchObject({ listed: 11, processed: 2, evidence: 1, failed: [] });
    expect(startedDigests.sort()).toEqual(images.slice(2, 10).map((i) => i.digest).sort());
    expect(most).toBe(3);
    expect(metrics.counts.get(MetricName.reconcileStarted)).toBe(8);
  });

  it('reports a start that fails and goes on with the others', async () => {
    const images = [1, 2, 3].map((n) => ({ repositoryName: `${HOST}/shop/api`, digest: digest(n), tags: ['1.0.0'] }));
    const report = await reconcile(
      { lister: new ListLister(images), records: new MemoryRecordStore(), concurrency: 2, start: async (i) => (i.digest === digest(2) ? Promise.reject(new Error('throttled')) : 'started') },
      ['shop/api'],
    );
    expect(report.started.map((i) => i.digest)).toEqual([digest(1), digest(3)]);
    expect(report.failed).toEqual([{ image: images[1], error: 'throttled' }]);
  });
});

describe('AWS adapters of the reconciler', () => {
  it('lists every page of DescribeImages (tagged only) with the records\' repository names', async () => {
    const ecr = mockClient(ECRClient);
    ecr.on(DescribeImagesCommand).callsFake((input: { nextToken?: string; filter?: { tagStatus?: string }; maxResults?: number }) => {
      expect(input.filter).toEqual({ tagStatus: 'TAGGED' });
      expect(input.maxResults).toBe(1000);
      return input.nextToken
        ? { imageDetails: [{ registryId: '123456789012', repositoryName: 'shop/api', imageDigest: digest(2), imageTags: ['1.1.0', 'sha-0a1b2c3'] }] }
        : { imageDetails: [{ registryId: '123456789012', repositoryName: 'shop/api', imageDigest: digest(1), imageTags: ['1.0.0'] }], nextToken: 'page-2' };
    });
    const listed: RegistryImage[] = [];
    for await (const i of new EcrImageLister(new ECRClient({ region: 'eu-west-1' }), HOST).list('shop/api')) listed.push(i);
    expect(listed).toEqual([
      { repositoryName: `${HOST}/shop/api`, digest: digest(1), tags: ['1.0.0'] },
      { repositoryName: `${HOST}/shop/api`, digest: digest(2), tags: ['1.1.0', 'sha-0a1b2c3'] },
    ]);
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(2);
    ecr.restore();
  });

  it('starts one execution per digest and hour (a second start in the hour is "exists")', async () => {
    const sfn = mockClient(SFNClient);
    const names = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
      if (names.has(input.name)) throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
      names.add(input.name);
      return { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:wf:${input.name}`, startDate: new Date() };
    });
    const starter = new SfnWorkflowStarter(new SFNClient({ region: 'eu-west-1' }), 'arn:aws:states:eu-west-1:123456789012:stateMachine:wf', () => new Date('2026-03-01T09:41:00Z'));
    const image = { repositoryName: `${HOST}/shop/api`, digest: digest(7), tags: ['1.0.0'] };
    expect(await starter.start(image)).toBe('started');
    expect(await starter.start(image)).toBe('exists');
    const call = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(call?.name).toMatch(/^reconcile-2026030109-[0-9a-f]{56}$/);
    // The same digest in another repository is another artifact: another execution.
    expect(await starter.start({ ...image, repositoryName: `${HOST}/shop/web` })).toBe('started');
    expect(await starter.start({ ...image, digest: digest(8) })).toBe('started');
    expect(JSON.parse(call?.input ?? '')).toEqual({ source: `${HOST}/shop/api@${digest(7)}`, tag: '1.0.0', id: call?.name });
    sfn.restore();
  });
});

describe('a backfill run racing the event path on one digest', () => {
  it('writes one record set: one artifact, one tag binding, evidence once', async () => {
    const dynamo = await startLocalDynamo();
    try {
      const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
      const ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
      const metrics = new InMemoryMetrics();
      const record = createRecordStep({ records, ledger, metrics, now: () => new Date('2026-03-01T09:05:00Z') });
      const fromEvent = state({ sbom, scan: scan(), signing });
      const fromBackfill = state({ artifact: artifact({ trigger: { type: 'manual', id: 'reconcile-2026030109-a1', time: '2026-03-01T09:00:03.000Z' } }), sbom, scan: scan({ suppressed: 1 }), signing });
      const results = await Promise.all([record(fromEvent), record(fromBackfill)]);
      expect(results.map((r) => r.artifact).sort()).toEqual(['created', 'exists']);
      // Evidence written once: the first writer's scan summary stands.
      const evidence = await records.getEvidence(REPO, fromEvent.artifact.digest);
      expect(Object.keys(evidence).sort()).toEqual(['sbom', 'scan', 'signature']);
      expect([0, 1]).toContain(evidence.scan?.suppressed);
      expect(await records.getArtifact(REPO, fromEvent.artifact.digest)).toMatchObject({ firstSeen: expect.any(String) });
      expect(await ledger.tagHistory(REPO, 'v1.2.0')).toHaveLength(2);
      expect((await ledger.tagHistory(REPO, 'v1.2.0')).map((p) => p.outcome).sort()).toEqual(['again', 'bound']);
      expect(await records.claimTag(REPO, 'v1.2.0', 'sha256:other', 't')).toEqual({ digest: fromEvent.artifact.digest, outcome: 'exists' });
    } finally {
      await dynamo.close();
    }
  });
});
