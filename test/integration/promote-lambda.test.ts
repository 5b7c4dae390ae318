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
    GATE_ENVIRONMENTS: JSON.stringify({ environments: { prod: { policy: { attestations: ['vuln'], vulnerabilities: { failOn: 'high' } }, repositories: [`${host}/${prod}`] } } }),
  });
}, 120_000);
afterAll(async () => {
  events.restore();
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
    expect(kms.stub.commandCalls((await import('@aws-sdk/client-kms')).SignCommand).length).toBeGreaterThan(0);
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
