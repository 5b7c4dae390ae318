import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrCredentialProvider, RegionalEcrCredentials } from '../../../lambdas/adapters/aws/ecr-credentials';
import { EventBridgeAlertSink } from '../../../lambdas/adapters/aws/eventbridge-alert-sink';
import { S3BlobStore } from '../../../lambdas/adapters/aws/s3-blob-store';
import { IntegrityError, UnavailableError } from '../../../lambdas/core/errors';
import { writeOnce } from '../../../lambdas/ports/write-once';
import { AlertType } from '../../../lambdas/core/alerts';

describe('EcrCredentialProvider', () => {
  it('decodes GetAuthorizationToken (base64 AWS:password) for ECR hosts only, and caches it', async () => {
    const ecr = mockClient(ECRClient);
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: Buffer.from('AWS:eyJwYXlsb2FkIjoi').toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000), proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' }],
    });
    const provider = new EcrCredentialProvider(new ECRClient({ region: 'eu-west-1' }));
    expect(await provider.credentialsFor('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: 'eyJwYXlsb2FkIjoi' });
    expect(await provider.credentialsFor('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: 'eyJwYXlsb2FkIjoi' });
    expect(await provider.credentialsFor('ghcr.io')).toBeUndefined();
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    ecr.restore();
  });
});

describe('RegionalEcrCredentials', () => {
  it('asks ECR in each registry\'s own region (member accounts of an organisation), once per region', async () => {
    const ecr = mockClient(ECRClient);
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:token').toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000) }] });
    const regions: string[] = [];
    const provider = new RegionalEcrCredentials((region) => {
      regions.push(region);
      return new ECRClient({ region });
    });
    expect(await provider.credentialsFor('111111111111.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: 'token' });
    expect(await provider.credentialsFor('222222222222.dkr.ecr.us-east-2.amazonaws.com')).toEqual({ username: 'AWS', password: 'token' });
    // Another account in a region already asked: the same regional token.
    expect(await provider.credentialsFor('333333333333.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: 'token' });
    expect(await provider.credentialsFor('127.0.0.1:5000')).toBeUndefined();
    expect(regions).toEqual(['eu-west-1', 'us-east-2']);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2);
    ecr.restore();
  });
});

describe('EventBridgeAlertSink', () => {
  it('puts alerts on the bus in batches of at most 10, with source artifact-guard', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const sink = new EventBridgeAlertSink(new EventBridgeClient({ region: 'us-east-1' }), 'alerts-bus');
    const alerts = Array.from({ length: 23 }, (_, i) => ({ type: AlertType.processed, detail: { summary: `a${i}` } }));
    await sink.publish(alerts);
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries?.[0]).toEqual({ EventBusName: 'alerts-bus', Source: 'artifact-guard', DetailType: 'Artifact Processed', Detail: '{"summary":"a0"}' });
    eb.restore();
  });

  it('fails (retryably) when EventBridge refuses entries instead of losing them', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
    const sink = new EventBridgeAlertSink(new EventBridgeClient({ region: 'us-east-1' }), 'bus');
    await expect(sink.publish([{ type: AlertType.workflowFailed, detail: { summary: 's' } }])).rejects.toThrow(UnavailableError);
    eb.restore();
  });
});

describe('S3BlobStore', () => {
  it('puts and gets objects and maps NoSuchKey to undefined', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand, { Key: 'evidence/a.json' }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('{"a":1}')) } as never });
    s3.on(GetObjectCommand, { Key: 'missing' }).rejects(new NoSuchKey({ message: 'nope', $metadata: {} }));
    const store = new S3BlobStore(new S3Client({ region: 'us-east-1' }), 'evidence-bucket');
    await store.put('evidence/a.json', Buffer.from('{"a":1}'), 'application/json');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'evidence-bucket', Key: 'evidence/a.json', ContentType: 'application/json' });
    expect((await store.get('evidence/a.json'))?.toString()).toBe('{"a":1}');
    expect(await store.get('missing')).toBeUndefined();
    expect(store.location('k')).toBe('s3://evidence-bucket/k');
    s3.restore();
  });

  it('writes evidence once: If-None-Match *, a 412 means "exists", retention in governance mode', async () => {
    // A bucket as S3 behaves with conditional writes: a second create of a key is refused with 412.
    const objects = new Map<string, Buffer>();
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: Buffer; IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*' && objects.has(input.Key)) {
        throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'At least one of the pre-conditions you specified did not hold' });
      }
      objects.set(input.Key, Buffer.from(input.Body));
      return {};
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const body = objects.get(input.Key);
      if (!body) throw new NoSuchKey({ message: 'nope', $metadata: {} });
      return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
    });
    const now = new Date('2026-12-01T00:00:00Z');
    const store = new S3BlobStore(new S3Client({ region: 'us-east-1' }), 'evidence-bucket', { lockDays: 30, now: () => now });
    expect(await store.putIfAbsent('evidence/x.json', Buffer.from('one'), 'application/json')).toBe('created');
    expect(await store.putIfAbsent('evidence/x.json', Buffer.from('two'), 'application/json')).toBe('exists');
    expect(objects.get('evidence/x.json')?.toString()).toBe('one');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ IfNoneMatch: '*', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date('2026-12-31T00:00:00Z') });

    // writeOnce over it: the same bytes again are a retry; other bytes are never written.
    await expect(writeOnce(store, 'evidence/x.json', Buffer.from('one'), 'application/json')).resolves.toMatchObject({ key: 'evidence/x.json' });
    await expect(writeOnce(store, 'evidence/x.json', Buffer.from('two'), 'application/json')).rejects.toThrow(IntegrityError);
    s3.reset();
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'ConditionalRequestConflict', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'conflict' }));
    await expect(store.putIfAbsent('evidence/y.json', Buffer.from('y'), 'application/json')).rejects.toThrow(UnavailableError);
    s3.restore();
  });
});
