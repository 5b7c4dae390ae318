import * as fs from 'node:fs';

/**
 * When set (to a file path), every AWS SDK call a client of the adapters makes is appended to
 * that file as one JSON line: the Lambda function, the call (`service:Operation`) and the IAM
 * actions it needs. Local runs of the Lambda bundles use it to compare what each function does
 * with what its role grants (test/integration/lambda-bundles.test.ts). Never set in AWS.
 */
export const RECORD_SDK_CALLS_ENV = 'ARTIFACT_GUARD_RECORD_SDK_CALLS';

/** One recorded call. */
export interface RecordedSdkCall {
  /** `AWS_LAMBDA_FUNCTION_NAME` of the process (`local` outside a Lambda). */
  readonly function: string;
  /** `service:Operation` as the SDK names it, with the IAM service prefix (e.g. `s3:PutObject`). */
  readonly call: string;
  /** The IAM actions the call is authorized against. */
  readonly iam: readonly string[];
}

/** The IAM service prefix of each SDK client the adapters build. */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  DynamoDBClient: 'dynamodb',
  DynamoDBDocumentClient: 'dynamodb',
  S3Client: 's3',
  KMSClient: 'kms',
  ECRClient: 'ecr',
  EventBridgeClient: 'events',
  SNSClient: 'sns',
  SFNClient: 'states',
};

/** lib-dynamodb's document commands and the DynamoDB operations they send. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem' };

/**
 * The IAM actions an operation is authorized against, where they are not just its name (S3 API
 * reference, "Permissions" of each operation): HeadObject needs s3:GetObject; a PutObject that sets
 * an Object Lock retention or legal hold also needs s3:PutObjectRetention / s3:PutObjectLegalHold.
 */
export function iamActionsOf(call: string, input: Readonly<Record<string, unknown>>): string[] {
  if (call === 's3:HeadObject') return ['s3:GetObject'];
  if (call === 's3:PutObject') {
    return [
      's3:PutObject',
      ...(input.ObjectLockMode !== undefined || input.ObjectLockRetainUntilDate !== undefined ? ['s3:PutObjectRetention'] : []),
      ...(input.ObjectLockLegalHoldStatus !== undefined ? ['s3:PutObjectLegalHold'] : []),
    ];
  }
  return [call];
}

/** `service:Operation` from the names the SDK puts in a handler context. */
export function callName(clientName: string, commandName: string): string {
  const prefix = IAM_PREFIX[clientName] ?? clientName.replace(/Client$/, '').toLowerCase();
  const command = commandName.replace(/Command$/, '');
  return `${prefix}:${prefix === 'dynamodb' ? (DOCUMENT_COMMANDS[command] ?? command) : command}`;
}

type Next = (args: { input: object }) => Promise<unknown>;
type Context = { clientName?: string; commandName?: string };
/** The part of an SDK v3 client this module touches (structural: any client fits). */
interface WithMiddleware {
  readonly middlewareStack: {
    add(middleware: (next: Next, context: Context) => Next, options: { step: 'initialize'; name: string; override?: boolean }): void;
  };
}

/**
 * Adds the recording middleware to a client when `ARTIFACT_GUARD_RECORD_SDK_CALLS` is set, and
 * returns the client. Recorded once per command, before it is sent (retries are not recounted;
 * a call the role would refuse is recorded too, which is the point).
 */
export function recordSdkCalls<C extends WithMiddleware>(client: C, env: NodeJS.ProcessEnv = process.env): C {
  const file = env[RECORD_SDK_CALLS_ENV];
  if (!file) return client;
  const fn = env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = callName(context.clientName ?? 'unknown', context.commandName ?? 'unknown');
      const line: RecordedSdkCall = { function: fn, call, iam: iamActionsOf(call, args.input as Record<string, unknown>) };
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
      return next(args);
    },
    { step: 'initialize', name: 'artifactGuardRecordSdkCalls', override: true },
  );
  return client;
}

/**
 * The ECR IAM actions an OCI distribution API request is authorized against (ECR user guide,
 * "Amazon ECR repository policies" and the API reference; the referrers API needs
 * ecr:BatchGetImage). The ping and non-registry URLs (a blob's redirect to S3) need none.
 */
export function ecrActionsOfRegistryRequest(method: string, url: string): string[] {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return [`ecr:UNMAPPED(${method} ${url})`];
  }
  if (!pathname.startsWith('/v2/') || pathname === '/v2/') return [];
  const m = /^\/v2\/.+\/(manifests|blobs\/uploads|blobs|tags|referrers)(\/[^/]*)?\/?$/.exec(pathname);
  const kind = m?.[1];
  const verb = method.toUpperCase();
  const read = verb === 'GET' || verb === 'HEAD';
  // A request not in this table is marked, so that the comparison with the role fails on it.
  const unmapped = [`ecr:UNMAPPED(${verb} ${pathname})`];
  if (kind === 'manifests') return read ? ['ecr:BatchGetImage'] : verb === 'PUT' ? ['ecr:PutImage'] : verb === 'DELETE' ? ['ecr:BatchDeleteImage'] : unmapped;
  if (kind === 'blobs/uploads') return verb === 'POST' ? ['ecr:InitiateLayerUpload'] : verb === 'PATCH' ? ['ecr:UploadLayerPart'] : verb === 'PUT' ? ['ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'] : unmapped;
  if (kind === 'blobs') return verb === 'HEAD' ? ['ecr:BatchCheckLayerAvailability'] : verb === 'GET' ? ['ecr:GetDownloadUrlForLayer'] : unmapped;
  if (kind === 'tags' && read) return ['ecr:ListImages'];
  if (kind === 'referrers' && read) return ['ecr:BatchGetImage'];
  return unmapped;
}

/**
 * With `ARTIFACT_GUARD_RECORD_SDK_CALLS` set, a progress sink that records each registry request
 * (ECR's data plane is the OCI API, not the SDK) with the ECR IAM actions it needs; else undefined.
 */
export function registryRequestRecorder(env: NodeJS.ProcessEnv = process.env): { emit(event: { kind: string; service?: string; method?: string; url?: string }): void } | undefined {
  const file = env[RECORD_SDK_CALLS_ENV];
  if (!file) return undefined;
  const fn = env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
  return {
    emit: (event) => {
      if (event.kind !== 'request' || event.service !== 'registry' || !event.method || !event.url) return;
      const iam = ecrActionsOfRegistryRequest(event.method, event.url);
      if (!iam.length) return;
      const line: RecordedSdkCall = { function: fn, call: `registry:${event.method.toUpperCase()} ${new URL(event.url).pathname.replace(/\/(sha256:[0-9a-f]{64}|[0-9a-f-]{36})$/, '/…')}`, iam };
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    },
  };
}
