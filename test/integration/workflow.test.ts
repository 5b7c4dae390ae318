import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MediaType } from '../../lambdas/oci/media-types';
import type { LocalEnvironment } from '../../lambdas/local/runner';
import { openLocalEnvironment, runWorkflow } from '../../lambdas/local/runner';
import { OfflineOsvSource } from '../../lambdas/vuln/sources/offline-source';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import type { RecordResult, ResolvedArtifact } from '../../lambdas/workflow/state';
import type { SbomSummary } from '../../lambdas/workflow/state';
import type { SigningSummary } from '../../lambdas/workflow/state';
import type { ScanSummary } from '../../lambdas/workflow/state';
import { loadPublicKey } from '../../lambdas/signing/ecdsa';
import { verifyArtifact } from '../../lambdas/signing/verify-artifact';
import { startAuthProxy } from '../support/auth-proxy';
import { pushTestImage, pushTwoPlatformIndex, registrySource } from '../support/images';
import { freePort } from '../support/registry';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
let env: LocalEnvironment;
let home: string;

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-wf-'));
  // One Go record that none of these images contains: scans pass, so signing proceeds (verdicts have their own tests).
  env = await openLocalEnvironment({ home, cacheDir: path.join(home, 'cache'), inMemory: true, quiet: true, vulnerabilities: OfflineOsvSource.fromRecords('unrelated', [fixtureRecord('GO-2023-1751')]) });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function fixtureRecord(id: string): OsvRecord {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/osv/records', `${id}.json`), 'utf8')) as OsvRecord;
}

