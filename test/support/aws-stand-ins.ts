import { createHash, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KMSClientConfig } from '@aws-sdk/client-kms';
import { GenerateMacCommand, GetPublicKeyCommand, KMSClient, SignCommand, VerifyMacCommand } from '@aws-sdk/client-kms';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { FakeKms, KEY_ARN, MAC_KEY_ARN } from './fake-kms';

/**
 * HTTP stand-ins for the AWS APIs that have no local equivalent, for processes that reach AWS
 * through the SDK only (the Lambda bundles): S3 (REST, path-style), KMS, EventBridge and ECR
 * (JSON 1.1), Step Functions (JSON 1.0) and SNS (Query). Each speaks the wire format the AWS API
 * reference documents, for the operations the Lambdas call, and does the real work: objects are
 * stored and conditional writes refused, KMS signs with real ECDSA and MACs with real HMAC
 * (FakeKms), ECR's DescribeImages is answered from the local registry, executions, events and
 * messages are kept. Point an SDK at one with `AWS_ENDPOINT_URL_<SERVICE>`. DynamoDB is dynalite;
 * ECR's data plane the registry.
 */
export interface StandIn {
  readonly endpoint: string;
  close(): Promise<void>;
}

type Reply = { status: number; headers?: Record<string, string>; body?: string | Buffer };
type Handler = (req: http.IncomingMessage, body: Buffer) => Reply | Promise<Reply>;

