import { ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException, InternalServerError, ProvisionedThroughputExceededException, RequestLimitExceeded, ResourceNotFoundException, ThrottlingException as DynamoThrottling } from '@aws-sdk/client-dynamodb';
import { ECRClient, GetAuthorizationTokenCommand, RepositoryNotFoundException, ServerException } from '@aws-sdk/client-ecr';
import { AccessDeniedException as EventsAccessDenied, EventBridgeClient, InternalException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DependencyTimeoutException, DisabledException, InvalidKeyUsageException, KMSClient, KMSInternalException, KMSServiceException } from '@aws-sdk/client-kms';
import { TooManyRequestsException } from '@aws-sdk/client-lambda';
import { AccessDenied, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { AuthorizationErrorException, KMSDisabledException, KMSThrottlingException, ThrottledException } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, classifyAwsError } from '../../../lambdas/adapters/aws/aws-errors';
import { DynamoDbRecordStore } from '../../../lambdas/adapters/aws/dynamodb-record-store';
import { EcrCredentialProvider } from '../../../lambdas/adapters/aws/ecr-credentials';
import { EventBridgeAlertSink } from '../../../lambdas/adapters/aws/eventbridge-alert-sink';
import { KmsSigner } from '../../../lambdas/adapters/aws/kms-signer';
import { S3BlobStore } from '../../../lambdas/adapters/aws/s3-blob-store';
import { AlertType } from '../../../lambdas/core/alerts';
import { BadInputError, RefusedError, UnavailableError } from '../../../lambdas/core/errors';

/** Response metadata as the SDK fills it from an HTTP answer. */
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 3, totalRetryDelay: 900 });
const creds = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/** Rejects with an error of this class and exactly this message. */
async function expectError(p: Promise<unknown>, type: new (...args: never[]) => Error, message: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(type);
  expect((err as Error).message).toBe(message);
}

