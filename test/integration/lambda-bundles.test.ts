import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDbLedgerStore } from '../../lambdas/adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../../lambdas/adapters/aws/dynamodb-record-store';
import { DynamoDbScanHistory } from '../../lambdas/adapters/aws/dynamodb-scan-history';
import { EventBridgeBuildPublisher } from '../../lambdas/adapters/aws/eventbridge-build-publisher';
import type { RecordedSdkCall } from '../../lambdas/adapters/aws/sdk-call-recorder';
import { RECORD_SDK_CALLS_ENV } from '../../lambdas/adapters/aws/sdk-call-recorder';
import { NOTIFYING_ALERTS } from '../../lambdas/core/alerts';
import type { LocalDynamo } from '../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../lambdas/local/dynalite-server';
import { inlineDefinition, runRescan } from '../../lambdas/local/rescan-runner';
import { runDefinition } from '../../lambdas/local/runner';
import { loadPublicKey } from '../../lambdas/signing/ecdsa';
import { verifyArtifact } from '../../lambdas/signing/verify-artifact';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import type { ScanSummary, SigningSummary } from '../../lambdas/workflow/state';
import type { RescanBatchInput, RescanBatchResult } from '../../lambdas/workflow/watch/rescan-batch';
import { artifactsOf } from '../../lambdas/workflow/watch/rescan-batch';
import type { RunWatchSummary } from '../../lambdas/workflow/watch/run-watch';
import type { ListedObjectItem } from '../support/aws-stand-ins';
import { EcrStandIn, EventBridgeStandIn, KmsStandIn, S3StandIn, SfnStandIn, SnsStandIn } from '../support/aws-stand-ins';
import { expectValidEvent, eventSchemas } from '../support/event-schemas';
import { KEY_ARN, MAC_KEY_ARN } from '../support/fake-kms';
import { pushTestImage, registrySource } from '../support/images';
import type { BundledFunction, Physical, TemplateJson } from '../support/lambda-bundles';
import { actionMatches, allowedActions, LambdaProcess, matchesEventPattern, resolveValue, synthesizeGuard } from '../support/lambda-bundles';
import { OsvExportServer } from '../support/osv-export-server';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { writeZip } from '../support/zip-writer';

