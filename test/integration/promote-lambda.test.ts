/**
 * The Promote Lambda's handler as deployed (issue 15 point 4), on the local registry and dynalite:
 * a Function URL request from the promoter role's principal is promoted (200) or refused (403, a
 * Policy Violation on the bus), the actor audited is the authenticated principal. KMS is the fake
 * doing real ECDSA; EventBridge a mock with the API's shapes (no local equivalent).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbRecordStore } from '../../lambdas/adapters/aws/dynamodb-record-store';
import type { LocalDynamo } from '../../lambdas/local/dynalite-server';
import { startLocalDynamo } from '../../lambdas/local/dynalite-server';
import { runCli } from '../support/cli';
import { FakeKms, KEY_ARN } from '../support/fake-kms';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
const [src, prod] = [uniqueRepo('lambda-src'), uniqueRepo('lambda-prod')];
const PROMOTER = 'arn:aws:sts::111122223333:assumed-role/PromoterRole/alice';
const events = mockClient(EventBridgeClient);
events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
/** Lambda's Invoke, answered by the Sign function's real handler (in this process, with its environment below). */
const lambdaInvoke = mockClient(LambdaClient);
lambdaInvoke.on(InvokeCommand).callsFake(async (input: { FunctionName?: string; Payload?: Uint8Array }) => {
  expect(input.FunctionName).toBe('artifact-guard-sign');
  const { handler } = await import('../../lambdas/handlers/sign');
  try {
    const out = await handler(JSON.parse(Buffer.from(input.Payload ?? []).toString('utf8')) as Parameters<typeof handler>[0]);
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(out)) };
  } catch (err) {
    const e = err as Error;
    return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: e.name, errorMessage: e.message })) };
  }
});
let kms: FakeKms;
let dynamo: LocalDynamo;
let work: string;

const lodash = (version: string) => [[{ path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version }) }]];
const urlEvent = (body: unknown) => ({ requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: PROMOTER } } }, body: JSON.stringify(body), isBase64Encoded: false });

beforeAll(async () => {
  kms = new FakeKms();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-promote-lambda-'));
  const keyFile = path.join(work, 'stack-key.pem');
  fs.writeFileSync(keyFile, kms.key.privatePem);
  const env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
  // The workflow, locally, signed with the stack key's private half (the fake KMS holds the same key).
  await pushTestImage(src, 'good', { layers: lodash('4.17.21') });
  await pushTestImage(src, 'high', { layers: lodash('4.17.15') });
  for (const tag of ['good', 'high']) expect((await runCli(['process', `${host}/${src}:${tag}`, '--osv-dir', RECORDS, '--fail-on', 'critical', '--key', keyFile, '-q'], env)).code).toBe(0);
  dynamo = await startLocalDynamo({ path: path.join(env.ARTIFACT_GUARD_HOME, 'records') });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    TABLE_NAME: dynamo.tableName,
    ALERT_BUS_NAME: 'alerts',
    SIGNING_KEY_ARN: KEY_ARN,
    SIGNER_FUNCTION: 'artifact-guard-sign',
    PROMOTION_TARGETS: `${host}/${prod}`,
    GATE_ENVIRONMENTS: JSON.stringify({ environments: { prod: { policy: { attestations: ['vuln'], vulnerabilities: { failOn: 'high' } }, repositories: [`${host}/${prod}`] } } }),
  });
}, 120_000);
afterAll(async () => {
  events.restore();
  lambdaInvoke.restore();
  await kms.close();
  await dynamo.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('Promote Lambda', () => {
  it('promotes for the promoter\'s principal (200) and audits it as the actor', async () => {
    const { handler } = await import('../../lambdas/handlers/promote');
    const res = (await handler(urlEvent({ reference: `${host}/${src}:good`, target: `${host}/${prod}:1.0`, environment: 'prod' }))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    const outcome = JSON.parse(res.body) as { promoted: boolean; digest: string; actor: string; signaturesAdded: number };
    expect(outcome).toMatchObject({ promoted: true, actor: PROMOTER, signaturesAdded: 1 });
    const trail = await new DynamoDbRecordStore(dynamo.client, dynamo.tableName).listEvents(`${host}/${prod}`, outcome.digest);
    expect(trail.find((e) => e.type === 'Promotion')?.detail).toMatchObject({ action: 'promote', actor: PROMOTER, outcome: 'promoted', tag: '1.0' });
    // Signed by the Sign function (the only holder of kms:Sign), asked by Promote for exactly the copy's manifest.
    expect(kms.stub.commandCalls((await import('@aws-sdk/client-kms')).SignCommand).length).toBe(1);
    const asked = lambdaInvoke.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as unknown);
    expect(asked).toEqual([{ approve: { identity: `${host}/${prod}`, digests: [outcome.digest] } }]);
  });

  it('the Sign function approves for the environments\' repositories only, and a workflow state is never read as an approval request', async () => {
    const { handler } = await import('../../lambdas/handlers/sign');
    const digest = `sha256:${'c'.repeat(64)}`;
    await expect(handler({ approve: { identity: `${host}/${src}`, digests: [digest] } })).rejects.toThrow(/environments' repositories only/);
    await expect(handler({ approve: { identity: `${host}/${prod}`, digests: ['sha256:nothex'] } })).rejects.toThrow(/not a sha256 digest/);
    await expect(handler({ approve: { identity: `${host}/${prod}`, digests: [] } })).rejects.toThrow(/1 to 256 digests/);
    const signed = await handler({ approve: { identity: `${host}/${prod}`, digests: [digest] } });
    expect(signed.signatures).toHaveLength(1);
    // A state with an `approve` key besides its own is the workflow's: Sign takes the workflow path (here without its evidence store) and signs nothing.
    const { SignCommand } = await import('@aws-sdk/client-kms');
    const before = kms.stub.commandCalls(SignCommand).length;
    await expect(handler({ approve: { identity: `${host}/${prod}`, digests: [digest] }, source: 'x' } as unknown as Parameters<typeof handler>[0])).rejects.toThrow(/EVIDENCE_BUCKET/);
    expect(kms.stub.commandCalls(SignCommand).length).toBe(before);
  });

  it('refuses (403) what fails the environment\'s policy: Policy Violation on the bus, nothing copied', async () => {
    const { handler } = await import('../../lambdas/handlers/promote');
    events.resetHistory();
    const res = (await handler(urlEvent({ reference: `${host}/${src}:high`, target: `${host}/${prod}:2.0`, environment: 'prod' }))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ promoted: false, reasons: [expect.stringMatching(/GHSA-p6mc-m468-83gw/)] });
    const sent = events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sent.map((e) => e.DetailType)).toEqual(['Policy Violation']);
    expect(JSON.parse(sent[0]?.Detail ?? '{}')).toMatchObject({ reason: 'promotion-refused', caller: PROMOTER, environment: 'prod' });
    const tags = await (await fetch(`http://${host}/v2/${prod}/tags/list`)).json() as { tags: string[] };
    expect(tags.tags).not.toContain('2.0');
  });
});