describe('classifyAwsError: the SDK v3 errors, each service as it answers', () => {
  const transient: [string, unknown][] = [
    ['DynamoDB ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ $metadata: meta(400), message: 'The level of configured provisioned throughput for the table was exceeded.' })],
    ['DynamoDB ThrottlingException', new DynamoThrottling({ $metadata: meta(400), message: 'Rate of requests exceeds the allowed throughput.' })],
    ['DynamoDB RequestLimitExceeded', new RequestLimitExceeded({ $metadata: meta(400), message: 'Throughput exceeds the current throughput limit for your account.' })],
    ['DynamoDB InternalServerError', new InternalServerError({ $metadata: meta(500), message: 'Internal server error' })],
    ['S3 SlowDown (503)', new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: meta(503), message: 'Please reduce your request rate.' })],
    ['S3 InternalError (500)', new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: meta(500), message: 'We encountered an internal error. Please try again.' })],
    ['ECR ServerException', new ServerException({ $metadata: meta(500), message: 'These errors are usually caused by a server-side issue.' })],
    ['EventBridge InternalException', new InternalException({ $metadata: meta(500), message: 'This exception occurs due to unexpected causes.' })],
    ['KMS KMSInternalException', new KMSInternalException({ $metadata: meta(500), message: 'internal' })],
    ['KMS DependencyTimeoutException', new DependencyTimeoutException({ $metadata: meta(503), message: 'dependency timed out' })],
    ['KMS ThrottlingException (no class of its own)', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: meta(400) })],
    ['Lambda TooManyRequestsException (429)', new TooManyRequestsException({ $metadata: meta(429), message: 'Rate Exceeded.', Reason: 'CallerRateLimitExceeded', Type: 'User' })],
    ['SNS ThrottledException', new ThrottledException({ $metadata: meta(400), message: 'Rate exceeded' })],
    ['SNS KMSThrottlingException', new KMSThrottlingException({ $metadata: meta(400), message: 'KMS throttled' })],
    ['an unknown 502 from any service', new S3ServiceException({ name: 'BadGateway', $fault: 'server', $metadata: meta(502), message: '' })],
    ['an unknown error the SDK marks $retryable', Object.assign(new S3ServiceException({ name: 'Whatever', $fault: 'client', $metadata: meta(400), message: 'x' }), { $retryable: { throttling: true } })],
    ['a reset socket', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a DNS failure', Object.assign(new Error('getaddrinfo EAI_AGAIN kms.us-east-1.amazonaws.com'), { code: 'EAI_AGAIN' })],
    ['a request timeout', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
  ];
  const permanent: [string, unknown][] = [
    ['DynamoDB AccessDeniedException', new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message: 'User is not authorized to perform: dynamodb:PutItem' })],
    ['DynamoDB ResourceNotFoundException', new ResourceNotFoundException({ $metadata: meta(400), message: 'Requested resource not found' })],
    ['DynamoDB ValidationException', new DynamoDBServiceException({ name: 'ValidationException', $fault: 'client', $metadata: meta(400), message: 'One or more parameter values were invalid' })],
    ['S3 AccessDenied (403)', new AccessDenied({ $metadata: meta(403), message: 'Access Denied' })],
    ['ECR RepositoryNotFoundException', new RepositoryNotFoundException({ $metadata: meta(400), message: 'The repository does not exist' })],
    ['EventBridge AccessDeniedException', new EventsAccessDenied({ $metadata: meta(400), message: 'not authorized to perform events:PutEvents' })],
    ['KMS DisabledException', new DisabledException({ $metadata: meta(400), message: 'arn:aws:kms:… is disabled.' })],
    ['KMS InvalidKeyUsageException', new InvalidKeyUsageException({ $metadata: meta(400), message: 'key usage is ENCRYPT_DECRYPT' })],
    ['KMS AccessDeniedException', new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message: 'not authorized to perform: kms:Sign' })],
    ['SNS AuthorizationErrorException', new AuthorizationErrorException({ $metadata: meta(403), message: 'not authorized to perform: SNS:Publish' })],
    ['SNS KMSDisabledException', new KMSDisabledException({ $metadata: meta(400), message: 'key disabled' })],
    ['an unknown 4xx', new S3ServiceException({ name: 'InvalidRequest', $fault: 'client', $metadata: meta(400), message: 'bad' })],
  ];

  it.each(transient)('%s is transient (UnavailableError: the state machine retries it)', (_, err) => {
    expect(classifyAwsError(err)).toBe('transient');
    const mapped = awsError(err, 'X Do');
    expect(mapped).toBeInstanceOf(UnavailableError);
    expect((mapped as Error).message).toMatch(/^X Do failed: \w+: /);
    expect((mapped as Error).cause).toBe(err);
  });

  it.each(permanent)('%s is permanent (RefusedError: fails at once, with its alert)', (_, err) => {
    expect(classifyAwsError(err)).toBe('permanent');
    const mapped = awsError(err, 'X Do') as Error;
    expect(mapped).toBeInstanceOf(RefusedError);
    expect(mapped.message).toMatch(/not retried: fix the permission or configuration\)$/);
  });

  it('leaves the product\'s own errors and bugs alone', () => {
    const own = new UnavailableError('registry down');
    expect(classifyAwsError(own)).toBeUndefined();
    expect(awsError(own, 'X')).toBe(own);
    const bug = new TypeError('x is undefined');
    expect(awsError(bug, 'X')).toBe(bug);
    expect(classifyAwsError('text')).toBeUndefined();
  });
});

