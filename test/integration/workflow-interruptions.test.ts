import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalEnvironment } from '../../lambdas/local/runner';
import { openLocalEnvironment, runWorkflow } from '../../lambdas/local/runner';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { loadPublicKey } from '../../lambdas/signing/ecdsa';
import { verifyArtifact } from '../../lambdas/signing/verify-artifact';
import { OfflineOsvSource } from '../../lambdas/vuln/sources/offline-source';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import type { StepEnvironment } from '../../lambdas/workflow/step-factories';
import { pushTestImage, pushTwoPlatformIndex, registrySource } from '../support/images';
import { SideEffects } from '../support/interrupted-ports';
import { testRegistry, uniqueRepo } from '../support/registry-env';

/**
 * Issue 13 point 2: the order of the workflow's side effects makes any interruption safe. The
 * workflow is cut after each of its side effects in turn (every later one fails, as after a
 * crash), then run again as the same execution (a redrive keeps the execution, and with it the
 * processing lease); the end state must be the one an uninterrupted run leaves.
 */
const host = testRegistry().host;
let env: LocalEnvironment;
let home: string;
// One clock for every run: documents carry their time, and the same time makes the same document.
const NOW = new Date();

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cut-'));
  const unrelated = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/osv/records/GO-2023-1751.json'), 'utf8')) as OsvRecord;
  env = await openLocalEnvironment({ home, cacheDir: path.join(home, 'cache'), inMemory: true, quiet: true, vulnerabilities: OfflineOsvSource.fromRecords('unrelated', [unrelated]) });
});
afterAll(async () => {
  await env.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const steps = (effects: SideEffects): StepEnvironment => effects.wrap({ ...env, now: () => NOW });
const event = (repo: string) => ({ source: `registry:${host}/${repo}:v1`, id: 'evt-cut', time: '2026-03-01T09:00:00.000Z' });

/** Files only (nothing for the data to cover): the verdict is pass and the image is signed. */
const pushImage = (repo: string) => pushTestImage(repo, 'v1', { layers: [[{ path: 'app/hello', content: 'interrupted' }]] });

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

/**
 * Everything the workflow leaves, with what differs between two repositories or two ECDSA
 * signatures made neutral: the repository name, hashes of documents naming it, signature-dependent
 * digests. Each artifact digest (the same content in every repository) is kept.
 */
async function endState(repo: string, digests: readonly string[]) {
  const name = `${host}/${repo}`;
  const known = new Set(digests.map((d) => d.replace('sha256:', '')));
  const neutral = (text: string) =>
    text
      .split(name)
      .join('<repo>')
      .replace(/[0-9a-f]{64}/g, (hex) => (known.has(hex) ? hex : '<hex>'))
      // Evidence keys carry a hash prefix of their content (`name.<16 hex>.cdx.json`, `type-<16 hex>.sigstore.json`).
      .replace(/([-.])[0-9a-f]{16}\./g, '$1<h>.')
      // What the run that recorded it did (`appended` or `already-signed`), not what is there.
      .replace(/"outcome":"[a-z-]+"/g, '"outcome":"…"');
  const [root] = digests;
  if (!root) throw new Error('no digest');
  const writer = registrySource(repo).writer;
  const tags = (await new RegistryClient({ registry: host }).listTags(repo)).sort();
  const registry: Record<string, string[]> = {};
  for (const tag of tags) {
    const m = await writer.manifestByTag(tag);
    if (!m) continue;
    // .sig / .att layers by media type and predicate type; a referrers index by its entries' predicate types.
    registry[tag] =
      m.manifest.kind === 'manifest'
        ? m.manifest.layers.map((l) => `${l.mediaType} ${l.annotations?.predicateType ?? ''}`)
        : m.manifest.manifests.map((d) => `${d.artifactType ?? ''} ${d.annotations?.['dev.sigstore.bundle.predicateType'] ?? ''}`).sort();
  }
  const evidence = await env.records.getEvidence(name, root);
  const pub = loadPublicKey(fs.readFileSync(env.devKey?.publicKeyFile ?? ''), 'dev key');
  const allAlerts = fs.existsSync(env.alerts.file) ? fs.readFileSync(env.alerts.file, 'utf8').trim().split('\n') : [];
  return {
    registry,
    verified: (await verifyArtifact({ source: registrySource(repo, 'v1'), keys: [{ name: 'dev', key: pub }] })).allowed,
    artifact: neutral(JSON.stringify(await env.records.getArtifact(name, root))),
    events: (await env.records.listEvents(name, root)).map((e) => `${e.time} ${e.id} ${e.type}`),
    evidence: Object.keys(evidence).sort().map((kind) => `${kind}: ${neutral(JSON.stringify(evidence[kind]))}`),
    tag: (await env.records.claimTag(name, 'v1', 'sha256:probe', 'probe')).digest,
    processed: await env.records.isProcessed(name, root),
    evidenceFiles: files(path.join(home, 'evidence', host, repo)).map(neutral).sort(),
    alerts: allAlerts.map((l) => JSON.parse(l) as { 'detail-type': string; detail: { repository?: string } }).filter((a) => a.detail.repository === name).map((a) => a['detail-type']),
  };
}

describe('interrupting the workflow after any side effect, then running it again', () => {
  jest.setTimeout(600_000);

  it('ends in the state an uninterrupted run leaves, whichever side effect it was cut after', async () => {
    const baselineRepo = uniqueRepo('cut');
    const digest = (await pushImage(baselineRepo)).manifest.descriptor.digest;
    const all = new SideEffects();
    expect((await runWorkflow(event(baselineRepo), steps(all))).status).toBe('SUCCEEDED');
    const expected = await endState(baselineRepo, [digest]);
    expect(expected).toMatchObject({ verified: true, processed: true, alerts: ['Artifact Processed'] });
    expect(all.log.length).toBeGreaterThan(20);

    const mismatches: string[] = [];
    for (let n = 0; n < all.log.length; n++) {
      const repo = uniqueRepo('cut');
      await pushImage(repo);
      const execution = `local:cut-${n}`;
      const cut = new SideEffects(n);
      const first = await runWorkflow(event(repo), steps(cut), { executionId: execution });
      // Nothing after the cut happened, not even the failure alert.
      if (first.status !== 'FAILED' || cut.log.length !== n) mismatches.push(`after ${n}: the interrupted run ${first.status} with ${cut.log.length} side effects`);
      const again = await runWorkflow(event(repo), steps(new SideEffects()), { executionId: execution });
      if (again.status !== 'SUCCEEDED') mismatches.push(`after ${n}: the second run ${again.status === 'FAILED' ? `failed: ${again.cause}` : 'did not succeed'}`);
      const state = await endState(repo, [digest]);
      // Alerts are at least once: cut between publishing them and PROCESSED, they go out again.
      const published = cut.log.some((e) => e.startsWith('alerts ')) && !cut.log.includes('record PROCESSED');
      const comparable = published ? { ...state, alerts: [...new Set(state.alerts)] } : state;
      for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
        if (JSON.stringify(comparable[key]) !== JSON.stringify(expected[key])) mismatches.push(`after ${n} (${all.log[n - 1] ?? 'none'}): ${key} is ${JSON.stringify(comparable[key])}, not ${JSON.stringify(expected[key])}`);
      }
      if (published) expect(state.alerts).toEqual([...expected.alerts, ...expected.alerts]);
    }
    expect(mismatches).toEqual([]);
  });

  it('signs platforms before their index, writes each .sig before any approving bundle, and PROCESSED last', async () => {
    const repo = uniqueRepo('cut');
    const { amd, arm, index } = await pushTwoPlatformIndex(registrySource(repo).writer, 'v1');
    const effects = new SideEffects();
    expect((await runWorkflow(event(repo), steps(effects))).status).toBe('SUCCEEDED');
    const at = (name: string) => effects.log.indexOf(name);
    const sig = (digest: string) => at(`registry manifest ${digest.replace(':', '-')}.sig`);
    const platforms = [amd.manifest.descriptor.digest, arm.manifest.descriptor.digest];
    for (const p of platforms) {
      expect(sig(p)).toBeGreaterThanOrEqual(0);
      expect(sig(p)).toBeLessThan(sig(index.descriptor.digest));
    }
    const approvals = effects.log.flatMap((e, i) => (e.startsWith('registry manifest referrer https://sigstore.dev/cosign/sign/v1') ? [i] : []));
    expect(approvals).toHaveLength(3);
    expect(Math.min(...approvals)).toBeGreaterThan(Math.max(...[...platforms, index.descriptor.digest].map(sig)));
    // The last writes: the alerts, then PROCESSED, then the lease given back.
    expect(effects.log.slice(-3)).toEqual(['alerts Artifact Processed', 'record PROCESSED', 'record lease released']);
    expect(effects.log[0]).toBe('record PROCESSING (lease)');
  });
});
