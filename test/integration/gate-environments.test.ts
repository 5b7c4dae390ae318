/** Environments at the gate (issue 15, points 1 and 2): the same decision code as the deployed gate, on the local ledger. */
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDbRecordStore } from '../../lambdas/adapters/aws/dynamodb-record-store';
import { parseEnvironments, environmentsToDocument, environmentsFrom } from '../../lambdas/gate/environments';
import { startLocalDynamo } from '../../lambdas/local/dynalite-server';
import { expectOneErrorLine, runCli } from '../support/cli';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
let work: string;
let env: Record<string, string>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gate-env-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const lodash = (version: string) => [[{ path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version }) }]];

function environments(prodRepo: string): string {
  return [
    'environments:',
    '  dev:',
    '    policy: { attestations: [vuln], vulnerabilities: { failOn: critical } }',
    '  prod:',
    '    policy: { attestations: [slsaprovenance1, vuln], vulnerabilities: { failOn: high } }',
    `    repositories: [${prodRepo}]`,
    '',
  ].join('\n');
}

describe('gate --env on the local ledger', () => {
  it('allows in dev and denies in prod an image with a HIGH finding; every decision is audited', async () => {
    const repo = uniqueRepo('gate');
    // lodash 4.17.15: GHSA-p6mc-m468-83gw is HIGH; the workflow's threshold here is critical, so it is signed.
    const image = await pushTestImage(repo, 'v1', { layers: lodash('4.17.15') });
    const digest = image.manifest.descriptor.digest;
    fs.mkdirSync(env.ARTIFACT_GUARD_HOME as string, { recursive: true });
    fs.writeFileSync(path.join(env.ARTIFACT_GUARD_HOME as string, 'environments.yaml'), environments(`${host}/${repo}`));
    const processed = await runCli(['process', `${host}/${repo}:v1`, '--osv-dir', RECORDS, '--fail-on', 'critical', '-q'], env);
    expect(processed.code).toBe(0);

    const dev = await runCli(['gate', `${host}/${repo}:v1`, '--env', 'dev', '-o', 'json', '-q'], env);
    expect(dev.code).toBe(0);
    expect(JSON.parse(dev.stdout)).toMatchObject({ allowed: true, environment: 'dev', digest, caller: `local:${os.userInfo().username}`, policySource: 'gate' });

    const prod = await runCli(['gate', `${host}/${repo}@${digest}`, '--env', 'prod', '-q'], env);
    expect(prod.code).toBe(1);
    expect(prod.stderr).toMatch(/vulnerabilities: 1 unsuppressed finding at or above high .*GHSA-p6mc-m468-83gw/);

    const alerts = fs.readFileSync(path.join(env.ARTIFACT_GUARD_HOME as string, 'alerts.jsonl'), 'utf8');
    expect(alerts).toMatch(/"detail-type":"Signature Verification Failed".*to prod denied/);

    const dynamo = await startLocalDynamo({ path: path.join(env.ARTIFACT_GUARD_HOME as string, 'records') });
    try {
      const trail = await new DynamoDbRecordStore(dynamo.client, dynamo.tableName).listEvents(`${host}/${repo}`, digest);
      const decisions = trail.filter((e) => e.type === 'GateDecision').map((e) => [e.detail.environment, e.detail.allowed]);
      expect(decisions.sort()).toEqual([['dev', true], ['prod', false]]);
    } finally {
      await dynamo.close();
    }
  });

  it('denies an artifact the ledger does not know, and one outside the environment\'s repositories', async () => {
    const repo = uniqueRepo('gate');
    await pushTestImage(repo, 'v1', { layers: lodash('4.17.21') });
    fs.mkdirSync(env.ARTIFACT_GUARD_HOME as string, { recursive: true });
    fs.writeFileSync(path.join(env.ARTIFACT_GUARD_HOME as string, 'environments.yaml'), environments(`${host}/somewhere-else`));
    // Signed by hand with the development key but never processed: the ledger says no.
    expect((await runCli(['process', `${host}/${repo}:v1`, '--osv-dir', RECORDS, '-q'], { ...env, ARTIFACT_GUARD_HOME: path.join(work, 'other-home') })).code).toBe(0);
    fs.copyFileSync(path.join(work, 'other-home', 'dev-signing-key.pub'), path.join(env.ARTIFACT_GUARD_HOME as string, 'dev-signing-key.pub'));
    const unknown = await runCli(['gate', `${host}/${repo}:v1`, '--env', 'dev', '-q'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ledger: .* was not processed by Artifact Guard/);

    expect((await runCli(['process', `${host}/${repo}:v1`, '--osv-dir', RECORDS, '-q'], env)).code).toBe(0);
    const outside = await runCli(['gate', `${host}/${repo}:v1`, '--env', 'prod', '-q'], env);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/environment prod: .* is not one of its repositories .*promote the artifact there first/);
  });

  it('names unknown environments and refuses a bad environments document', async () => {
    fs.mkdirSync(env.ARTIFACT_GUARD_HOME as string, { recursive: true });
    const file = path.join(work, 'envs.yaml');
    fs.writeFileSync(file, environments('localhost:5000/prod'));
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(path.join(env.ARTIFACT_GUARD_HOME as string, 'dev-signing-key.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const unknown = await runCli(['gate', 'localhost:5000/app:1', '--env', 'qa', '--environments', file], env);
    expect(unknown.code).toBe(2);
    expect(expectOneErrorLine(unknown)).toContain('unknown environment "qa" (defined: dev, prod)');
    fs.writeFileSync(file, 'environments:\n  prod:\n    policy: { vulnerabilities: { failOn: severe } }\n');
    const bad = await runCli(['gate', 'localhost:5000/app:1', '--env', 'prod', '--environments', file], env);
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad)).toMatch(/environments.prod.policy vulnerabilities.failOn must be one of/);
  });
});

describe('environments documents', () => {
  it('round-trip, validate names, keys, policies and repositories', () => {
    const envs = parseEnvironments('environments:\n  dev:\n    policy: { attestations: [vuln] }\n  prod:\n    policy: { maxAge: 7d, vulnerabilities: { failOn: high } }\n    repositories: [ghcr.io/org/app]\n', 'x.yaml');
    expect([...envs.keys()]).toEqual(['dev', 'prod']);
    expect(envs.get('prod')?.repositories).toEqual(['ghcr.io/org/app']);
    expect(environmentsFrom(environmentsToDocument(envs))).toEqual(envs);
    for (const [doc, message] of [
      ['environments: {}', /no environment is defined/],
      ['environments:\n  Prod:\n    policy: {}', /environment name is lowercase/],
      ['environments:\n  prod:\n    repositories: [a/b]', /has no policy/],
      ['environments:\n  prod:\n    policy: { attestations: [vuln] }\n    repos: []', /unknown key "repos"/],
      ['environments:\n  prod:\n    policy: { attestations: [vuln] }\n    repositories: ["not a repo!"]', /is not a repository name/],
      ['a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d]', /alias|Excessive/i],
    ] as const) {
      expect(() => parseEnvironments(doc, 'x.yaml')).toThrow(message);
    }
  });
});