/**
 * Issue 13 point 6 (a, b): deploy confidence without an account. The app is synthesized with
 * its Lambda code bundled (as `cdk synth` does), and every Lambda asset's index.js is run in a
 * fresh Node process with the environment the template gives it, its AWS SDK clients pointed at
 * local stand-ins: dynalite (DynamoDB), the Debian registry (ECR's OCI API), and
 * test/support/aws-stand-ins.ts (S3, KMS with real ECDSA/HMAC, EventBridge, SNS, ECR's
 * DescribeImages from the registry, Step Functions' StartExecution), and osv.dev's exports
 * (test/support/osv-export-server.ts). The stack's own state machine runs the workflow through the
 * bundles end to end; every other function (evidence check, gate, alert mailer, build and pusher
 * recorders, reconciler, OSV watch, full re-scan batch) is invoked with the event its trigger in
 * the template delivers. Every SDK call and registry request each function makes is recorded, and
 * compared with its role in the synthesized template.
 *
 * Gaps (no local equivalent): ECR's GetAuthorizationToken is never called (the registry is not an
 * `*.dkr.ecr.*` host), X-Ray and CloudWatch Logs are the Lambda runtime's, not the code's, and the
 * FullRescan Map's listing and batching are the local runner's (lambdas/local/rescan-runner.ts).
 * Two variables are local on purpose: REGISTRY_HOST (the local registry stands for the account's
 * ECR host) and, for the OSV watch, OSV_EXPORT_URL (the local export server stands for osv.dev).
 */

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const TABLE = 'artifact-guard-records';
const EVIDENCE_BUCKET = 'artifact-guard-evidence';
const MIRROR = { bucket: 'osv-mirror', key: 'osv/all.zip' };
const BUS = 'artifact-guard-alerts';
const topicArn = (logicalId: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
const stateMachineArn = (logicalId: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${logicalId}`;
/** The guarded repository (the stack creates one, its name chosen by CloudFormation): here, a repository of the local registry. */
const REPO = uniqueRepo('bundles');

/** Repository.grantPull grants ECR's pull set whole; this step reads blobs by GET, never HEAD. */
const PULL_HEAD = "in ECR's pull permission set (Repository.grantPull); this function reads blobs by GET only (a trim candidate)";
/** configureAsyncInvoke's on-failure destination: Lambda sends there with the function's role, not the code. */
const ASYNC_DESTINATION = Object.fromEntries(
  ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((a) => [a, "Lambda's asynchronous invocation sends failed events to the dead-letter queue with the function's role; no call of the code"]),
);

/**
 * Grants a local run cannot exercise, each with why (everything else granted must be used).
 * Keyed by the function's construct id (`ResolveStep`, `VerifyGate`, …) or `*`.
 */
const UNEXERCISED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '*': {
    'ecr:GetAuthorizationToken': 'asked only for *.dkr.ecr.* registry hosts; the local registry is 127.0.0.1 (tested with the SDK\'s shapes in test/unit/adapters/aws-adapters.test.ts)',
    'logs:CreateLogStream': 'used by the Lambda runtime to write the function\'s logs, not by its code',
    'logs:PutLogEvents': 'used by the Lambda runtime to write the function\'s logs, not by its code',
    'xray:PutTraceSegments': 'used by the X-Ray daemon of active tracing, not by the code',
    'xray:PutTelemetryRecords': 'used by the X-Ray daemon of active tracing, not by the code',
  },
  BuildRecorder: ASYNC_DESTINATION,
  PusherRecorder: ASYNC_DESTINATION,
  AlertMailer: {
    ...ASYNC_DESTINATION,
    'kms:Decrypt': 'SNS uses the alert topic\'s key with the publisher\'s permissions (server-side encryption): no SDK call of the mailer',
    'kms:GenerateDataKey*': 'SNS uses the alert topic\'s key with the publisher\'s permissions (server-side encryption): no SDK call of the mailer',
  },
  ResolveStep: { 'ecr:BatchCheckLayerAvailability': PULL_HEAD },
  SbomStep: { 'ecr:BatchCheckLayerAvailability': 'HEAD of a foreign (non-distributable) layer, to see whether the registry holds it; the test images have none' },
  VerifyGate: { 'ecr:BatchCheckLayerAvailability': PULL_HEAD },
  EvidenceCheck: {
    'ecr:BatchCheckLayerAvailability': PULL_HEAD,
    ...ASYNC_DESTINATION,
  },
  AttachStep: {
    'ecr:GetDownloadUrlForLayer': 'reads the layers of an existing .att to replace an attestation of the same type by the same key; a digest processed once has none',
  },
};

let outdir: string;
let template: TemplateJson;
let functions: Map<string, BundledFunction>;
let dynamo: LocalDynamo;
let s3: S3StandIn;
let kms: KmsStandIn;
let bus: EventBridgeStandIn;
let sns: SnsStandIn;
let ecr: EcrStandIn;
let sfn: SfnStandIn;
let osv: OsvExportServer;
let callsFile: string;
const processes = new Map<string, LambdaProcess>();
const synthSeconds: number[] = [];

function constructIdOf(logicalId: string): string {
  const p = (template.Resources[logicalId]?.Metadata?.['aws:cdk:path'] as string | undefined) ?? '';
  // ArtifactGuard/ArtifactGuard/<Id>/Function/Resource
  return p.split('/').slice(-3)[0] ?? logicalId;
}

const physical: Physical = {
  region: REGION,
  account: ACCOUNT,
  ref: (logicalId, type) => {
    if (type === 'AWS::DynamoDB::Table') return TABLE;
    if (type === 'AWS::S3::Bucket') return EVIDENCE_BUCKET;
    if (type === 'AWS::Events::EventBus') return BUS;
    if (type === 'AWS::SNS::Topic') return topicArn(logicalId);
    if (type === 'AWS::ECR::Repository') return REPO;
    if (type === 'AWS::StepFunctions::StateMachine') return stateMachineArn(logicalId);
    // A function's name: its logical id here, as AWS_LAMBDA_FUNCTION_NAME below.
    if (type === 'AWS::Lambda::Function') return logicalId;
    throw new Error(`no local stand-in for Ref of ${type} ${logicalId}`);
  },
  getAtt: (logicalId, attribute, resource) => {
    if (resource.Type === 'AWS::KMS::Key' && attribute === 'Arn') {
      const spec = resource.Properties?.KeySpec;
      if (spec === 'ECC_NIST_P256') return KEY_ARN;
      if (spec === 'HMAC_256') return MAC_KEY_ARN;
    }
    throw new Error(`no local stand-in for GetAtt ${logicalId}.${attribute} (${resource.Type})`);
  },
};

/** The function's environment in Lambda: the template's variables plus what the runtime sets; AWS endpoints are the stand-ins. */
function lambdaEnvironment(fn: BundledFunction): Record<string, string> {
  const vars = Object.fromEntries(Object.entries(fn.environment).map(([k, v]) => [k, resolveValue(v, template, physical)]));
  // The account's ECR registry host (from pseudo parameters): here, the local registry stands for it.
  if (vars.REGISTRY_HOST !== undefined) vars.REGISTRY_HOST = testRegistry().host;
  return {
    ...vars,
    // osv.dev's export bucket (the watch's default) is the local export server.
    ...(vars.OSV_MIRROR_PREFIX !== undefined ? { OSV_EXPORT_URL: osv.url } : {}),
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_SFN: sfn.endpoint,
    // DescribeImages only: a GetAuthorizationToken fails the run there, it never reaches AWS.
    AWS_ENDPOINT_URL_ECR: ecr.endpoint,
    // The nodejs22.x runtime provides the AWS SDK (the bundles leave @aws-sdk/* external).
    NODE_PATH: path.join(__dirname, '../../node_modules'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: outdir,
    [RECORD_SDK_CALLS_ENV]: callsFile,
  };
}

async function lambda(constructId: string): Promise<LambdaProcess> {
  const fn = [...functions.values()].find((f) => constructIdOf(f.logicalId) === constructId);
  if (!fn) throw new Error(`no function ${constructId} in the template`);
  let proc = processes.get(fn.logicalId);
  if (!proc) {
    proc = await LambdaProcess.start(fn, lambdaEnvironment(fn));
    processes.set(fn.logicalId, proc);
  }
  return proc;
}

/** Task state → the function its ARN names (the definition's placeholders carry logical ids). */
async function runThroughBundles(input: Record<string, unknown>) {
  const definition = JSON.parse(fs.readFileSync(path.join(__dirname, '../../lambdas/workflow/state-machine.asl.json'), 'utf8')) as { States: Record<string, { Resource?: string }> };
  const procs = new Map<string, LambdaProcess>();
  for (const [state, s] of Object.entries(definition.States)) {
    const logicalId = s.Resource?.split(':function:')[1];
    if (!logicalId) continue;
    const fn = functions.get(logicalId);
    if (!fn) throw new Error(`task ${state} names ${logicalId}, which the synthesized template does not hold`);
    procs.set(state, await lambda(constructIdOf(logicalId)));
  }
  const out = await runDefinition(input, (state) => (payload) => (procs.get(state) as LambdaProcess).invoke(payload));
  if (out.status !== 'SUCCEEDED') throw new Error(`workflow failed: ${out.error}: ${out.cause}`);
  return out.output;
}

function recorded(): RecordedSdkCall[] {
  if (!fs.existsSync(callsFile)) return [];
  return fs.readFileSync(callsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedSdkCall);
}

function fixtureRecord(id: string): Buffer {
  return fs.readFileSync(path.join(__dirname, '../fixtures/osv/records', `${id}.json`));
}

const osvRecord = (id: string) => JSON.parse(fixtureRecord(id).toString('utf8')) as OsvRecord;

/** The logical id of the one resource of `type` whose construct path ends with `/<id>/Resource`. */
function resourceNamed(type: string, id: string): string {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type && String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(`/${id}/Resource`));
  if (found.length !== 1) throw new Error(`${found.length} resources ${type} named ${id} in the template`);
  return (found[0] as [string, unknown])[0];
}

/** A rule's event pattern with its intrinsics (the guarded repositories' names) resolved. */
function eventPatternOf(ruleId: string): Record<string, unknown> {
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('Ref' in o || 'Fn::GetAtt' in o || 'Fn::Join' in o) return resolveValue(v, template, physical);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
    }
    return v;
  };
  return resolve(template.Resources[resourceNamed('AWS::Events::Rule', ruleId)]?.Properties?.EventPattern) as Record<string, unknown>;
}

/** An event as EventBridge delivers it to a Lambda target (the event envelope). */
function envelope(e: { id: string; time: string; source: string; detailType: string; detail: unknown; resources?: string[] }) {
  return { version: '0', id: e.id, 'detail-type': e.detailType, source: e.source, account: ACCOUNT, time: e.time, region: REGION, resources: e.resources ?? [], detail: e.detail };
}

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bundles-'));
  callsFile = path.join(outdir, 'sdk-calls.jsonl');
  const t0 = Date.now();
  ({ template, functions } = synthesizeGuard(path.join(outdir, 'cdk.out'), {
    osvMirror: `s3://${MIRROR.bucket}/${MIRROR.key}`,
    alertEmail: 'security@example.com',
    // The fixture's minimist advisory is MODERATE: it fails the verdict at MEDIUM.
    severityThreshold: 'MEDIUM',
    slackWorkspaceId: 'T0123ABCD',
    slackChannelId: 'C0123ABCD',
  }));
  synthSeconds.push((Date.now() - t0) / 1000);
  dynamo = await startLocalDynamo({ tableName: TABLE });
  s3 = await S3StandIn.start([EVIDENCE_BUCKET, MIRROR.bucket], { writeOncePrefix: 'evidence/' });
  kms = await KmsStandIn.start();
  bus = await EventBridgeStandIn.start([BUS]);
  const topics = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic').map(([id]) => topicArn(id));
  sns = await SnsStandIn.start(topics);
  ecr = await EcrStandIn.start(testRegistry().host, ACCOUNT, [REPO]);
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine').map(([id]) => stateMachineArn(id));
  sfn = await SfnStandIn.start(machines);
  osv = await new OsvExportServer().start();
  // The OSV mirror: npm records (the images below are npm-only, so the data covers them).
  const zip = writeZip([{ name: 'GHSA-vh95-rmgr-6w4m.json', data: fixtureRecord('GHSA-vh95-rmgr-6w4m') }]);
  s3.put(MIRROR.bucket, MIRROR.key, zip, 'application/zip');
  // The scan step keeps the mirror in /tmp by ETag: a copy from an earlier run would skip GetObject.
  fs.rmSync(`/tmp/osv-mirror-${createHash('md5').update(zip).digest('hex')}.zip`, { force: true });
}, 300_000);

