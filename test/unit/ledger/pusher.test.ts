import { DynamoDbLedgerStore } from '../../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import type { CloudTrailPutImageEvent } from '../../../lambdas/ledger/pusher';
import { createPusherRecorder, pushRecordOf } from '../../../lambdas/ledger/pusher';
import type { LocalDynamo } from '../../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../../lambdas/local/dynalite-server';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { createRecordStep } from '../../../lambdas/workflow/steps/record';
import { artifact, DIGEST, REPO, state } from '../workflow/states';

/** An ecr:PutImage record as EventBridge delivers it (CloudTrail record fields; docker push user agent). */
const putImage = (eventID = 'c0ffee00-0000-4000-8000-000000000001'): CloudTrailPutImageEvent => ({
  id: 'evb-1',
  account: '123456789012',
  region: 'eu-west-1',
  detail: {
    eventID,
    eventTime: '2026-03-01T08:59:58Z',
    eventName: 'PutImage',
    eventSource: 'ecr.amazonaws.com',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0 os/linux arch/amd64',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/ci-pusher/gha-812', accountId: '123456789012', principalId: 'AROAEXAMPLE:gha-812' },
    requestParameters: { repositoryName: 'shop/api', registryId: '123456789012', imageTag: 'v1.2.0' },
    responseElements: { image: { repositoryName: 'shop/api', registryId: '123456789012', imageId: { imageDigest: DIGEST, imageTag: 'v1.2.0' } } },
  },
});

describe('pushRecordOf', () => {
  it('reads the identity, account, source IP, user agent and time of the call, and names the repository as the workflow does', () => {
    expect(pushRecordOf(putImage())).toEqual({
      repositoryName: REPO,
      digest: DIGEST,
      tag: 'v1.2.0',
      principal: 'arn:aws:sts::123456789012:assumed-role/ci-pusher/gha-812',
      account: '123456789012',
      sourceIp: '203.0.113.7',
      userAgent: 'docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0 os/linux arch/amd64',
      time: '2026-03-01T08:59:58.000Z',
      eventId: 'c0ffee00-0000-4000-8000-000000000001',
    });
  });

  it('refuses a failed call and an event without a digest', () => {
    const e = putImage();
    expect(() => pushRecordOf({ ...e, detail: { ...e.detail, errorCode: 'ImageTagAlreadyExistsException' } })).toThrow('PutImage failed (ImageTagAlreadyExistsException)');
    expect(() => pushRecordOf({ ...e, detail: { ...e.detail, responseElements: null } })).toThrow('without repository, digest');
    expect(() => pushRecordOf({ ...e, detail: { ...e.detail, eventName: 'BatchDeleteImage' } })).toThrow('not a CloudTrail ecr:PutImage event');
  });
});

describe('pusher and push event, in any order and any number of times', () => {
  let dynamo: LocalDynamo;
  beforeEach(async () => {
    dynamo = await startLocalDynamo();
  });
  afterEach(() => dynamo.close());

  const orders: [string, ('trail' | 'push')[]][] = [
    ['CloudTrail before the push event', ['trail', 'push']],
    ['CloudTrail after the push event', ['push', 'trail']],
    ['each three times, interleaved', ['trail', 'push', 'trail', 'push', 'push', 'trail']],
  ];
  it.each(orders)('%s: one pusher, one push entry by the principal, one artifact', async (_name, order) => {
    const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
    const ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
    const pusher = createPusherRecorder({ records, ledger });
    const record = createRecordStep({ records, ledger, metrics: new InMemoryMetrics(), now: () => new Date('2026-03-01T09:05:00Z') });
    let replay = false;
    for (const step of order) {
      if (step === 'trail') await pusher(pushRecordOf(putImage()));
      else {
        await record(state({ artifact: artifact({ duplicate: replay }) }));
        replay = true;
      }
    }
    expect((await ledger.pushersOf(DIGEST)).map((p) => p.principal)).toEqual(['arn:aws:sts::123456789012:assumed-role/ci-pusher/gha-812']);
    const trail = await records.listEvents(REPO, DIGEST);
    expect(trail.filter((e) => e.type === 'ArtifactPushedBy')).toHaveLength(1);
    expect(trail.filter((e) => e.type === 'ArtifactPushed')).toHaveLength(1);
    const byPrincipal = await ledger.queryAudit({ actor: 'arn:aws:sts::123456789012:assumed-role/ci-pusher/gha-812' });
    expect(byPrincipal.map((e) => [e.action, e.target, e.time])).toEqual([['push', `${REPO}@${DIGEST}`, '2026-03-01T08:59:58.000Z']]);
    expect((await ledger.tagHistory(REPO, 'v1.2.0')).map((p) => p.outcome).sort()).toEqual(['bound']);
  });

  it('a second PutImage call (another eventID) of the same digest is a second pusher', async () => {
    const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
    const ledger = new DynamoDbLedgerStore(dynamo.client, dynamo.tableName);
    const pusher = createPusherRecorder({ records, ledger });
    expect(await pusher(pushRecordOf(putImage('e-1')))).toBe('created');
    expect(await pusher(pushRecordOf(putImage('e-1')))).toBe('exists');
    expect(await pusher(pushRecordOf(putImage('e-2')))).toBe('created');
    expect(await ledger.pushersOf(DIGEST)).toHaveLength(2);
  });
});
