import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { DynamoDbRecordStore } from '../../lambdas/adapters/aws/dynamodb-record-store';
import type { RecordedSdkCall } from '../../lambdas/adapters/aws/sdk-call-recorder';
import { RECORD_SDK_CALLS_ENV } from '../../lambdas/adapters/aws/sdk-call-recorder';
import { NOTIFYING_ALERTS } from '../../lambdas/core/alerts';
import type { LocalDynamo } from '../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../lambdas/local/dynalite-server';
import { runDefinition } from '../../lambdas/local/runner';
import { loadPublicKey } from '../../lambdas/signing/ecdsa';
import { verifyArtifact } from '../../lambdas/signing/verify-artifact';
import type { ScanSummary, SigningSummary } from '../../lambdas/workflow/state';
import { EventBridgeStandIn, KmsStandIn, S3StandIn, SnsStandIn } from '../support/aws-stand-ins';
import { KEY_ARN, MAC_KEY_ARN } from '../support/fake-kms';
import { pushTestImage, registrySource } from '../support/images';
import type { BundledFunction, Physical, TemplateJson } from '../support/lambda-bundles';
import { actionMatches, allowedActions, LambdaProcess, resolveValue, synthesizeGuard } from '../support/lambda-bundles';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { writeZip } from '../support/zip-writer';

/**
 * Issue 13 point 6 (a, b): deploy confidence without an account. The app is synthesized with
 * its Lambda code bundled (as `cdk synth` does), and every Lambda asset's index.js is run in a
 * fresh Node process with the environment the template gives it, its AWS SDK clients pointed at
 * local stand-ins: dynalite (DynamoDB), the Debian registry (ECR's OCI API), and
 * test/support/aws-stand-ins.ts (S3, KMS with real ECDSA/HMAC, EventBridge, SNS). The stack's own
 * state machine runs the workflow through the bundles end to end; the evidence check, the gate
 * and the alert mailer are invoked as their triggers would. Every SDK call and registry request
 * each function makes is recorded, and compared with its role in the synthesized template.
 *
 * Gaps (no local equivalent): ECR's GetAuthorizationToken is never called (the registry is not an
 * `*.dkr.ecr.*` host), and X-Ray and CloudWatch Logs are the Lambda runtime's, not the code's.
 */

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const TABLE = 'artifact-guard-records';
const EVIDENCE_BUCKET = 'artifact-guard-evidence';
const MIRROR = { bucket: 'osv-mirror', key: 'osv/all.zip' };
const BUS = 'artifact-guard-alerts';
const topicArn = (logicalId: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;

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
  return {
    ...vars,
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
    // Nothing listens there: a GetAuthorizationToken would fail the run, not reach AWS.
    AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:9',
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
  // The OSV mirror: npm records (the images below are npm-only, so the data covers them).
  const zip = writeZip([{ name: 'GHSA-vh95-rmgr-6w4m.json', data: fixtureRecord('GHSA-vh95-rmgr-6w4m') }]);
  s3.put(MIRROR.bucket, MIRROR.key, zip, 'application/zip');
  // The scan step keeps the mirror in /tmp by ETag: a copy from an earlier run would skip GetObject.
  fs.rmSync(`/tmp/osv-mirror-${createHash('md5').update(zip).digest('hex')}.zip`, { force: true });
}, 300_000);

afterAll(async () => {
  await Promise.all([...processes.values()].map((p) => p.close()));
  await Promise.all([dynamo?.close(), s3?.close(), kms?.close(), bus?.close(), sns?.close()]);
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

/**
 * Functions added with the ledger (issue 14) and the vulnerability watch (issue 16) that these runs
 * do not invoke through their bundles yet; their code runs in unit tests against dynalite. Left
 * for issue 13's point 6 to extend (README, "Before the first deploy").
 */
const NOT_YET_RUN = [/BuildRecorderFunction/, /PusherRecorderFunction/, /ReconcilerFunction/, /OsvWatchFunction/, /RescanFunction/];

describe('the Lambda bundles of cdk.out, run locally', () => {
  const host = testRegistry().host;
  const repo = uniqueRepo('bundles');
  const base = [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21","license":"MIT"}' }];
  let digest = '';

  it('synthesizes one bundle per function, each a single index.js', () => {
    expect(functions.size).toBeGreaterThanOrEqual(9);
    for (const fn of functions.values()) expect(fs.statSync(path.join(fn.assetDir, 'index.js')).size).toBeGreaterThan(1000);
    console.log(`synth with bundling: ${synthSeconds[0]?.toFixed(1)} s for ${functions.size} functions`);
  });

  it('runs the workflow end to end through the bundles: records, evidence in S3 (locked), a KMS signature that verifies, alerts on the bus', async () => {
    const image = await pushTestImage(repo, 'v1', { layers: [base, [{ path: 'app/main.js', content: 'console.log(1)' }]] });
    digest = image.manifest.descriptor.digest;
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

  it('every AWS call each function made is granted by its role, and every grant is used (or listed with why it cannot be here)', () => {
    // Every function of the template was loaded from its bundle and invoked above, but those the
    // ledger and the watch added, which no run here invokes yet (named, so the list cannot go stale).
    const notYetRun = [...functions.keys()].filter((id) => NOT_YET_RUN.some((re) => re.test(id)));
    expect(notYetRun).toHaveLength(NOT_YET_RUN.length);
    expect([...processes.keys()].sort()).toEqual([...functions.keys()].filter((id) => !notYetRun.includes(id)).sort());
    for (const id of notYetRun) functions.delete(id);
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