afterAll(async () => {
  await Promise.all([...processes.values()].map((p) => p.close()));
  await Promise.all([dynamo?.close(), s3?.close(), kms?.close(), bus?.close(), sns?.close(), ecr?.close(), sfn?.close(), osv?.close()]);
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

describe('the Lambda bundles of cdk.out, run locally', () => {
  const host = testRegistry().host;
  const repo = REPO;
  // lodash 4.17.10: no record of the workflow's mirror names it; the OSV watch's exports do (GHSA-p6mc-m468-83gw, GHSA-4xc9-xhrj-v574).
  const base = [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.10","license":"MIT"}' }];
  // v1's labels name the commit it was built from; the CI report below names another.
  const labels = { 'org.opencontainers.image.revision': '1111111111111111111111111111111111111111', 'org.opencontainers.image.source': 'https://git.example.com/shop/app' };
  let digest = '';
  let manifest = '';
  let missedDigest = '';

  it('synthesizes one bundle per function, each a single index.js', () => {
    expect(functions.size).toBeGreaterThanOrEqual(9);
    for (const fn of functions.values()) expect(fs.statSync(path.join(fn.assetDir, 'index.js')).size).toBeGreaterThan(1000);
    console.log(`synth with bundling: ${synthSeconds[0]?.toFixed(1)} s for ${functions.size} functions`);
  });

  it('runs the workflow end to end through the bundles: records, evidence in S3 (locked), a KMS signature that verifies, alerts on the bus', async () => {
    const image = await pushTestImage(repo, 'v1', { layers: [base, [{ path: 'app/main.js', content: 'console.log(1)' }]], labels });
    digest = image.manifest.descriptor.digest;
    manifest = image.manifest.bytes.toString('utf8');
    const output = await runThroughBundles({ source: `registry:${host}/${repo}:v1` });
    const scan = output.scan as ScanSummary;
    expect(scan.verdict).toBe('pass');
    expect(JSON.stringify(scan)).toContain(`s3://${MIRROR.bucket}/${MIRROR.key}`);
    const signing = output.signing as SigningSummary;
    expect(signing).toMatchObject({ signed: true, identity: `${host}/${repo}`, keyId: KEY_ARN });
    // The signature was made by the KMS stand-in's key, through the bundle's KMS client.
    const pub = loadPublicKey(kms.fake.key.publicKey.export({ type: 'spki', format: 'pem' }), 'kms');
    expect((await verifyArtifact({ source: registrySource(repo, 'v1'), keys: [{ name: 'kms', key: pub }] })).allowed).toBe(true);
    expect(kms.calls).toEqual(expect.arrayContaining(['GetPublicKey', 'Sign', 'GenerateMac']));
    const records = new DynamoDbRecordStore(dynamo.client, TABLE);
    expect(await records.isProcessed(`${host}/${repo}`, digest)).toBe(true);
    const evidence = [...s3.objects.entries()].filter(([k]) => k.startsWith(`${EVIDENCE_BUCKET}/evidence/`));
    expect(evidence.length).toBeGreaterThanOrEqual(4);
    for (const [, o] of evidence) expect(o.lock?.mode).toBe('GOVERNANCE');
    expect([...s3.objects.keys()].some((k) => k.startsWith(`${EVIDENCE_BUCKET}/layer-cache/`))).toBe(true);
    expect(bus.events.map((e) => [e.bus, e.source, e.detailType])).toContainEqual([BUS, 'artifact-guard', 'Artifact Processed']);
  });

  it('reads a shared layer from the authenticated cache on the next image (VerifyMac) and skips a digest already processed', async () => {
    await pushTestImage(repo, 'v2', { layers: [base, [{ path: 'app/main.js', content: 'console.log(2)' }]] });
    const before = kms.calls.filter((c) => c === 'VerifyMac').length;
    await runThroughBundles({ source: `registry:${host}/${repo}:v2` });
    expect(kms.calls.filter((c) => c === 'VerifyMac').length).toBeGreaterThan(before);
    const again = await runThroughBundles({ source: `registry:${host}/${repo}:v1` });
    expect(again.artifact).toMatchObject({ digest, duplicate: true });
  });

  it('alerts people through the mailer bundle: a vulnerable image fails, and its alert is published to the topic and chat', async () => {
    await pushTestImage(repo, 'vuln', { layers: [[{ path: 'app/node_modules/minimist/package.json', content: '{"name":"minimist","version":"1.2.0"}' }]] });
    const seen = bus.events.length;
    const output = await runThroughBundles({ source: `registry:${host}/${repo}:vuln` });
    expect((output.scan as ScanSummary).verdict).toBe('fail');
    const notifying = bus.events.slice(seen).filter((e) => (NOTIFYING_ALERTS as readonly string[]).includes(e.detailType));
    expect(notifying.map((e) => e.detailType)).toContain('Vulnerabilities Found');
    const mailer = await lambda('AlertMailer');
    for (const e of notifying) {
      // As the AlertsToPeople rule delivers it: an EventBridge event envelope.
      await mailer.invoke({ version: '0', id: 'e1', 'detail-type': e.detailType, source: e.source, account: ACCOUNT, region: REGION, time: new Date().toISOString(), resources: [], detail: e.detail });
    }
    expect(sns.messages.map((m) => m.subject)).toContainEqual(expect.stringContaining('vulnerabilities'));
    expect(new Set(sns.messages.map((m) => m.topicArn)).size).toBe(2);
  });

  it('answers the deploy gate from the gate bundle and checks an evidence push with the evidence-check bundle', async () => {
    const gate = await lambda('VerifyGate');
    const decision = (await gate.invoke({ reference: `${host}/${repo}@${digest}` })) as { allowed: boolean; reasons: string[] };
    expect(decision).toMatchObject({ allowed: true });
    // The failed image was not signed: denied, and the denial alerts.
    const seen = bus.events.length;
    expect(await gate.invoke({ reference: `${host}/${repo}:vuln` })).toMatchObject({ allowed: false });
    expect(bus.events.slice(seen).map((e) => e.detailType)).toContain('Signature Verification Failed');
    const check = await lambda('EvidenceCheck');
    const sigTag = `${digest.replace(':', '-')}.sig`;
    const result = (await check.invoke({ source: `registry:${host}/${repo}:${sigTag}`, tag: sigTag })) as { record: { policyViolation?: unknown } };
    expect(result.record.policyViolation).toBeUndefined();
    // A runnable image parked under a tag that only looks like evidence is a policy violation.
    await pushTestImage(repo, 'sha256-parked', { layers: [[{ path: 'bin/tool', content: 'runnable' }]] });
    const seen2 = bus.events.length;
    const parked = (await check.invoke({ source: `registry:${host}/${repo}:sha256-parked`, tag: 'sha256-parked' })) as { record: { policyViolation?: unknown } };
    expect(parked.record.policyViolation).toBeDefined();
    expect(bus.events.slice(seen2).map((e) => e.detailType)).toContain('Policy Violation');
    // A push that is no evidence at all (the rule never sends one): resolved as the workflow would, then refused.
    const stray = (await check.invoke({ source: `registry:${host}/${repo}:v1`, tag: 'v1' })) as { artifact: { evidence?: { valid: boolean } }; record: { policyViolation?: unknown } };
    expect(stray.artifact.evidence?.valid).toBe(false);
    expect(stray.record.policyViolation).toBeDefined();
  });

  it('records a CI build report from the bus through the build-recorder bundle: in the ledger, joined to v1, whose labels disagree (Policy Violation)', async () => {
    // What `artifact-guard record-build --bus` puts on the stack's bus (the same publisher), delivered as the OnBuildRecorded rule delivers it.
    const client = new EventBridgeClient({ region: REGION, endpoint: bus.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const report = { status: 'succeeded' as const, commit: '2222222222222222222222222222222222222222', source: 'https://git.example.com/shop/app', buildId: '812', pipeline: 'shop-app', author: 'dev@example.com', digests: [digest] };
    await new EventBridgeBuildPublisher(client, BUS).publish(report);
    client.destroy();
    const sent = bus.events.at(-1);
    if (!sent) throw new Error('the build report did not reach the bus');
    expectValidEvent(eventSchemas(), sent.detailType, sent.detail);
    const event = envelope(sent);
    expect(matchesEventPattern(eventPatternOf('OnBuildRecorded'), event)).toBe(true);
    const seen = bus.events.length;
    const recorder = await lambda('BuildRecorder');
    expect(await recorder.invoke(event)).toEqual({ outcome: 'created', linked: 1 });
    const ledger = new DynamoDbLedgerStore(dynamo.client, TABLE);
    expect(await ledger.getBuild('shop-app', '812')).toMatchObject({ commit: report.commit, digests: [digest], reportedBy: `eventbridge:${ACCOUNT}` });
    expect((await ledger.buildsOf(digest)).map((b) => b.buildId)).toEqual(['812']);
    const violation = bus.events.slice(seen).find((e) => e.detailType === 'Policy Violation');
    expectValidEvent(eventSchemas(), 'Policy Violation', violation?.detail);
    expect(violation?.detail).toMatchObject({ reason: 'provenance-mismatch', digest, mismatches: [{ field: 'revision', label: labels['org.opencontainers.image.revision'], build: report.commit }] });
    // At-least-once delivery: the same event again changes nothing and alerts no one.
    const again = bus.events.length;
    expect(await recorder.invoke(event)).toEqual({ outcome: 'exists', linked: 1 });
    expect(bus.events.length).toBe(again);
  });

  it("records who pushed v1 from CloudTrail's PutImage event through the pusher-recorder bundle", async () => {
    const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/ci-pusher/gha-812`;
    // `AWS API Call via CloudTrail` for ecr:PutImage (CloudTrail record contents, ECR's PutImage request and response).
    const detail = {
      eventVersion: '1.08',
      userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLE:gha-812', arn: principal, accountId: ACCOUNT, sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/ci-pusher`, accountId: ACCOUNT, userName: 'ci-pusher' } } },
      eventTime: '2026-03-01T08:59:58Z',
      eventSource: 'ecr.amazonaws.com',
      eventName: 'PutImage',
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.7',
      userAgent: 'docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0 os/linux arch/amd64',
      requestParameters: { repositoryName: repo, imageTag: 'v1', registryId: ACCOUNT, imageManifest: manifest },
      responseElements: { image: { repositoryName: repo, registryId: ACCOUNT, imageManifest: manifest, imageId: { imageDigest: digest, imageTag: 'v1' } } },
      requestID: 'c7c1b4a4-5f8e-4a63-9a55-0a6b5c1b7e01',
      eventID: 'c0ffee00-0000-4000-8000-000000000001',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    };
    const event = envelope({ id: 'evb-put-1', time: '2026-03-01T08:59:59Z', source: 'aws.ecr', detailType: 'AWS API Call via CloudTrail', detail });
    expect(matchesEventPattern(eventPatternOf('OnPutImage'), event)).toBe(true);
    const recorder = await lambda('PusherRecorder');
    expect(await recorder.invoke(event)).toEqual({ outcome: 'created' });
    expect(await recorder.invoke(event)).toEqual({ outcome: 'exists' });
    const pushers = await new DynamoDbLedgerStore(dynamo.client, TABLE).pushersOf(digest);
    expect(pushers).toEqual([expect.objectContaining({ principal, digest, tag: 'v1', sourceIp: '203.0.113.7', eventId: detail.eventID })]);
  });

  it('reconciles through the reconciler bundle: DescribeImages finds a digest no event brought, StartExecution starts the workflow for it alone, and the workflow takes its input', async () => {
    // A Python image: the workflow's mirror has no PyPI data, so its scan will be incomplete (PyPI pending).
    const missed = await pushTestImage(repo, 'missed', { layers: [[{ path: 'usr/lib/python3/site-packages/urllib3-1.22.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.22\n' }]] });
    missedDigest = missed.manifest.descriptor.digest;
    const schedule = template.Resources[resourceNamed('AWS::Scheduler::Schedule', 'ReconcileSchedule')]?.Properties?.Target as { Input?: string } | undefined;
    // The schedule sets no Input: Scheduler then sends its "default notification"; the handler reads nothing from it.
    const input: unknown = schedule?.Input ? JSON.parse(schedule.Input) : {};
    const reconciler = await lambda('Reconciler');
    const summary = (await reconciler.invoke(input)) as { listed: number; processed: number; evidence: number; started: number; failed: number };
    expect(summary).toMatchObject({ started: 1, failed: 0 });
    // v1, v2 and vuln are processed; signatures, attestations and the parked image are evidence.
    expect(summary.processed).toBeGreaterThanOrEqual(3);
    expect(summary.evidence).toBeGreaterThanOrEqual(3);
    expect(ecr.calls).toContain('DescribeImages');
    expect(sfn.executions).toHaveLength(1);
    const [execution] = sfn.executions;
    expect(execution?.stateMachineArn).toBe(stateMachineArn(resourceNamed('AWS::StepFunctions::StateMachine', 'Workflow')));
    expect(execution?.input).toMatchObject({ source: `${host}/${repo}@${missedDigest}`, tag: 'missed' });
    // The started execution, run: its input is one the workflow accepts.
    const output = await runThroughBundles(execution?.input as Record<string, unknown>);
    expect(output.artifact).toMatchObject({ digest: missedDigest, duplicate: false });
    expect((output.scan as ScanSummary).verdict).toBe('incomplete');
    const records = new DynamoDbRecordStore(dynamo.client, TABLE);
    expect(await records.isProcessed(`${host}/${repo}`, missedDigest)).toBe(true);
    expect(await reconciler.invoke(input)).toMatchObject({ started: 0, failed: 0 });
    expect(sfn.executions).toHaveLength(1);
  });

  it('keeps the OSV mirror through the osv-watch bundle: the PyPI data re-evaluates the incomplete image, and a record published later raises a new finding for the images holding its package', async () => {
    osv.publish('npm', osvRecord('GHSA-vh95-rmgr-6w4m'), osvRecord('GHSA-p6mc-m468-83gw'));
    osv.publish('PyPI', osvRecord('PYSEC-2018-32'));
    const rule = resourceNamed('AWS::Events::Rule', 'Schedule');
    // As a schedule rule delivers it (EventBridge's Scheduled Event).
    const tick = () => envelope({ id: randomUUID(), time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), source: 'aws.events', detailType: 'Scheduled Event', detail: {}, resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${rule}`] });
    const watch = await lambda('OsvWatch');
    const first = (await watch.invoke(tick())) as RunWatchSummary;
    // The ecosystems of the component index, each taken whole the first time.
    expect(first.ecosystems.map((e) => [e.ecosystem, e.mode])).toEqual([['PyPI', 'full'], ['npm', 'full']]);
    expect(first.failed).toEqual([]);
    expect(s3.objects.has(`${EVIDENCE_BUCKET}/osv-mirror/mirror.json`)).toBe(true);
    // The image left incomplete for want of PyPI data is re-scanned now that the data is here.
    expect(first.reevaluated).toBe(1);
    const scans = new DynamoDbScanHistory(dynamo.client, TABLE);
    expect(await scans.newest(`${host}/${repo}`, missedDigest)).toMatchObject({ trigger: 'reevaluate', added: [expect.objectContaining({ id: 'PYSEC-2018-32' })] });
    // A record published since (modified after the mirror's newest): the next run takes it incrementally and matches it.
    osv.publish('npm', osvRecord('GHSA-4xc9-xhrj-v574'));
    const seen = bus.events.length;
    const second = (await watch.invoke(tick())) as RunWatchSummary;
    expect(second.ecosystems.map((e) => [e.ecosystem, e.mode])).toEqual([['PyPI', 'incremental'], ['npm', 'incremental']]);
    expect(second.changedRecords).toBe(1);
    const found = bus.events.slice(seen).filter((e) => e.detailType === 'Vulnerabilities Found');
    const forV1 = found.find((e) => e.detail.digest === digest);
    expectValidEvent(eventSchemas(), 'Vulnerabilities Found', forV1?.detail);
    expect(forV1?.detail).toMatchObject({ newSincePush: true, tags: expect.arrayContaining(['v1']) });
    expect(JSON.stringify(forV1?.detail.findings)).toContain('GHSA-4xc9-xhrj-v574');
    expect(await scans.newest(`${host}/${repo}`, digest)).toMatchObject({ trigger: 'watch', added: [expect.objectContaining({ id: 'GHSA-4xc9-xhrj-v574' })] });
  });

  it('re-scans every stored SBOM through the rescan bundle, fed as the FullRescan Distributed Map feeds it: a SCANS# entry each, and what the watch never matched is found', async () => {
    // The Map's task names the Rescan function of the template.
    const { definition, taskState, mapState } = inlineDefinition();
    const task = (definition.States as Record<string, { ItemProcessor: { States: Record<string, { Resource?: string }> } }>)[mapState]?.ItemProcessor.States[taskState];
    const logicalId = task?.Resource?.split(':function:')[1] ?? '';
    expect(constructIdOf(logicalId)).toBe('Rescan');
    // The ItemReader's listing (ListObjectsV2 under evidence/), each batch's Items as S3 lists them; the
    // ItemBatcher sets no BatchInput, so a batch is `{ Items }` alone.
    const raw = fs.readFileSync(path.join(__dirname, '../../lambdas/workflow/watch/rescan.asl.json'), 'utf8');
    expect(raw).not.toContain('BatchInput');
    const items = new Map<string, ListedObjectItem>(s3.listItems(EVIDENCE_BUCKET, 'evidence/').map((i) => [i.Key, i]));
    const rescan = await lambda('Rescan');
    const seen = bus.events.length;
    // The runner cuts the keys into the definition's batches; each batch goes to the bundle with its listed objects whole.
    const listed = (key: string): ListedObjectItem => {
      const item = items.get(key);
      if (!item) throw new Error(`${key} is not in the listing`);
      return item;
    };
    const results = await runRescan([...items.keys()], (batch: RescanBatchInput) => rescan.invoke({ Items: batch.Items.map((i) => listed(i.Key)) }) as Promise<RescanBatchResult>);
    const total = results.reduce((n, r) => ({ items: n.items + r.items, rescanned: n.rescanned + r.rescanned }), { items: 0, rescanned: 0 });
    expect(total.items).toBe(items.size);
    // v1, v2, vuln and the reconciled image, each with a new entry in its scan history (SCANS#…).
    const artifacts = artifactsOf([...items.keys()]);
    expect(artifacts.map((a) => a.digest)).toEqual(expect.arrayContaining([digest, missedDigest]));
    expect(total.rescanned).toBe(4);
    expect(artifacts).toHaveLength(4);
    const scans = new DynamoDbScanHistory(dynamo.client, TABLE);
    for (const a of artifacts) expect(await scans.newest(a.repository, a.digest)).toMatchObject({ trigger: 'rescan' });
    const newest = await scans.newest(`${host}/${repo}`, digest);
    // GHSA-p6mc-m468-83gw came with the mirror's first (full) sync, which the watch does not match: the re-scan finds it.
    expect(newest?.added.map((f) => f.id)).toEqual(['GHSA-p6mc-m468-83gw']);
    const alert = bus.events.slice(seen).find((e) => e.detailType === 'Vulnerabilities Found' && e.detail.digest === digest);
    expect(JSON.stringify(alert?.detail.findings)).toContain('GHSA-p6mc-m468-83gw');
  });

  it('every AWS call each function made is granted by its role, and every grant is used (or listed with why it cannot be here)', () => {
    // Every function of the template was loaded from its bundle and invoked above.
    expect([...processes.keys()].sort()).toEqual([...functions.keys()].sort());
    const calls = recorded();
    expect(calls.length).toBeGreaterThan(20);
    const report: string[] = [];
    for (const fn of functions.values()) {
      const id = constructIdOf(fn.logicalId);
      const granted = allowedActions(template, fn.roleId);
      const mine = calls.filter((c) => c.function === fn.logicalId);
      const needed = [...new Set(mine.flatMap((c) => c.iam))].sort();
      for (const action of needed) if (!granted.some((g) => actionMatches(g, action))) report.push(`${id}: calls ${action} (${mine.filter((c) => c.iam.includes(action)).map((c) => c.call)[0]}), which its role does not grant`);
      const excused = { ...UNEXERCISED['*'], ...UNEXERCISED[id] };
      for (const g of granted) {
        if (needed.some((a) => actionMatches(g, a))) continue;
        if (excused[g] !== undefined) continue;
        report.push(`${id}: its role grants ${g}, which no call used`);
      }
      // An excuse for a grant that is used after all, or not granted, is stale.
      for (const g of Object.keys(UNEXERCISED[id] ?? {})) if (!granted.includes(g) || needed.some((a) => actionMatches(g, a))) report.push(`${id}: stale allow-list entry ${g}`);
    }
    console.log(
      [...functions.values()]
        .map((fn) => `${constructIdOf(fn.logicalId)}: ${[...new Set(calls.filter((c) => c.function === fn.logicalId).flatMap((c) => c.iam))].sort().join(' ')}`)
        .join('\n'),
    );
    expect(report).toEqual([]);
  });
});
