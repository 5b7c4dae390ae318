import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { KmsSigner } from '../../lambdas/adapters/aws/kms-signer';
import { MetricName } from '../../lambdas/core/metric-names';
import { PROCESSING_LEASE_SECONDS } from '../../lambdas/core/processing-lease';
import type { LocalEnvironment, RunOutcome } from '../../lambdas/local/runner';
import { openLocalEnvironment, runWorkflow } from '../../lambdas/local/runner';
import { OfflineOsvSource } from '../../lambdas/vuln/sources/offline-source';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import type { ResolvedArtifact } from '../../lambdas/workflow/state';
import { FakeKms } from '../support/fake-kms';
import { SideEffects } from '../support/interrupted-ports';
import { pushTestImage, registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

/**
 * The per-digest processing lease on the local workflow (the stack's state machine, dynalite):
 * duplicate and concurrent events for one digest run the heavy steps once.
 */
const host = testRegistry().host;
let env: LocalEnvironment;
let home: string;
let kms: FakeKms;

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-lease-'));
  kms = new FakeKms();
  const signer = new KmsSigner(new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), 'alias/artifact-guard-signing');
  const unrelated = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/osv/records/GO-2023-1751.json'), 'utf8')) as OsvRecord;
  // Scans pass (the record matches nothing here), so the workflow signs.
  env = await openLocalEnvironment({ home, cacheDir: path.join(home, 'cache'), inMemory: true, quiet: true, signer, vulnerabilities: OfflineOsvSource.fromRecords('unrelated', [unrelated]) });
});
afterEach(async () => {
  await env.close();
  await kms.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const alertTypes = (): string[] => {
  const file = path.join(home, 'alerts.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { 'detail-type': string })['detail-type']) : [];
};

/** KMS Sign calls over a cosign simple-signing payload's digest (the `.sig`), and over DSSE PAEs (attestations, bundles). */
const signCalls = () => kms.stub.commandCalls(SignCommand).length;

function succeeded(out: RunOutcome): Record<string, unknown> {
  if (out.status !== 'SUCCEEDED') throw new Error(`workflow failed: ${out.error}: ${out.cause}`);
  return out.output;
}

function sbomFiles(repo: string, digest: string): string[] {
  const dir = path.join(home, 'evidence', host, repo, digest.replace(':', '-'), 'sbom');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

async function sigLayers(repo: string, digest: string): Promise<number> {
  const sig = await registrySource(repo).writer.manifestByTag(`${digest.replace(':', '-')}.sig`);
  return sig?.manifest.kind === 'manifest' ? sig.manifest.layers.length : 0;
}

// Files only: nothing for the data to cover, so the verdict is pass and the image is signed.
const image = (repo: string, tag: string) => pushTestImage(repo, tag, { layers: [[{ path: 'app/hello', content: 'leased' }]] });

describe('processing lease: the heavy steps run once per digest', () => {
  it('the same event fired three times at once: one SBOM, one KMS Sign for the signature, one alert', async () => {
    const repo = uniqueRepo('lease');
    const digest = (await image(repo, 'v1')).manifest.descriptor.digest;
    const event = { source: `registry:${host}/${repo}:v1`, id: 'evt-1', time: '2026-03-01T09:00:00.000Z' };
    const outputs = (await Promise.all([runWorkflow(event, env), runWorkflow(event, env), runWorkflow(event, env)])).map(succeeded);

    const processed = outputs.filter((o) => o.sbom !== undefined);
    expect(processed).toHaveLength(1);
    for (const other of outputs.filter((o) => o.sbom === undefined)) {
      expect(other.artifact).toMatchObject({ duplicate: true });
      expect(other.signing).toBeUndefined();
    }
    expect(env.metrics.counts.get(MetricName.sbomGenerated)).toBe(1);
    expect(sbomFiles(repo, digest)).toHaveLength(2); // CycloneDX and SPDX, written once
    // One run's Sign calls: the .sig, three attestations and cosign's signature bundle.
    expect(signCalls()).toBe(5);
    expect(await sigLayers(repo, digest)).toBe(1);
    expect(alertTypes()).toEqual(['Artifact Processed']);
    expect(await env.records.isProcessed(`${host}/${repo}`, digest)).toBe(true);
    expect((await env.records.listEvents(`${host}/${repo}`, digest)).map((e) => e.type).sort()).toEqual(['ArtifactProcessed', 'ArtifactPushed']);
    // Released once PROCESSED was written.
    expect((await env.records.acquireLease(`${host}/${repo}`, digest, { owner: 'probe', triggerId: 'probe', now: new Date(), seconds: 1 })).outcome).toBe('acquired');
  });

  it('two tags of one digest pushed at once: processed once, both tags bound', async () => {
    const repo = uniqueRepo('lease');
    const built = await image(repo, 'v1');
    await registrySource(repo).writer.putManifest('latest', built.manifest.bytes, built.manifest.descriptor.mediaType);
    const digest = built.manifest.descriptor.digest;
    const [a, b] = (await Promise.all(['v1', 'latest'].map((tag, i) => runWorkflow({ source: `registry:${host}/${repo}:${tag}`, id: `evt-${tag}`, time: `2026-03-01T09:00:0${i}.000Z` }, env)))).map(succeeded);
    expect([a?.sbom, b?.sbom].filter(Boolean)).toHaveLength(1);
    expect(env.metrics.counts.get(MetricName.sbomGenerated)).toBe(1);
    expect(await sigLayers(repo, digest)).toBe(1);
    for (const tag of ['v1', 'latest']) expect(await env.records.claimTag(`${host}/${repo}`, tag, 'sha256:other', 't')).toEqual({ digest, outcome: 'exists' });
    expect((await env.records.listEvents(`${host}/${repo}`, digest)).map((e) => e.type).sort()).toEqual(['ArtifactProcessed', 'ArtifactPushed', 'ArtifactPushedAgain']);
    expect(alertTypes()).toEqual(['Artifact Processed']);
  });

  it("a crashed run's lease holds off other events until it expires, then is taken over", async () => {
    const repo = uniqueRepo('lease');
    const digest = (await image(repo, 'v1')).manifest.descriptor.digest;
    const crashedAt = new Date();
    await env.records.acquireLease(`${host}/${repo}`, digest, { owner: 'local:crashed', triggerId: 'evt-0', now: crashedAt, seconds: PROCESSING_LEASE_SECONDS });
    const event = { source: `registry:${host}/${repo}:v1`, id: 'evt-1', time: '2026-03-01T09:00:00.000Z' };

    const held = succeeded(await runWorkflow(event, env));
    expect(held.artifact).toMatchObject({ duplicate: true, inProgress: { by: 'local:crashed', sameEvent: false } });
    expect(held.sbom).toBeUndefined();
    expect(signCalls()).toBe(0);
    expect(await env.records.isProcessed(`${host}/${repo}`, digest)).toBe(false);

    const later = { ...env, now: () => new Date(crashedAt.getTime() + (PROCESSING_LEASE_SECONDS + 1) * 1000) };
    const taken = succeeded(await runWorkflow({ ...event, id: 'evt-2' }, later));
    expect((taken.artifact as ResolvedArtifact).duplicate).toBe(false);
    expect(taken.sbom).toBeDefined();
    expect(await sigLayers(repo, digest)).toBe(1);
    expect(await env.records.isProcessed(`${host}/${repo}`, digest)).toBe(true);
    expect(alertTypes()).toEqual(['Artifact Processed']);
  });

  it('`process` (one process holds the local records, leases of 0 s) runs again at once after a run killed holding the lease', async () => {
    const repo = uniqueRepo('lease');
    const digest = (await image(repo, 'v1')).manifest.descriptor.digest;
    const local = { ...env, leaseSeconds: 0 };
    const killed = await runWorkflow({ source: `registry:${host}/${repo}:v1` }, new SideEffects(1).wrap(local));
    expect(killed.status).toBe('FAILED');
    const out = succeeded(await runWorkflow({ source: `registry:${host}/${repo}:v1` }, local));
    expect((out.artifact as ResolvedArtifact).duplicate).toBe(false);
    expect(await env.records.isProcessed(`${host}/${repo}`, digest)).toBe(true);
  });
});
