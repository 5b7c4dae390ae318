import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrCredentialProvider } from '../../../lambdas/adapters/aws/ecr-credentials';
import { EventBridgeAlertSink } from '../../../lambdas/adapters/aws/eventbridge-alert-sink';
import { S3BlobStore } from '../../../lambdas/adapters/aws/s3-blob-store';
import { UnavailableError } from '../../../lambdas/core/errors';
import { AlertType } from '../../../lambdas/workflow/states';

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
});
