import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RecordedSdkCall } from '../../../lambdas/adapters/aws/sdk-call-recorder';
import { ecrActionsOfRegistryRequest, RECORD_SDK_CALLS_ENV, recordSdkCalls } from '../../../lambdas/adapters/aws/sdk-call-recorder';

/** Answers every request 200 with an empty JSON object: what is tested is what the client records before sending. */
let server: http.Server;
let endpoint: string;
let dir: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(req.method === 'HEAD' || req.url?.includes('/bucket/') ? '' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-sdk-rec-'));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

const config = () => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
const read = (file: string): RecordedSdkCall[] => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedSdkCall);

describe('recordSdkCalls', () => {
  it('appends service:Operation and the IAM actions of each call, per function', async () => {
    const file = path.join(dir, 'calls.jsonl');
    const env = { [RECORD_SDK_CALLS_ENV]: file, AWS_LAMBDA_FUNCTION_NAME: 'SbomStep' };
    const s3 = recordSdkCalls(new S3Client({ ...config(), forcePathStyle: true }), env);
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'evidence/a', Body: 'x', IfNoneMatch: '*', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000) }));
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'layer-cache/a', Body: 'x' }));
    await s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'osv/all.zip' }));
    const events = recordSdkCalls(new EventBridgeClient(config()), env);
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'artifact-guard', DetailType: 'x', Detail: '{}' }] }));
    // The document client shares its base client's middleware: its commands are recorded as DynamoDB operations.
    const ddb = DynamoDBDocumentClient.from(recordSdkCalls(new DynamoDBClient(config()), env));
    await ddb.send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } }));
    expect(read(file)).toEqual([
      { function: 'SbomStep', call: 's3:PutObject', iam: ['s3:PutObject', 's3:PutObjectRetention'] },
      { function: 'SbomStep', call: 's3:PutObject', iam: ['s3:PutObject'] },
      { function: 'SbomStep', call: 's3:HeadObject', iam: ['s3:GetObject'] },
      { function: 'SbomStep', call: 'events:PutEvents', iam: ['events:PutEvents'] },
      { function: 'SbomStep', call: 'dynamodb:PutItem', iam: ['dynamodb:PutItem'] },
    ]);
  });

  it("names Step Functions calls with IAM's prefix (states:), not the SDK's client name (SFN)", async () => {
    const file = path.join(dir, 'reconciler.jsonl');
    const env = { [RECORD_SDK_CALLS_ENV]: file, AWS_LAMBDA_FUNCTION_NAME: 'Reconciler' };
    await recordSdkCalls(new ECRClient(config()), env).send(new DescribeImagesCommand({ repositoryName: 'team/app', filter: { tagStatus: 'TAGGED' } }));
    await recordSdkCalls(new SFNClient(config()), env).send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:W', input: '{}' }));
    expect(read(file).map((c) => c.iam)).toEqual([['ecr:DescribeImages'], ['states:StartExecution']]);
  });

  it('adds nothing when the variable is not set', async () => {
    const file = path.join(dir, 'none.jsonl');
    const events = recordSdkCalls(new EventBridgeClient(config()), { AWS_LAMBDA_FUNCTION_NAME: 'X' });
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'artifact-guard', DetailType: 'x', Detail: '{}' }] }));
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('ecrActionsOfRegistryRequest', () => {
  const base = 'https://111111111111.dkr.ecr.eu-west-1.amazonaws.com/v2/team/app';
  const digest = `sha256:${'b'.repeat(64)}`;
  it.each([
    ['GET', `${base}/manifests/1.4.2`, ['ecr:BatchGetImage']],
    ['HEAD', `${base}/manifests/${digest}`, ['ecr:BatchGetImage']],
    ['PUT', `${base}/manifests/sha256-${'b'.repeat(64)}.sig`, ['ecr:PutImage']],
    ['GET', `${base}/blobs/${digest}`, ['ecr:GetDownloadUrlForLayer']],
    ['HEAD', `${base}/blobs/${digest}`, ['ecr:BatchCheckLayerAvailability']],
    ['POST', `${base}/blobs/uploads/`, ['ecr:InitiateLayerUpload']],
    ['PATCH', `${base}/blobs/uploads/0c7a`, ['ecr:UploadLayerPart']],
    ['PUT', `${base}/blobs/uploads/0c7a?digest=${digest}`, ['ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']],
    ['GET', `${base}/referrers/${digest}`, ['ecr:BatchGetImage']],
    ['GET', `${base}/tags/list`, ['ecr:ListImages']],
    ['GET', 'https://111111111111.dkr.ecr.eu-west-1.amazonaws.com/v2/', []],
    ['GET', 'https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/x', []],
  ])('%s %s needs %j', (method, url, actions) => {
    expect(ecrActionsOfRegistryRequest(method, url)).toEqual(actions);
  });

  it('marks a request it cannot map, so the comparison with the role fails instead of passing it', () => {
    expect(ecrActionsOfRegistryRequest('DELETE', `${base}/blobs/${digest}`)[0]).toMatch(/^ecr:UNMAPPED/);
    expect(ecrActionsOfRegistryRequest('GET', `${base}/_catalog`)[0]).toMatch(/^ecr:UNMAPPED/);
  });
});
