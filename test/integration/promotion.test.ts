/**
 * Promotion (issue 15 points 4 and 7) on the local registry and the embedded ledger: refused where
 * the gate denies, copied by digest with every child, signature, attestation and referrer where
 * it allows, verifiable in the target (verify --identity SOURCE, and for the target's own name),
 * resumable after an interruption without duplicates, every decision and promotion audited.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDbRecordStore } from '../../lambdas/adapters/aws/dynamodb-record-store';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import { localApprover } from '../../lambdas/signing/approvals';
import { parseEnvironments } from '../../lambdas/gate/environments';
import { createPromotion } from '../../lambdas/gate/promotion';
import { createVerifyGate } from '../../lambdas/gate/verify-gate';
import { startLocalDynamo } from '../../lambdas/local/dynalite-server';
import { buildImage, buildIndex, pushImage } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import { openSource } from '../../lambdas/oci/open-source';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import type { Alert } from '../../lambdas/ports/alert-sink';
import { InMemoryMetrics } from '../../lambdas/ports/metrics';
import { loadPublicKey } from '../../lambdas/signing/ecdsa';
import { runCli } from '../support/cli';
import { pushTestImage, registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
let work: string;
let env: Record<string, string>;
let home: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-promote-'));
  home = path.join(work, 'home');
  env = { ARTIFACT_GUARD_HOME: home, ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
  fs.mkdirSync(home);
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const lodash = (version: string) => [{ path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version }) }];

function writeEnvironments(dev: string, prod: string): string {
  const text = [
    'environments:',
    '  dev:',
    '    policy: { attestations: [vuln], vulnerabilities: { failOn: critical } }',
    `    repositories: [${dev}]`,
    '  prod:',
    '    policy: { attestations: [slsaprovenance1, vuln], vulnerabilities: { failOn: high } }',
    `    repositories: [${prod}]`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(home, 'environments.yaml'), text);
  return text;
}

async function trail(repository: string, digest: string) {
  const dynamo = await startLocalDynamo({ path: path.join(home, 'records') });
  try {
    return await new DynamoDbRecordStore(dynamo.client, dynamo.tableName).listEvents(repository, digest);
  } finally {
    await dynamo.close();
  }
}

async function sigLayers(repo: string, digest: string): Promise<number> {
  const m = await new RegistryClient({ registry: host }).getManifest(repo, `${digest.replace(':', '-')}.sig`);
  return m.manifest.kind === 'manifest' ? m.manifest.layers.length : -1;
}

describe('promote', () => {
  it('a digest that passes dev but fails prod (a HIGH finding) is promoted to dev only; refusals alert; all audited', async () => {
    const [src, dev, prod] = [uniqueRepo('app'), uniqueRepo('app-dev'), uniqueRepo('app-prod')];
    const image = await pushTestImage(src, 'v1', { layers: [lodash('4.17.15')] });
    const digest = image.manifest.descriptor.digest;
    writeEnvironments(`${host}/${dev}`, `${host}/${prod}`);

    const noKey = await runCli(['promote', `${host}/${src}:v1`, '--to', `${host}/${dev}`, '--env', 'dev', '-q'], env);
    expect(noKey.code).toBe(2); // no development key yet: an error, never a pass
    expect((await runCli(['process', `${host}/${src}:v1`, '--osv-dir', RECORDS, '--fail-on', 'critical', '-q'], env)).code).toBe(0);
    // A digest with no evidence: denied with reasons, nothing copied.
    await pushTestImage(src, 'unprocessed', { layers: [lodash('4.17.21'), [{ path: 'x', content: 'x' }]] });
    const bare = await runCli(['promote', `${host}/${src}:unprocessed`, '--to', `${host}/${dev}`, '--env', 'dev', '-q'], env);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/was not processed by Artifact Guard/);
    expect(bare.stderr).toMatch(/no signature|signature/i);
    expect(await new RegistryClient({ registry: host }).listTags(dev)).toEqual([]);

    const toProd = await runCli(['promote', `${host}/${src}:v1`, '--to', `${host}/${prod}`, '--env', 'prod', '-q'], env);
    expect(toProd.code).toBe(1);
    expect(toProd.stderr).toMatch(/refused .* into .*app-prod.*\n.*GHSA-p6mc-m468-83gw/);
    expect(await new RegistryClient({ registry: host }).headManifest(prod, digest)).toBeUndefined();
    const alerts = fs.readFileSync(path.join(home, 'alerts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { 'detail-type': string; detail: Record<string, unknown> });
    expect(alerts.filter((a) => a['detail-type'] === 'Policy Violation').map((a) => a.detail)).toContainEqual(expect.objectContaining({ reason: 'promotion-refused', environment: 'prod', digest }));
    expect(alerts.filter((a) => a['detail-type'] === 'Signature Verification Failed')).toEqual([]); // one alert per refusal

    const toDev = await runCli(['promote', `${host}/${src}:v1`, '--to', `${host}/${dev}`, '--env', 'dev', '-o', 'json', '-q'], env);
    expect(toDev.code).toBe(0);
    expect(JSON.parse(toDev.stdout)).toMatchObject({ promoted: true, digest, tag: 'v1', signaturesAdded: 1 });

    const pub = path.join(home, 'dev-signing-key.pub');
    // The copied signature names the source; the promotion's own names the target.
    expect((await runCli(['verify', `${host}/${dev}:v1`, '--key', pub, '--identity', `${host}/${src}`, '-q'], env)).code).toBe(0);
    expect((await runCli(['verify', `${host}/${dev}:v1`, '--key', pub, '-q'], env)).code).toBe(0);
    expect((await runCli(['gate', `${host}/${dev}:v1`, '--env', 'dev', '-q'], env)).code).toBe(0);

    const sourceTrail = await trail(`${host}/${src}`, digest);
    expect(sourceTrail.filter((e) => e.type === 'Promotion').map((e) => e.detail)).toEqual([expect.objectContaining({ action: 'promote', outcome: 'refused', environment: 'prod', actor: `local:${os.userInfo().username}` })]);
    expect(sourceTrail.filter((e) => e.type === 'GateDecision').map((e) => [e.detail.environment, e.detail.allowed]).sort()).toEqual([['dev', true], ['prod', false]]);
    const devTrail = await trail(`${host}/${dev}`, digest);
    expect(devTrail.filter((e) => e.type === 'Promotion').map((e) => e.detail)).toEqual([expect.objectContaining({ action: 'promote', outcome: 'promoted', source: `${host}/${src}@${digest}`, tag: 'v1' })]);
    expect(devTrail.some((e) => e.type === 'GateDecision' && e.detail.allowed === true)).toBe(true);

    // The same, as an auditor reads it: `artifact-guard audit` over the audit index.
    const promotions = await runCli(['audit', '--action', 'promote', '-o', 'json'], env);
    expect(promotions.code).toBe(0);
    const entries = JSON.parse(promotions.stdout) as { actor: string; action: string; target: string; outcome: string }[];
    expect(entries.every((e) => e.action === 'promote' && e.actor === `local:${os.userInfo().username}`)).toBe(true);
    expect(entries.filter((e) => e.outcome === 'promoted').map((e) => e.target)).toEqual([`${host}/${dev}@${digest}`]);
    expect(entries.filter((e) => e.outcome === 'refused').map((e) => e.target)).toContain(`${host}/${src}@${digest}`);
    const gates = JSON.parse((await runCli(['audit', '--action', 'gate', '-o', 'json'], env)).stdout) as { target: string; outcome: string }[];
    expect(gates.filter((e) => e.target === `${host}/${src}@${digest}`).map((e) => e.outcome).sort()).toEqual(['allowed', 'denied']);
  });

  it('a promoted multi-arch index verifies in the target; an interrupted promotion resumes without duplicates', async () => {
    const [src, prod] = [uniqueRepo('multi'), uniqueRepo('multi-prod')];
    writeEnvironments(`${host}/${uniqueRepo('unused')}`, `${host}/${prod}`);
    const writer = registrySource(src).writer;
    const amd = await buildImage({ layers: [lodash('4.17.21')], architecture: 'amd64' });
    const arm = await buildImage({ layers: [lodash('4.17.21'), [{ path: 'etc/arch', content: 'arm64' }]], architecture: 'arm64' });
    await pushImage(writer, amd, undefined);
    await pushImage(writer, arm, undefined);
    const index = buildIndex([{ image: amd, architecture: 'amd64' }, { image: arm, architecture: 'arm64' }]);
    await writer.putManifest('2.0', index.bytes, MediaType.ociIndex);
    const digest = index.descriptor.digest;
    expect((await runCli(['process', `${host}/${src}:2.0`, '--osv-dir', RECORDS, '-q'], env)).code).toBe(0);

    const dynamo = await startLocalDynamo({ path: path.join(home, 'records') });
    try {
      const records = new DynamoDbRecordStore(dynamo.client, dynamo.tableName);
      const environments = parseEnvironments(fs.readFileSync(path.join(home, 'environments.yaml'), 'utf8'), 'environments.yaml');
      const key = { name: 'dev', key: loadPublicKey(fs.readFileSync(path.join(home, 'dev-signing-key.pub')), 'dev key') };
      const alerts: Alert[] = [];
      const sink = { publish: async (a: readonly Alert[]) => void alerts.push(...a) };
      const open = (spec: { location: string }) => openSource({ scheme: 'registry', location: spec.location });
      const gate = createVerifyGate({ openSource: open, keys: async () => [key], alerts: sink, metrics: new InMemoryMetrics(), environments, records, now: () => new Date() });
      const promotion = (fetchImpl?: typeof fetch) =>
        createPromotion({
          gate,
          environments,
          registry: (h) => new RegistryClient({ registry: h, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
          openSource: open,
          approve: localApprover(PemFileSigner.fromPem(fs.readFileSync(path.join(home, 'dev-signing-key.pem'), 'utf8'), 'dev key')),
          records,
          alerts: sink,
          metrics: new InMemoryMetrics(),
          now: () => new Date(),
        });
      // Simulated failure: the target refuses the first manifest PUT by digest of the index, after every blob and platform manifest is in.
      let failed = false;
      const flaky: typeof fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (!failed && init?.method === 'PUT' && url.endsWith(`/v2/${prod}/manifests/${digest}`)) {
          failed = true;
          throw new Error('connection reset (simulated)');
        }
        return fetch(input, init);
      };
      const request = { reference: `${host}/${src}:2.0`, target: `${host}/${prod}`, environment: 'prod' };
      await expect(promotion(flaky)({ ...request }, { identity: 'test:promoter' })).rejects.toThrow(/simulated|unreachable/);
      const client = new RegistryClient({ registry: host });
      expect(await client.headManifest(prod, amd.manifest.descriptor.digest)).toBeDefined();
      expect(await client.headManifest(prod, '2.0')).toBeUndefined(); // nothing half-copied is tagged

      const resumed = await promotion()({ ...request }, { identity: 'test:promoter' });
      expect(resumed).toMatchObject({ promoted: true, digest, tag: '2.0', signaturesAdded: 3 });
      expect(resumed.copied?.manifestsPresent).toBeGreaterThanOrEqual(2); // the platforms were already there
      const again = await promotion()({ ...request }, { identity: 'test:promoter' });
      expect(again).toMatchObject({ promoted: true, signaturesAdded: 0 });
      expect(again.copied).toMatchObject({ manifests: 0, blobsMounted: 0, blobsStreamed: 0, evidenceTags: [] });
      // Source signature + the promotion's: two layers per manifest, however many runs.
      for (const d of [digest, amd.manifest.descriptor.digest, arm.manifest.descriptor.digest]) expect(await sigLayers(prod, d)).toBe(2);
      expect((await client.listTags(prod)).filter((t) => t === '2.0')).toEqual(['2.0']);
      expect((await records.listEvents(`${host}/${prod}`, digest)).filter((e) => e.type === 'Promotion' && e.detail.outcome === 'promoted')).toHaveLength(2);
    } finally {
      await dynamo.close();
    }
    const pub = path.join(home, 'dev-signing-key.pub');
    for (const args of [['verify', `${host}/${prod}:2.0`, '--key', pub], ['verify', `${host}/${prod}:2.0`, '--key', pub, '--identity', `${host}/${src}`], ['gate', `${host}/${prod}:2.0`, '--env', 'prod']]) {
      const r = await runCli([...args, '-q'], env);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, '']);
    }
  });

  it('streams the blobs when the target is another registry (no mount), and the copy verifies there', async () => {
    const port = host.split(':')[1] as string;
    const other = `localhost:${port}`; // the same server under another name: a different registry to the client
    const [src, prod] = [uniqueRepo('stream'), uniqueRepo('stream-prod')];
    writeEnvironments(`${other}/${uniqueRepo('unused')}`, `${other}/${prod}`);
    const image = await pushTestImage(src, '1.0', { layers: [lodash('4.17.21'), [{ path: 'data/blob', content: 'x'.repeat(200_000) }]] });
    expect((await runCli(['process', `${host}/${src}:1.0`, '--osv-dir', RECORDS, '-q'], env)).code).toBe(0);
    const res = await runCli(['promote', `${host}/${src}:1.0`, '--to', `${other}/${prod}:1.0`, '--env', 'prod', '-o', 'json', '-q'], env);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { copied: { blobsMounted: number; blobsStreamed: number; bytesStreamed: number } };
    expect(out.copied.blobsMounted).toBe(0);
    expect(out.copied.blobsStreamed).toBeGreaterThanOrEqual(image.layers.length + 1);
    expect(out.copied.bytesStreamed).toBeGreaterThanOrEqual(image.layers.reduce((n, l) => n + l.descriptor.size, 0));
    const pub = path.join(home, 'dev-signing-key.pub');
    expect((await runCli(['verify', `${other}/${prod}:1.0`, '--key', pub, '--identity', `${host}/${src}`, '-q'], env)).code).toBe(0);
    expect((await runCli(['gate', `${other}/${prod}:1.0`, '--env', 'prod', '-q'], env)).code).toBe(0);
  });
});