describe('the AWS adapters classify through it', () => {
  it('DynamoDbRecordStore: a failed condition stays an outcome; throttling is retried; access denied is not', async () => {
    const doc = mockClient(DynamoDBDocumentClient);
    const store = new DynamoDbRecordStore(new DynamoDBClient(creds), 'records');
    doc
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ $metadata: meta(400), message: 'The conditional request failed' }))
      .rejectsOnce(new ProvisionedThroughputExceededException({ $metadata: meta(400), message: 'exceeded' }))
      .rejectsOnce(new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message: 'not authorized' }));
    expect(await store.markProcessed('app', 'sha256:aa', 't')).toBe('exists');
    await expectError(store.markProcessed('app', 'sha256:aa', 't'), UnavailableError, 'DynamoDB Put failed: ProvisionedThroughputExceededException: exceeded');
    await expect(store.markProcessed('app', 'sha256:aa', 't')).rejects.toBeInstanceOf(RefusedError);
    doc.restore();
  });

  it('S3BlobStore: SlowDown is retried, AccessDenied is not, a missing object is still undefined', async () => {
    const s3 = mockClient(S3Client);
    const store = new S3BlobStore(new S3Client(creds), 'bucket');
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: meta(503), message: 'Please reduce your request rate.' }));
    await expectError(store.put('evidence/x', Buffer.from('x'), 'text/plain'), UnavailableError, 'S3 PutObject failed: SlowDown: Please reduce your request rate.');
    s3.on(GetObjectCommand, { Key: 'secret' }).rejects(new AccessDenied({ $metadata: meta(403), message: 'Access Denied' }));
    s3.on(GetObjectCommand, { Key: 'missing' }).rejects(new NoSuchKey({ $metadata: meta(404), message: 'The specified key does not exist.' }));
    await expect(store.get('secret')).rejects.toBeInstanceOf(RefusedError);
    expect(await store.get('missing')).toBeUndefined();
    s3.restore();
  });

  it('EcrCredentialProvider: a 500 from GetAuthorizationToken is retried', async () => {
    const ecr = mockClient(ECRClient);
    ecr.on(GetAuthorizationTokenCommand).rejects(new ServerException({ $metadata: meta(500), message: 'server-side issue' }));
    await expect(new EcrCredentialProvider(new ECRClient(creds)).credentialsFor('123456789012.dkr.ecr.us-east-1.amazonaws.com')).rejects.toBeInstanceOf(UnavailableError);
    ecr.restore();
  });

  it('EventBridgeAlertSink: a failed call and failed entries are retried only when transient', async () => {
    const eb = mockClient(EventBridgeClient);
    const sink = new EventBridgeAlertSink(new EventBridgeClient(creds), 'bus');
    const alert = [{ type: AlertType.workflowFailed, detail: { summary: 's' } }];
    eb.on(PutEventsCommand)
      .rejectsOnce(new InternalException({ $metadata: meta(500), message: 'unexpected' }))
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized' }] });
    await expect(sink.publish(alert)).rejects.toBeInstanceOf(UnavailableError);
    await expect(sink.publish(alert)).rejects.toBeInstanceOf(UnavailableError);
    await expectError(sink.publish(alert), RefusedError, 'EventBridge refused 1 alert(s): AccessDeniedException');
    eb.restore();
  });

  it('KmsSigner: KMS trouble is retried, a disabled key is bad input, access denied is refused', async () => {
    const kms = mockClient(KMSClient);
    const signer = new KmsSigner(new KMSClient(creds), 'alias/k');
    kms.rejectsOnce(new KMSInternalException({ $metadata: meta(500), message: 'internal' }));
    await expect(signer.publicKey()).rejects.toBeInstanceOf(UnavailableError);
    kms.reset();
    kms.rejects(new DisabledException({ $metadata: meta(400), message: 'arn:aws:kms:us-east-1:123456789012:key/1 is disabled.' }));
    await expectError(signer.publicKey(), BadInputError, 'KMS GetPublicKey for alias/k failed: DisabledException: arn:aws:kms:us-east-1:123456789012:key/1 is disabled.');
    kms.reset();
    kms.rejects(new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message: 'not authorized to perform: kms:GetPublicKey' }));
    await expect(signer.publicKey()).rejects.toBeInstanceOf(RefusedError);
    kms.restore();
  });
});