async function serve(handler: Handler): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve()
        .then(() => handler(req, Buffer.concat(chunks)))
        .catch((err: unknown): Reply => ({ status: 500, body: `stand-in failed: ${(err as Error).stack ?? String(err)}` }))
        .then((reply) => {
          res.writeHead(reply.status, { 'x-amzn-requestid': randomUUID(), ...reply.headers });
          res.end(req.method === 'HEAD' ? undefined : reply.body);
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const xml = (status: number, inner: string): Reply => ({ status, headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${inner}` });
const s3Error = (status: number, code: string, message: string) => xml(status, `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`);

/** An `aws-chunked` body (SigV4 streaming with trailing checksum) back to its bytes. */
function decodeAwsChunked(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new Error('malformed aws-chunked body');
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new Error('malformed aws-chunked body');
    if (size === 0) return Buffer.concat(out);
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType?: string;
  readonly etag: string;
  /** Object Lock retention set as it was written (`x-amz-object-lock-*`). */
  readonly lock?: { readonly mode: string; readonly retainUntil: string };
  readonly lastModified: Date;
}

/**
 * One object as a Distributed Map's S3 ItemReader (`arn:aws:states:::s3:listObjectsV2`) hands it to
 * the item processor (Step Functions developer guide, ItemReader): the ListObjectsV2 entry, with
 * LastModified in epoch seconds.
 */
export interface ListedObjectItem {
  readonly Etag: string;
  readonly Key: string;
  readonly LastModified: number;
  readonly Size: number;
  readonly StorageClass: string;
}

/**
 * S3 REST (path-style: `/<bucket>/<key>`): PutObject (with `If-None-Match: *` and Object Lock
 * headers), GetObject, HeadObject. `writeOncePrefix` enforces the stack's `EvidenceIsWriteOnce`
 * bucket policy: a PutObject under it without `If-None-Match` is AccessDenied.
 */
export class S3StandIn implements StandIn {
  readonly objects = new Map<string, StoredObject>();
  private constructor(
    readonly endpoint: string,
    readonly close: () => Promise<void>,
  ) {}

  static async start(buckets: readonly string[], opts: { writeOncePrefix?: string } = {}): Promise<S3StandIn> {
    const ref: { self?: S3StandIn } = {};
    const { endpoint, close } = await serve((req, body) => (ref.self as S3StandIn).handle(new Set(buckets), opts, req, body));
    ref.self = new S3StandIn(endpoint, close);
    return ref.self;
  }

  put(bucket: string, key: string, body: Buffer, contentType?: string): void {
    this.objects.set(`${bucket}/${key}`, { body, ...(contentType ? { contentType } : {}), etag: `"${createHash('md5').update(body).digest('hex')}"`, lastModified: new Date() });
  }

  /** The bucket's objects under `prefix` in ListObjectsV2 order (UTF-8 binary order of keys), as a Distributed Map's items. */
  listItems(bucket: string, prefix: string): ListedObjectItem[] {
    const keys = [...this.objects.keys()].filter((id) => id.startsWith(`${bucket}/${prefix}`)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return keys.map((id) => {
      const o = this.objects.get(id) as StoredObject;
      return { Etag: o.etag, Key: id.slice(bucket.length + 1), LastModified: Math.floor(o.lastModified.getTime() / 1000), Size: o.body.length, StorageClass: 'STANDARD' };
    });
  }

  private handle(buckets: Set<string>, opts: { writeOncePrefix?: string }, req: http.IncomingMessage, raw: Buffer): Reply {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!buckets.has(bucket)) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (!key) return s3Error(501, 'NotImplemented', 'bucket-level operations are not served by this stand-in');
    const id = `${bucket}/${key}`;
    const existing = this.objects.get(id);
    const objectHeaders = (o: StoredObject): Record<string, string> => ({
      'content-type': o.contentType ?? 'binary/octet-stream',
      'content-length': String(o.body.length),
      etag: o.etag,
      'last-modified': o.lastModified.toUTCString(),
    });
    switch (req.method) {
      case 'PUT': {
        if (url.searchParams.size > 0 && !url.searchParams.has('x-id')) return s3Error(501, 'NotImplemented', `sub-resource ${url.search} is not served by this stand-in`);
        const conditional = req.headers['if-none-match'] === '*';
        if (opts.writeOncePrefix && key.startsWith(opts.writeOncePrefix) && !conditional) return s3Error(403, 'AccessDenied', 'Access Denied (EvidenceIsWriteOnce)');
        if (conditional && existing) return s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        const body = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ? decodeAwsChunked(raw) : raw;
        const mode = req.headers['x-amz-object-lock-mode'];
        const until = req.headers['x-amz-object-lock-retain-until-date'];
        const stored: StoredObject = {
          body,
          ...(typeof req.headers['content-type'] === 'string' ? { contentType: req.headers['content-type'] } : {}),
          etag: `"${createHash('md5').update(body).digest('hex')}"`,
          ...(typeof mode === 'string' && typeof until === 'string' ? { lock: { mode, retainUntil: until } } : {}),
          lastModified: new Date(),
        };
        this.objects.set(id, stored);
        return { status: 200, headers: { etag: stored.etag } };
      }
      case 'GET':
      case 'HEAD':
        if (!existing) return req.method === 'HEAD' ? { status: 404 } : s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
        return { status: 200, headers: objectHeaders(existing), body: existing.body };
      default:
        return s3Error(405, 'MethodNotAllowed', `${req.method ?? ''} is not served by this stand-in`);
    }
  }
}

type JsonVersion = '1.0' | '1.1';
const json = (status: number, doc: unknown, version: JsonVersion = '1.1'): Reply => ({ status, headers: { 'content-type': `application/x-amz-json-${version}` }, body: JSON.stringify(doc) });
const jsonError = (status: number, type: string, message: string, version: JsonVersion = '1.1'): Reply => ({
  ...json(status, { __type: type, message }, version),
  headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-errortype': type },
});

/** Uint8Array members of an SDK output as the JSON protocol carries them (base64). */
function toWire(output: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(output).filter(([k]) => k !== '$metadata').map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v]));
}

/**
 * KMS (JSON 1.1, `X-Amz-Target: TrentService.<Operation>`) over FakeKms: Sign, GetPublicKey and
 * DescribeKey on the signing key (`KEY_ARN`), GenerateMac and VerifyMac on the HMAC key
 * (`MAC_KEY_ARN`); any other key is NotFoundException, any other operation UnknownOperationException.
 */
export class KmsStandIn implements StandIn {
  readonly fake = new FakeKms();
  readonly calls: string[] = [];
  private constructor(
    readonly endpoint: string,
    private readonly stop: () => Promise<void>,
  ) {}

  static async start(): Promise<KmsStandIn> {
    const ref: { self?: KmsStandIn } = {};
    const { endpoint, close } = await serve((req, body) => (ref.self as KmsStandIn).handle(req, body));
    ref.self = new KmsStandIn(endpoint, close);
    return ref.self;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.fake.close();
  }

  private async handle(req: http.IncomingMessage, body: Buffer): Promise<Reply> {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    this.calls.push(op);
    const blob = (name: string) => (typeof input[name] === 'string' ? new Uint8Array(Buffer.from(input[name], 'base64')) : undefined);
    const keyId = String(input.KeyId ?? '');
    const signingKey = keyId === KEY_ARN;
    const macKey = keyId === MAC_KEY_ARN;
    // FakeKms stubs KMSClient in this process: this client never leaves it.
    const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } satisfies KMSClientConfig);
    try {
      switch (op) {
        case 'Sign':
          if (!signingKey) break;
          return json(200, toWire(await client.send(new SignCommand({ KeyId: keyId, Message: blob('Message'), MessageType: input.MessageType as 'DIGEST', SigningAlgorithm: input.SigningAlgorithm as 'ECDSA_SHA_256' }))));
        case 'GetPublicKey':
          if (!signingKey) break;
          return json(200, toWire(await client.send(new GetPublicKeyCommand({ KeyId: keyId }))));
        case 'DescribeKey':
          if (!signingKey && !macKey) break;
          return json(200, {
            KeyMetadata: signingKey
              ? { KeyId: KEY_ARN, Arn: KEY_ARN, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'], Enabled: true, KeyState: 'Enabled' }
              : { KeyId: MAC_KEY_ARN, Arn: MAC_KEY_ARN, KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', MacAlgorithms: ['HMAC_SHA_256'], Enabled: true, KeyState: 'Enabled' },
          });
        case 'GenerateMac':
          if (!macKey) break;
          return json(200, toWire(await client.send(new GenerateMacCommand({ KeyId: keyId, Message: blob('Message'), MacAlgorithm: input.MacAlgorithm as 'HMAC_SHA_256' }))));
        case 'VerifyMac':
          if (!macKey) break;
          return json(200, toWire(await client.send(new VerifyMacCommand({ KeyId: keyId, Message: blob('Message'), Mac: blob('Mac'), MacAlgorithm: input.MacAlgorithm as 'HMAC_SHA_256' }))));
        default:
          return jsonError(400, 'UnknownOperationException', `KMS stand-in does not serve ${op}`);
      }
      return jsonError(400, 'NotFoundException', `Key '${keyId}' does not exist`);
    } catch (err) {
      return jsonError(400, (err as Error).name, (err as Error).message);
    }
  }
}

export interface PutEvent {
  /** The EventId PutEvents answered (the delivered event's `id`). */
  readonly id: string;
  /** The entry's Time, else when it was put (the delivered event's `time`). */
  readonly time: string;
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

/** EventBridge PutEvents (JSON 1.1, `AWSEvents.PutEvents`); entries for a bus it does not know fail as EventBridge fails them. */
export class EventBridgeStandIn implements StandIn {
  readonly events: PutEvent[] = [];
  private constructor(
    readonly endpoint: string,
    readonly close: () => Promise<void>,
  ) {}

  static async start(buses: readonly string[]): Promise<EventBridgeStandIn> {
    const ref: { self?: EventBridgeStandIn } = {};
    const { endpoint, close } = await serve((req, body) => {
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') return jsonError(400, 'UnknownOperationException', `EventBridge stand-in does not serve ${String(req.headers['x-amz-target'])}`);
      const { Entries = [] } = JSON.parse(body.toString('utf8')) as { Entries?: { EventBusName?: string; Source: string; DetailType: string; Detail: string; Time?: number }[] };
      const results = Entries.map((e) => {
        const bus = e.EventBusName ?? 'default';
        if (!buses.includes(bus)) return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
        const id = randomUUID();
        // Time travels as epoch seconds (JSON protocol timestamps); events carry it at second precision.
        const time = new Date(typeof e.Time === 'number' ? e.Time * 1000 : Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        (ref.self as EventBridgeStandIn).events.push({ id, time, bus, source: e.Source, detailType: e.DetailType, detail: JSON.parse(e.Detail) as Record<string, unknown> });
        return { EventId: id };
      });
      return json(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
    });
    ref.self = new EventBridgeStandIn(endpoint, close);
    return ref.self;
  }
}

/** SNS Publish (Query protocol, XML answers). */
export class SnsStandIn implements StandIn {
  readonly messages: { topicArn: string; subject?: string; message: string }[] = [];
  private constructor(
    readonly endpoint: string,
    readonly close: () => Promise<void>,
  ) {}

  static async start(topicArns: readonly string[]): Promise<SnsStandIn> {
    const ref: { self?: SnsStandIn } = {};
    const { endpoint, close } = await serve((_req, body) => {
      const form = new URLSearchParams(body.toString('utf8'));
      const requestId = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
      const fault = (code: string, message: string) => xml(code === 'NotFound' ? 404 : 400, `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      if (form.get('Action') !== 'Publish') return fault('InvalidAction', `SNS stand-in does not serve ${form.get('Action') ?? ''}`);
      const topicArn = form.get('TopicArn') ?? '';
      if (!topicArns.includes(topicArn)) return fault('NotFound', 'Topic does not exist');
      const subject = form.get('Subject');
      (ref.self as SnsStandIn).messages.push({ topicArn, ...(subject ? { subject } : {}), message: form.get('Message') ?? '' });
      return xml(200, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>${requestId}</PublishResponse>`);
    });
    ref.self = new SnsStandIn(endpoint, close);
    return ref.self;
  }
}

/** One `imageDetails` entry of ECR's DescribeImages (ECR API reference, ImageDetail). */
interface ImageDetail {
  readonly registryId: string;
  readonly repositoryName: string;
  readonly imageDigest: string;
  readonly imageTags: string[];
  readonly imageSizeInBytes: number;
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  readonly imagePushedAt: number;
  readonly imageManifestMediaType: string;
}

/**
 * ECR's control plane (JSON 1.1, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`):
 * DescribeImages only, answered from the local registry (its tags and manifests) for the
 * repositories it is started with; an unknown repository is RepositoryNotFoundException, any other
 * operation (GetAuthorizationToken included) UnknownOperationException. A registry lists tags
 * only, so untagged images are never described (`filter.tagStatus` UNTAGGED is refused).
 */
export class EcrStandIn implements StandIn {
  readonly calls: string[] = [];
  /** When the stand-in first saw each digest: the registry does not say when it was pushed. */
  private readonly seen = new Map<string, number>();
  private constructor(
    readonly endpoint: string,
    readonly close: () => Promise<void>,
  ) {}

  static async start(registryHost: string, account: string, repositories: readonly string[]): Promise<EcrStandIn> {
    const ref: { self?: EcrStandIn } = {};
    const registry = new RegistryClient({ registry: registryHost });
    const { endpoint, close } = await serve((req, body) => (ref.self as EcrStandIn).handle(registry, account, new Set(repositories), req, body));
    ref.self = new EcrStandIn(endpoint, close);
    return ref.self;
  }

  private async handle(registry: RegistryClient, account: string, repositories: Set<string>, req: http.IncomingMessage, body: Buffer): Promise<Reply> {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonEC2ContainerRegistry_V20150921\./, '');
    this.calls.push(op);
    if (op !== 'DescribeImages') return jsonError(400, 'UnknownOperationException', `ECR stand-in does not serve ${op}`);
    const input = JSON.parse(body.toString('utf8') || '{}') as { repositoryName?: string; registryId?: string; maxResults?: number; nextToken?: string; imageIds?: unknown; filter?: { tagStatus?: string } };
    const repository = input.repositoryName ?? '';
    if (!repositories.has(repository) || (input.registryId !== undefined && input.registryId !== account)) {
      return jsonError(400, 'RepositoryNotFoundException', `The repository with name '${repository}' does not exist in the registry with id '${input.registryId ?? account}'`);
    }
    if (input.imageIds !== undefined) return jsonError(400, 'InvalidParameterException', 'ECR stand-in: imageIds are not served');
    if (input.filter?.tagStatus === 'UNTAGGED') return jsonError(400, 'InvalidParameterException', 'ECR stand-in: a registry cannot list untagged images');
    const max = input.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 1000) return jsonError(400, 'InvalidParameterException', 'maxResults must be from 1 to 1000');
    const byDigest = new Map<string, ImageDetail>();
    for (const tag of (await registry.listTags(repository)).sort()) {
      const m = await registry.getManifest(repository, tag);
      const known = byDigest.get(m.digest);
      if (known) {
        known.imageTags.push(tag);
        continue;
      }
      const doc = JSON.parse(m.bytes.toString('utf8')) as { layers?: { size?: number }[] };
      if (!this.seen.has(m.digest)) this.seen.set(m.digest, Math.floor(Date.now() / 1000));
      byDigest.set(m.digest, {
        registryId: account,
        repositoryName: repository,
        imageDigest: m.digest,
        imageTags: [tag],
        imageSizeInBytes: (doc.layers ?? []).reduce((n, l) => n + (l.size ?? 0), 0),
        imagePushedAt: this.seen.get(m.digest) ?? 0,
        imageManifestMediaType: m.mediaType,
      });
    }
    const all = [...byDigest.values()];
    const from = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(from) || from < 0 || from > all.length) return jsonError(400, 'InvalidParameterException', 'Invalid NextToken');
    const page = all.slice(from, from + max);
    const next = from + max < all.length ? Buffer.from(String(from + max)).toString('base64') : undefined;
    return json(200, { imageDetails: page, ...(next ? { nextToken: next } : {}) });
  }
}

/** One StartExecution the Step Functions stand-in accepted. */
export interface StartedExecution {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly executionArn: string;
  readonly input: unknown;
  readonly startDate: number;
}

/**
 * Step Functions (JSON 1.0, `X-Amz-Target: AWSStepFunctions.StartExecution`): StartExecution for
 * the state machines it is started with, keeping each execution's input. As for a Standard
 * workflow (API reference, StartExecution): the same name with the same input answers the first
 * start again; with another input it is ExecutionAlreadyExists. Executions never end here.
 */
export class SfnStandIn implements StandIn {
  readonly executions: StartedExecution[] = [];
  private constructor(
    readonly endpoint: string,
    readonly close: () => Promise<void>,
  ) {}

  static async start(stateMachineArns: readonly string[]): Promise<SfnStandIn> {
    const ref: { self?: SfnStandIn } = {};
    const { endpoint, close } = await serve((req, body) => (ref.self as SfnStandIn).handle(new Set(stateMachineArns), req, body));
    ref.self = new SfnStandIn(endpoint, close);
    return ref.self;
  }

  private handle(machines: Set<string>, req: http.IncomingMessage, body: Buffer): Reply {
    const fail = (type: string, message: string) => jsonError(400, type, message, '1.0');
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    if (op !== 'StartExecution') return fail('UnknownOperationException', `Step Functions stand-in does not serve ${op}`);
    const request = JSON.parse(body.toString('utf8') || '{}') as { stateMachineArn?: string; name?: string; input?: string };
    const arn = request.stateMachineArn ?? '';
    if (!machines.has(arn)) return fail('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    const name = request.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) return fail('InvalidName', `Invalid Name: '${name}'`);
    let input: unknown = {};
    try {
      input = JSON.parse(request.input ?? '{}');
    } catch {
      return fail('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
    }
    const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const earlier = this.executions.find((e) => e.executionArn === executionArn);
    if (earlier) {
      if (JSON.stringify(earlier.input) !== JSON.stringify(input)) return fail('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      return json(200, { executionArn, startDate: earlier.startDate }, '1.0');
    }
    const started: StartedExecution = { stateMachineArn: arn, name, executionArn, input, startDate: Date.now() / 1000 };
    this.executions.push(started);
    return json(200, { executionArn, startDate: started.startDate }, '1.0');
  }
}