function alerts(): { 'detail-type': string; detail: { summary: string } }[] {
  const file = path.join(home, 'alerts.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { 'detail-type': string; detail: { summary: string } });
}

async function succeed(input: Parameters<typeof runWorkflow>[0]) {
  const out = await runWorkflow(input, env);
  if (out.status !== 'SUCCEEDED') throw new Error(`workflow failed: ${out.error}: ${out.cause}`);
  return { artifact: out.output.artifact as ResolvedArtifact, record: out.output.record as RecordResult | undefined };
}

describe('local workflow on a real registry', () => {
  it('records a pushed image with its provenance labels and alerts that it was processed', async () => {
    const repo = uniqueRepo('wf');
    const image = await pushTestImage(repo, 'v1', {
      layers: [[{ path: 'app/hello', content: 'hi' }]],
      labels: { 'org.opencontainers.image.revision': '0123abcd', 'org.opencontainers.image.source': 'https://git.example/app', 'dev.artifact-guard.build.id': 'build-42' },
    });
    const { artifact, record } = await succeed({ source: `registry:${host}/${repo}:v1` });
    expect(artifact).toMatchObject({ digest: image.manifest.descriptor.digest, kind: 'image', tag: 'v1', repositoryName: `${host}/${repo}`, duplicate: false });
    expect(artifact.provenance).toEqual({ revision: '0123abcd', source: 'https://git.example/app', buildId: 'build-42' });
    expect(record?.artifact).toBe('created');
    const stored = await env.records.getArtifact(`${host}/${repo}`, artifact.digest);
    expect(stored?.provenance.revision).toBe('0123abcd');
    expect(await env.records.isProcessed(`${host}/${repo}`, artifact.digest)).toBe(true);
    const events = await env.records.listEvents(`${host}/${repo}`, artifact.digest);
    expect(events.map((e) => e.type).sort()).toEqual(['ArtifactProcessed', 'ArtifactPushed']);
    expect(alerts().map((a) => a['detail-type'])).toEqual(['Artifact Processed']);
  });

  it('stores CycloneDX and SPDX documents in the evidence store and passes a summary on', async () => {
    const repo = uniqueRepo('wf');
    const image = await pushTestImage(repo, 'v1', {
      layers: [[{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.15","license":"MIT"}' }]],
    });
    const out = await runWorkflow({ source: `registry:${host}/${repo}:v1` }, env);
    if (out.status !== 'SUCCEEDED') throw new Error(out.cause);
    const sbom = out.output.sbom as SbomSummary;
    expect(sbom.components).toBe(1);
    const doc = sbom.documents[0]!;
    expect(doc).toMatchObject({ manifestDigest: image.manifest.descriptor.digest, byType: { npm: 1 } });
    for (const stored of [doc.cyclonedx, doc.spdx]) {
      const bytes = fs.readFileSync(stored.location);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(stored.sha256);
      expect(stored.key.startsWith(`evidence/${host}/${repo}/`)).toBe(true);
    }
    expect(JSON.parse(fs.readFileSync(doc.cyclonedx.location, 'utf8')).components[0].purl).toBe('pkg:npm/lodash@4.17.15');
    const evidence = await env.records.getEvidence(`${host}/${repo}`, image.manifest.descriptor.digest);
    expect(evidence.sbom).toMatchObject({ components: 1 });
  });

  it('signs the processed image in cosign\'s layout with the development key and records it', async () => {
    const repo = uniqueRepo('wf');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'a', content: 'signed' }]] });
    const out = await runWorkflow({ source: `registry:${host}/${repo}:v1` }, env);
    if (out.status !== 'SUCCEEDED') throw new Error(out.cause);
    const signing = out.output.signing as SigningSummary;
    const digest = image.manifest.descriptor.digest;
    expect(signing).toMatchObject({ signed: true, identity: `${host}/${repo}`, keyId: env.devKey!.privateKeyFile });
    expect(signing.signatures).toEqual([expect.objectContaining({ digest, tag: `${digest.replace(':', '-')}.sig`, outcome: 'appended' })]);
    // Provenance, SBOM and scan attestations in .att and as Sigstore bundles, plus cosign v3's signature bundle.
    expect(signing.attestations.map((x) => x.type).sort()).toEqual(['cosign-sign', 'cyclonedx', 'slsaprovenance1', 'vuln']);
    expect(await registrySource(repo).writer.manifestByTag(`${digest.replace(':', '-')}.att`)).toBeDefined();
    for (const x of signing.attestations) expect(fs.existsSync(env.evidence.location(x.bundle))).toBe(true);
    const pub = loadPublicKey(fs.readFileSync(env.devKey!.publicKeyFile), 'dev key');
    const verdict = await verifyArtifact({ source: registrySource(repo, 'v1'), keys: [{ name: 'dev', key: pub }] });
    expect(verdict.allowed).toBe(true);
    const evidence = await env.records.getEvidence(`${host}/${repo}`, digest);
    expect(evidence.signature).toMatchObject({ signed: true, keyId: env.devKey!.privateKeyFile });
  });

  it('scans against OSV data: a vulnerable image fails the verdict, alerts, and is not signed', async () => {
    const repo = uniqueRepo('wf');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'app/node_modules/minimist/package.json', content: '{"name":"minimist","version":"1.2.0"}' }]] });
    const records = [fixtureRecord('GHSA-vh95-rmgr-6w4m')];
    const scanEnv = await openLocalEnvironment({ home: path.join(home, 'scan'), cacheDir: path.join(home, 'scan-cache'), inMemory: true, quiet: true, vulnerabilities: OfflineOsvSource.fromRecords('fixture', records), threshold: 'medium' });
    try {
      const out = await runWorkflow({ source: `registry:${host}/${repo}:v1` }, scanEnv);
      if (out.status !== 'SUCCEEDED') throw new Error(out.cause);
      const scan = out.output.scan as ScanSummary;
      expect(scan.verdict).toBe('fail');
      expect(scan.findingsAboveThreshold.map((f) => f.id)).toEqual(['GHSA-vh95-rmgr-6w4m']);
      expect((out.output.signing as SigningSummary).signed).toBe(false);
      // Attested whatever the verdict: the vuln attestation records the failure.
      expect((out.output.signing as SigningSummary).attestations.map((x) => x.type)).toEqual(expect.arrayContaining(['slsaprovenance1', 'cyclonedx', 'vuln']));
      const alertLines = fs.readFileSync(path.join(home, 'scan', 'alerts.jsonl'), 'utf8');
      expect(alertLines).toContain('"detail-type":"Vulnerabilities Found"');
      expect((await scanEnv.records.getEvidence(`${host}/${repo}`, image.manifest.descriptor.digest)).scan).toMatchObject({ verdict: 'fail' });
    } finally {
      await scanEnv.close();
    }
  });

  it('says a scan without vulnerability data is incomplete, alerts, and does not sign', async () => {
    const repo = uniqueRepo('wf');
    await pushTestImage(repo, 'v1', { layers: [[{ path: 'x', content: 'x' }]] });
    const bare = await openLocalEnvironment({ home: path.join(home, 'bare'), cacheDir: path.join(home, 'bare-cache'), inMemory: true, quiet: true });
    try {
      const out = await runWorkflow({ source: `registry:${host}/${repo}:v1` }, bare);
      if (out.status !== 'SUCCEEDED') throw new Error(out.cause);
      expect((out.output.scan as ScanSummary).verdict).toBe('incomplete');
      expect((out.output.signing as SigningSummary).reason).toMatch(/scan is incomplete/);
      expect(fs.readFileSync(path.join(home, 'bare', 'alerts.jsonl'), 'utf8')).toContain('"detail-type":"Scan Incomplete"');
    } finally {
      await bare.close();
    }
  });

  it('writes nothing new when the same push event is replayed', async () => {
    const repo = uniqueRepo('wf');
    await pushTestImage(repo, 'v1', { layers: [[{ path: 'a', content: 'a' }]] });
    const input = { source: `registry:${host}/${repo}:v1`, id: 'event-1', time: '2026-11-26T10:00:00Z' };
    const first = await succeed(input);
    const second = await succeed(input);
    expect(second.artifact.duplicate).toBe(true);
    expect(second.record).toMatchObject({ artifact: 'exists', eventsWritten: 0 });
    const events = await env.records.listEvents(`${host}/${repo}`, first.artifact.digest);
    expect(events).toHaveLength(2);
    expect(alerts()).toHaveLength(1);
  });

  it('raises a Tag Immutability Violation when a tag moves to another digest', async () => {
    const repo = uniqueRepo('wf');
    const a = await pushTestImage(repo, 'release', { layers: [[{ path: 'v', content: '1' }]] });
    await succeed({ source: `registry:${host}/${repo}:release` });
    const b = await pushTestImage(repo, 'release', { layers: [[{ path: 'v', content: '2' }]] });
    const { artifact, record } = await succeed({ source: `registry:${host}/${repo}:release` });
    expect(artifact.digest).toBe(b.manifest.descriptor.digest);
    expect(record?.tagViolation).toEqual({ tag: 'release', boundDigest: a.manifest.descriptor.digest });
    const violation = alerts().find((x) => x['detail-type'] === 'Tag Immutability Violation');
    expect(violation?.detail.summary).toContain(`moved from ${a.manifest.descriptor.digest} to ${b.manifest.descriptor.digest}`);
    const events = await env.records.listEvents(`${host}/${repo}`, b.manifest.descriptor.digest);
    expect(events.map((e) => e.type)).toContain('TagImmutabilityViolation');
  });

  it('checks a .sig push, records it in its subject\'s audit trail and processes nothing', async () => {
    const repo = uniqueRepo('wf');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'x', content: 'x' }]] });
    const writer = registrySource(repo).writer;
    const payload = Buffer.from('{"critical":{}}');
    const layer = await writer.pushBlob(payload);
    const config = await writer.pushBlob(Buffer.from('{}'));
    const sigTag = `${image.manifest.descriptor.digest.replace(':', '-')}.sig`;
    const sigManifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, ...config },
        layers: [{ mediaType: MediaType.cosignSimpleSigning, ...layer, annotations: { 'dev.cosignproject.cosign/signature': 'MEUC' } }],
      }),
    );
    const sigDigest = await writer.putManifest(sigTag, sigManifest, MediaType.ociManifest);
    const out = await runWorkflow({ source: `registry:${host}/${repo}:${sigTag}` }, env);
    expect(out.status).toBe('SUCCEEDED');
    if (out.status !== 'SUCCEEDED') return;
    expect((out.output.artifact as ResolvedArtifact).evidence).toMatchObject({ claim: 'signature', subject: image.manifest.descriptor.digest, valid: true });
    expect(out.output.sbom).toBeUndefined();
    expect(out.output.signing).toBeUndefined();
    expect(await env.records.getArtifact(`${host}/${repo}`, sigDigest)).toBeUndefined();
    const trail = await env.records.listEvents(`${host}/${repo}`, image.manifest.descriptor.digest);
    expect(trail.map((e) => [e.type, e.detail.digest, e.detail.tag])).toEqual([['EvidencePushed', sigDigest, sigTag]]);
    expect(alerts()).toEqual([]);
  });

  it('classifies a multi-arch index and a Helm chart', async () => {
    const repo = uniqueRepo('wf');
    const writer = registrySource(repo).writer;
    await pushTwoPlatformIndex(writer, 'multi');
    const idx = await succeed({ source: `${host}/${repo}:multi` });
    expect(idx.artifact.kind).toBe('index');
    expect(idx.artifact.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);

    const chartConfig = await writer.pushBlob(Buffer.from(JSON.stringify({ name: 'demo', version: '0.1.0', apiVersion: 'v2' })));
    const chartLayer = await writer.pushBlob(Buffer.from('not really a tgz'));
    await writer.putManifest(
      'chart-0.1.0',
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociManifest,
          config: { mediaType: MediaType.helmConfig, ...chartConfig },
          layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', ...chartLayer }],
        }),
      ),
      MediaType.ociManifest,
    );
    const chart = await runWorkflow({ source: `${host}/${repo}:chart-0.1.0` }, env);
    if (chart.status !== 'SUCCEEDED') throw new Error(chart.cause);
    expect((chart.output.artifact as ResolvedArtifact).kind).toBe('helm-chart');
    expect((chart.output.artifact as ResolvedArtifact).targets.map((t) => t.role)).toEqual(['chart']);
    // A chart is inventoried from its chart archive; one that cannot be read is a gap: incomplete and unsigned.
    const sbom = chart.output.sbom as SbomSummary;
    expect(sbom.uninventoried).toEqual([]);
    expect(sbom.documents[0]?.gapLines).toEqual([expect.stringMatching(/chart archive not read: .*not a readable gzip archive/)]);
    expect((chart.output.scan as ScanSummary).verdict).toBe('incomplete');
    expect((chart.output.signing as SigningSummary).signed).toBe(false);
    expect(((await runWorkflow({ source: `${host}/${repo}:multi`, id: 'again' }, env)) as { output: { sbom?: unknown } }).output.sbom).toBeUndefined();
  });

  it('ends failed with a Workflow Failed alert on a malformed manifest and on an unreachable registry', async () => {
    const repo = uniqueRepo('wf');
    const proxy = await startAuthProxy({ upstream: host, username: 'u', password: 'p', fakeManifest: { path: `/${repo}/manifests/bad`, body: '{"schemaVersion":2,', contentType: MediaType.ociManifest } });
    const cfg = path.join(home, 'docker');
    fs.mkdirSync(cfg);
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from('u:p').toString('base64') } } }));
    process.env.DOCKER_CONFIG = cfg;
    try {
      const bad = await runWorkflow({ source: `${proxy.host}/${repo}:bad` }, env);
      expect(bad).toMatchObject({ status: 'FAILED', error: 'BadInputError' });
      if (bad.status === 'FAILED') expect(bad.cause).toMatch(/^malformed manifest JSON/);
    } finally {
      delete process.env.DOCKER_CONFIG;
      await proxy.close();
    }
    const port = await freePort();
    const dead = await runWorkflow({ source: `127.0.0.1:${port}/x:1` }, env);
    expect(dead).toMatchObject({ status: 'FAILED', error: 'UnavailableError' });
    const failures = alerts().filter((a) => a['detail-type'] === 'Workflow Failed');
    expect(failures).toHaveLength(2);
    expect(failures[1]?.detail.summary).toContain(`127.0.0.1:${port}/x:1 failed: registry 127.0.0.1:${port} unreachable: ECONNREFUSED`);
  });
});
