/**
 * Fail closed (issue 12): nothing that was not fully inventoried and scanned is signed or
 * attested as passing. Every case is built here against the real local registry; the data set
 * holds real lodash advisories (two HIGH for 4.17.4), so a vulnerable platform that escaped the
 * SBOM would be signed, and any signature in the repository shows it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IntegrityError } from '../../lambdas/core/errors';
import type { BuiltBlob, BuiltImage } from '../../lambdas/oci/image-builder';
import { buildImage, pushImage } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import { openSource } from '../../lambdas/oci/open-source';
import type { ArtifactWriter } from '../../lambdas/oci/source';
import type { LocalEnvironment } from '../../lambdas/local/runner';
import { openLocalEnvironment, runWorkflow } from '../../lambdas/local/runner';
import { catalogers } from '../../lambdas/sbom/catalogers';
import { OfflineOsvSource } from '../../lambdas/vuln/sources/offline-source';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import type { RecordResult, ResolvedArtifact, WorkflowState } from '../../lambdas/workflow/state';
import { createEvidenceCheck } from '../../lambdas/workflow/evidence-check';
import { alertsFor, createNotifyStep } from '../../lambdas/workflow/steps/notify';
import { createRecordStep } from '../../lambdas/workflow/steps/record';
import { createResolveStep } from '../../lambdas/workflow/steps/resolve';
import type { SbomSummary } from '../../lambdas/workflow/state';
import { createSbomStep } from '../../lambdas/workflow/steps/sbom';
import type { ScanSummary } from '../../lambdas/workflow/state';
import { createScanStep } from '../../lambdas/workflow/steps/scan';
import type { SigningSummary } from '../../lambdas/workflow/state';
import { createSignStep } from '../../lambdas/workflow/steps/sign';
import { createAttachStep } from '../../lambdas/workflow/steps/attach';
import { pushTestImage, registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
const LODASH = ['GHSA-4xc9-xhrj-v574', 'GHSA-fvqr-27wr-82fm', 'GHSA-p6mc-m468-83gw', 'GHSA-x5rq-j2xg-h7qm'];
let env: LocalEnvironment;
let home: string;

function fixtureRecord(id: string): OsvRecord {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/osv/records', `${id}.json`), 'utf8')) as OsvRecord;
}

async function openEnv(opts: Partial<Parameters<typeof openLocalEnvironment>[0]> = {}): Promise<LocalEnvironment> {
  return openLocalEnvironment({
    home,
    // The cache beside the home: its entries are authenticated with that home's key.
    cacheDir: path.join(opts.home ?? home, 'cache'),
    inMemory: true,
    quiet: true,
    vulnerabilities: OfflineOsvSource.fromRecords('lodash advisories', LODASH.map(fixtureRecord)),
    threshold: 'high',
    ...opts,
  });
}

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-fc-'));
  env = await openEnv();
});
afterEach(async () => {
  await env.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function alerts(): { 'detail-type': string; detail: { summary: string; gaps?: string[]; reason?: string } }[] {
  const file = path.join(home, 'alerts.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { 'detail-type': string; detail: { summary: string } });
}

async function run(source: string, e: LocalEnvironment = env) {
  const out = await runWorkflow({ source }, e);
  if (out.status !== 'SUCCEEDED') throw new Error(`workflow failed: ${out.error}: ${out.cause}`);
  return {
    artifact: out.output.artifact as ResolvedArtifact,
    sbom: out.output.sbom as SbomSummary | undefined,
    scan: out.output.scan as ScanSummary | undefined,
    signing: out.output.signing as SigningSummary | undefined,
    record: out.output.record as RecordResult | undefined,
  };
}

/** Every `.sig` tag in the repository for the given digests (none is what fail-closed means). */
async function signaturesOf(writer: ArtifactWriter, digests: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const d of digests) if (await writer.manifestByTag(`${d.replace(':', '-')}.sig`)) found.push(d);
  return found;
}

const lodash = (version: string) => [{ path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version, license: 'MIT' }) }];

function manifestBlob(doc: Record<string, unknown>, mediaType: string = MediaType.ociManifest): BuiltBlob {
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, descriptor: { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length } };
}

async function putBlob(writer: ArtifactWriter, b: BuiltBlob): Promise<void> {
  await writer.putManifest(b.descriptor.digest, b.bytes, b.descriptor.mediaType);
}

/** A clean amd64 image (lodash 4.17.21: covered by the data, not affected) and a vulnerable arm64 one. */
async function platforms(writer: ArtifactWriter): Promise<{ amd: BuiltImage; arm: BuiltImage }> {
  const amd = await buildImage({ layers: [lodash('4.17.21')], architecture: 'amd64' });
  const arm = await buildImage({ layers: [lodash('4.17.4')], architecture: 'arm64' });
  await pushImage(writer, amd, undefined);
  await pushImage(writer, arm, undefined);
  return { amd, arm };
}

function indexOf(entries: readonly object[]): BuiltBlob {
  return manifestBlob({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries }, MediaType.ociIndex);
}

const amdEntry = (amd: BuiltImage) => ({ ...amd.manifest.descriptor, platform: { os: 'linux', architecture: 'amd64' } });

describe('an index never hides an unscanned or vulnerable child', () => {
  type Hide = (writer: ArtifactWriter, p: { amd: BuiltImage; arm: BuiltImage }) => Promise<{ root: BuiltBlob; hidden: string }>;
  const cases: [string, Hide, 'fail' | 'incomplete'][] = [
    [
      'annotated as a BuildKit attestation manifest',
      async (_w, { amd, arm }) => ({
        root: indexOf([amdEntry(amd), { ...arm.manifest.descriptor, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.manifest.descriptor.digest } }]),
        hidden: arm.manifest.descriptor.digest,
      }),
      'fail',
    ],
    ['listed with platform unknown/unknown', async (_w, { amd, arm }) => ({ root: indexOf([amdEntry(amd), { ...arm.manifest.descriptor, platform: { os: 'unknown', architecture: 'unknown' } }]), hidden: arm.manifest.descriptor.digest }), 'fail'],
    [
      'inside a nested index',
      async (w, { amd, arm }) => {
        const inner = indexOf([{ ...arm.manifest.descriptor, platform: { os: 'linux', architecture: 'arm64' } }]);
        await putBlob(w, inner);
        return { root: indexOf([amdEntry(amd), inner.descriptor]), hidden: arm.manifest.descriptor.digest };
      },
      'fail',
    ],
    [
      'carrying a subject',
      async (w, { amd, arm }) => {
        const withSubject = manifestBlob({ ...(JSON.parse(arm.manifest.bytes.toString()) as Record<string, unknown>), subject: amd.manifest.descriptor });
        await putBlob(w, withSubject);
        return { root: indexOf([amdEntry(amd), { ...withSubject.descriptor, platform: { os: 'linux', architecture: 'arm64' } }]), hidden: withSubject.descriptor.digest };
      },
      'fail',
    ],
    [
      // An artifact: its layers are inventoried by content, and this one's tar holds the vulnerable lodash.
      'whose config type is not an image config',
      async (w, { amd, arm }) => {
        const doc = JSON.parse(arm.manifest.bytes.toString()) as { config: Record<string, unknown> };
        const odd = manifestBlob({ ...doc, config: { ...doc.config, mediaType: 'application/vnd.example.config.v1+json' } });
        await putBlob(w, odd);
        return { root: indexOf([amdEntry(amd), { ...odd.descriptor, platform: { os: 'linux', architecture: 'arm64' } }]), hidden: odd.descriptor.digest };
      },
      'fail',
    ],
    [
      'whose every layer is encrypted',
      async (w, { amd, arm }) => {
        const doc = JSON.parse(arm.manifest.bytes.toString()) as { config: Record<string, unknown>; layers: Record<string, unknown>[] };
        const sealed = manifestBlob({ ...doc, config: { ...doc.config, mediaType: 'application/vnd.example.config.v1+json' }, layers: doc.layers.map((l) => ({ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted' })) });
        await putBlob(w, sealed);
        return { root: indexOf([amdEntry(amd), { ...sealed.descriptor, platform: { os: 'linux', architecture: 'arm64' } }]), hidden: sealed.descriptor.digest };
      },
      'incomplete',
    ],
  ];

  it.each(cases)('a vulnerable arm64 child %s is scanned or makes the verdict incomplete, and nothing is signed', async (_name, hide, verdict) => {
    const repo = uniqueRepo('fc');
    const writer = registrySource(repo).writer;
    const p = await platforms(writer);
    const { root, hidden } = await hide(writer, p);
    await writer.putManifest('multi', root.bytes, MediaType.ociIndex);
    const out = await run(`registry:${host}/${repo}:multi`);
    expect(out.scan?.verdict).toBe(verdict);
    expect(out.signing?.signed).toBe(false);
    const planned = out.artifact.targets.map((t) => t.digest);
    expect(planned).toContain(hidden);
    expect(await signaturesOf(writer, [root.descriptor.digest, ...planned])).toEqual([]);
    const types = alerts().map((a) => a['detail-type']);
    if (verdict === 'fail') {
      expect(out.sbom?.documents.map((d) => d.manifestDigest)).toContain(hidden);
      expect(types).toContain('Vulnerabilities Found');
    } else {
      expect(out.sbom?.uninventoried.map((u) => u.digest)).toEqual([hidden]);
      const incomplete = alerts().find((a) => a['detail-type'] === 'Scan Incomplete');
      expect(incomplete?.detail.summary).toContain(`manifest ${hidden} (linux/arm64) was not inventoried`);
    }
  });

  it('leaves a genuine BuildKit attestation manifest unsigned and signs the platforms before the index', async () => {
    const repo = uniqueRepo('fc');
    const writer = registrySource(repo).writer;
    const amd = await buildImage({ layers: [lodash('4.17.21')], architecture: 'amd64' });
    await pushImage(writer, amd, undefined);
    const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha256: amd.manifest.descriptor.digest.slice(7) } }], predicateType: 'https://slsa.dev/provenance/v0.2', predicate: {} }));
    const layer = await writer.pushBlob(statement);
    const config = await writer.pushBlob(Buffer.from('{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}'));
    const att = manifestBlob({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, ...config },
      layers: [{ mediaType: MediaType.inTotoJson, ...layer, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
    });
    await putBlob(writer, att);
    const root = indexOf([
      amdEntry(amd),
      { ...att.descriptor, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.manifest.descriptor.digest } },
    ]);
    await writer.putManifest('multi', root.bytes, MediaType.ociIndex);
    const out = await run(`registry:${host}/${repo}:multi`);
    expect(out.artifact.targets.map((t) => [t.role, t.digest])).toEqual([
      ['image', amd.manifest.descriptor.digest],
      ['attestation', att.descriptor.digest],
      ['index', root.descriptor.digest],
    ]);
    expect(out.scan?.verdict).toBe('pass');
    expect(out.signing?.signatures?.map((s) => s.digest)).toEqual([amd.manifest.descriptor.digest, root.descriptor.digest]);
    expect(await signaturesOf(writer, [att.descriptor.digest])).toEqual([]);
  });
});

describe('what cannot be inventoried or scanned is incomplete, alerted and unsigned', () => {
  it('an artifact of opaque files only (a file component, not matchable); signed only when the operator accepts uninventoried artifacts', async () => {
    const repo = uniqueRepo('fc');
    const writer = registrySource(repo).writer;
    const config = await writer.pushBlob(Buffer.from('{"kind":"firmware"}'));
    const layer = await writer.pushBlob(Buffer.from('opaque bytes'));
    const m = manifestBlob({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: 'application/vnd.example.firmware.config.v1+json', ...config }, layers: [{ mediaType: 'application/octet-stream', ...layer }] });
    await writer.putManifest('fw-1', m.bytes, MediaType.ociManifest);
    const out = await run(`registry:${host}/${repo}:fw-1`);
    expect(out.artifact.kind).toBe('artifact');
    expect(out.sbom?.documents.map((d) => d.byType)).toEqual([{ file: 1 }]);
    expect(out.scan).toMatchObject({ verdict: 'incomplete' });
    expect(out.scan?.reason).toMatch(/cannot be matched against OSV data: purl type "generic" has no OSV ecosystem.*signUninventoriedArtifacts/);
    expect(out.signing?.signed).toBe(false);
    expect(await signaturesOf(writer, [m.descriptor.digest])).toEqual([]);
    expect(alerts().map((a) => a['detail-type'])).toContain('Scan Incomplete');

    const accepting = await openEnv({ home: path.join(home, 'accepting'), acceptUninventoried: true });
    try {
      const again = await run(`registry:${host}/${repo}:fw-1`, accepting);
      expect(again.scan?.verdict).toBe('skipped');
      expect(again.signing?.signed).toBe(true);
      expect(await signaturesOf(writer, [m.descriptor.digest])).toEqual([m.descriptor.digest]);
    } finally {
      await accepting.close();
    }
  });

  it('a layer of an unknown media type', async () => {
    const repo = uniqueRepo('fc');
    const writer = registrySource(repo).writer;
    const image = await buildImage({ layers: [lodash('4.17.21')] });
    const hidden = await writer.pushBlob(Buffer.from('a layer the SBOM cannot read'));
    const doc = JSON.parse(image.manifest.bytes.toString()) as { layers: unknown[] };
    const m = manifestBlob({ ...doc, layers: [...doc.layers, { mediaType: 'application/vnd.example.layer.v1+squashfs', ...hidden }] });
    for (const b of [image.config, ...image.layers]) await writer.pushBlob(b.bytes);
    await writer.putManifest('v1', m.bytes, MediaType.ociManifest);
    const out = await run(`registry:${host}/${repo}:v1`);
    expect(out.sbom?.documents[0]?.gaps).toBe(1);
    expect(out.scan?.verdict).toBe('incomplete');
    expect(out.scan?.gaps.join('\n')).toContain(hidden.digest);
    expect(out.signing?.signed).toBe(false);
    expect(await signaturesOf(writer, [m.descriptor.digest])).toEqual([]);
  });

  it('a package.json padded past the npm cap and a dpkg status past its cap', async () => {
    const repo = uniqueRepo('fc');
    const cap = (name: string): number => catalogers.find((c) => c.name === name)!.maxFileSize;
    const padded = JSON.stringify({ name: 'lodash', version: '4.17.4', description: 'x'.repeat(cap('npm')) });
    const status = `Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\nDescription: ${'y'.repeat(cap('dpkg'))}\n`;
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'app/node_modules/lodash/package.json', content: padded }, { path: 'var/lib/dpkg/status', content: status }]] });
    const out = await run(`registry:${host}/${repo}:v1`);
    expect(out.scan?.verdict).toBe('incomplete');
    const gaps = out.scan?.gaps.join('\n') ?? '';
    expect(gaps).toContain('app/node_modules/lodash/package.json');
    expect(gaps).toContain('var/lib/dpkg/status');
    expect(await signaturesOf(registrySource(repo).writer, [image.manifest.descriptor.digest])).toEqual([]);
  });

  it('a version that cannot be ordered for a package that has records', async () => {
    const repo = uniqueRepo('fc');
    const image = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.4.0')] });
    const out = await run(`registry:${host}/${repo}:v1`);
    expect(out.scan?.verdict).toBe('incomplete');
    expect(out.scan?.gaps.join('\n')).toMatch(/lodash@4\.17\.4\.0/);
    expect(await signaturesOf(registrySource(repo).writer, [image.manifest.descriptor.digest])).toEqual([]);
  });

  it('an ecosystem, or a distribution release, that the data does not cover', async () => {
    const repo = uniqueRepo('fc');
    const pypi = await pushTestImage(repo, 'py', { layers: [[{ path: 'usr/lib/python3/site-packages/requests-2.31.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n' }]] });
    const py = await run(`registry:${host}/${repo}:py`);
    expect(py.scan?.verdict).toBe('incomplete');
    expect(py.scan?.gaps.join('\n')).toMatch(/PyPI/);

    const debianData = ['DLA-3008-1', 'DLA-3051-1', 'DSA-3029-1'].map(fixtureRecord);
    expect(new Set(debianData.flatMap((r) => (r.affected ?? []).map((a) => a.package.ecosystem)))).not.toContain('Debian:12');
    const old = await openEnv({ home: path.join(home, 'debian'), vulnerabilities: OfflineOsvSource.fromRecords('debian 7-10', debianData) });
    try {
      const deb = await pushTestImage(repo, 'deb', {
        layers: [[
          { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
          { path: 'var/lib/dpkg/status', content: 'Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\n\n' },
        ]],
      });
      const out = await run(`registry:${host}/${repo}:deb`, old);
      expect(out.scan?.verdict).toBe('incomplete');
      expect(out.scan?.gaps.join('\n')).toMatch(/Debian:12/);
      expect(await signaturesOf(registrySource(repo).writer, [pypi.manifest.descriptor.digest, deb.manifest.descriptor.digest])).toEqual([]);
    } finally {
      await old.close();
    }
  });
});

describe('signOnFindings accepts known findings, never a doubt', () => {
  it('signs a failing image whose scan is complete, not one whose scan also has gaps', async () => {
    const repo = uniqueRepo('fc');
    const lenient = await openEnv({ home: path.join(home, 'lenient'), signOnFindings: true });
    try {
      const known = await pushTestImage(repo, 'known', { layers: [lodash('4.17.4')] });
      const a = await run(`registry:${host}/${repo}:known`, lenient);
      expect(a.scan).toMatchObject({ verdict: 'fail', gapsTotal: 0 });
      expect(a.signing?.signed).toBe(true);
      const doubt = await pushTestImage(repo, 'doubt', { layers: [[...lodash('4.17.4'), { path: 'usr/lib/python3/site-packages/idna-3.4.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: idna\nVersion: 3.4\n' }]] });
      const b = await run(`registry:${host}/${repo}:doubt`, lenient);
      expect(b.scan).toMatchObject({ verdict: 'fail', gapsTotal: 1 });
      expect(b.signing).toMatchObject({ signed: false, reason: expect.stringMatching(/and is incomplete/) });
      expect(await signaturesOf(registrySource(repo).writer, [known.manifest.descriptor.digest, doubt.manifest.descriptor.digest])).toEqual([known.manifest.descriptor.digest]);
    } finally {
      await lenient.close();
    }
  });
});

describe('what is read is what was recorded', () => {
  const steps = () => {
    const open = (spec: Parameters<typeof openSource>[0]) => openSource(spec);
    const now = () => new Date();
    return {
      resolve: createResolveStep({ openSource: open, records: env.records, now }),
      sbom: createSbomStep({ openSource: open, evidence: env.evidence, cache: env.layerCache, metrics: env.metrics, now }),
      scan: createScanStep({ source: env.vulnerabilities, evidence: env.evidence, threshold: 'high', metrics: env.metrics, now }),
      sign: createSignStep({ signer: env.signer, signOnFindings: false, evidence: env.evidence, now }),
      attach: createAttachStep({ openSource: open, evidence: env.evidence, metrics: env.metrics }),
    };
  };

  it('a tag moved between Resolve and SBOM: every step reads the pinned digest, and only it is signed', async () => {
    const repo = uniqueRepo('fc');
    const first = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.21')] });
    const s = steps();
    const artifact = await s.resolve({ source: `${host}/${repo}:v1` });
    expect(artifact.source).toBe(`registry:${host}/${repo}@${first.manifest.descriptor.digest}`);
    const second = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.4')] });
    let state = { artifact } as WorkflowState;
    state = { ...state, sbom: await s.sbom(state) };
    expect(state.sbom?.documents.map((d) => d.manifestDigest)).toEqual([first.manifest.descriptor.digest]);
    state = { ...state, scan: await s.scan(state) };
    expect(state.scan?.verdict).toBe('pass');
    state = { ...state, signatures: await s.sign(state) };
    const signing = await s.attach(state);
    expect(signing.signatures?.map((x) => x.digest)).toEqual([first.manifest.descriptor.digest]);
    expect(await signaturesOf(registrySource(repo).writer, [second.manifest.descriptor.digest])).toEqual([]);
  });

  it('the key is used only by Sign: an Attach whose state claims an approval Sign did not give publishes no signature', async () => {
    const repo = uniqueRepo('fc');
    const image = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.4')] });
    const digest = image.manifest.descriptor.digest;
    const s = steps();
    let state = { artifact: await s.resolve({ source: `${host}/${repo}:v1` }) } as WorkflowState;
    state = { ...state, sbom: await s.sbom(state) };
    state = { ...state, scan: await s.scan(state) };
    expect(state.scan?.verdict).toBe('fail');
    const signed = await s.sign(state);
    // Statements are signed whatever the verdict (SLSA provenance, SBOM, scan), the approvals not.
    expect(signed).toMatchObject({ approved: false, reason: expect.stringMatching(/^not signed: the scan found vulnerabilities/) });
    expect(signed.signatures).toHaveLength(3);
    // A parser bug (or a forged state) in the publishing function turns the refusal into an approval.
    const forged = { ...state, signatures: { ...signed, approved: true } };
    await expect(s.attach(forged)).rejects.toThrow(/the signer did not sign these bytes/);
    expect(await signaturesOf(registrySource(repo).writer, [digest])).toEqual([]);
    // The honest state attaches the attestations and still no signature.
    const honest = await s.attach({ ...state, signatures: signed });
    expect(honest).toMatchObject({ signed: false });
    expect(honest.attestations.map((a) => a.type).sort()).toEqual(['cyclonedx', 'slsaprovenance1', 'vuln']);
    expect(await signaturesOf(registrySource(repo).writer, [digest])).toEqual([]);
  });

  it('a layout rewritten between steps fails the step instead of reading another artifact', async () => {
    const repo = uniqueRepo('fc');
    const first = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.21')] });
    const s = steps();
    const artifact = await s.resolve({ source: `${host}/${repo}:v1` });
    const second = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.4')] });
    // A state whose source is not pinned (as a local layout's is not) must still be checked.
    const unpinned = { ...artifact, source: `registry:${host}/${repo}:v1` };
    await expect(s.sbom({ artifact: unpinned } as WorkflowState)).rejects.toThrow(new IntegrityError(`registry:${host}/${repo}:v1 now resolves to ${second.manifest.descriptor.digest}, not the ${first.manifest.descriptor.digest} being processed`));
  });

  it('an evidence object changed after it was written fails the run with an alert, and is never overwritten', async () => {
    const repo = uniqueRepo('fc');
    await pushTestImage(repo, 'v1', { layers: [lodash('4.17.21')] });
    const s = steps();
    let state = { artifact: await s.resolve({ source: `${host}/${repo}:v1` }) } as WorkflowState;
    state = { ...state, sbom: await s.sbom(state) };
    const doc = state.sbom!.documents[0]!;
    const file = env.evidence.location(doc.cyclonedx.key);
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('4.17.21', '4.17.22'));
    const err = await s.scan(state).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err?.message).toContain('was modified after it was written');
    const [alert] = alertsFor({ ...state, error: { Error: 'IntegrityError', Cause: JSON.stringify({ errorMessage: err?.message }) } });
    expect(alert).toMatchObject({ type: 'Workflow Failed' });
    expect(alert?.detail.summary).toContain(doc.cyclonedx.key);

    // A retry of the SBOM step writes new documents beside the tampered one; it never replaces it.
    const tampered = fs.readFileSync(file);
    const again = await s.sbom(state);
    expect(fs.readFileSync(file)).toEqual(tampered);
    expect(again.documents[0]?.cyclonedx.sha256).not.toBe(createHash('sha256').update(tampered).digest('hex'));
  });
});

describe('every push is recorded, and evidence tags hold evidence', () => {
  it('a runnable image pushed under a sha256-<hex>.sig tag is a Policy Violation, recorded and never processed', async () => {
    const repo = uniqueRepo('fc');
    const target = await pushTestImage(repo, 'v1', { layers: [lodash('4.17.21')] });
    const tag = `${target.manifest.descriptor.digest.replace(':', '-')}.sig`;
    const parked = await pushTestImage(repo, tag, { layers: [lodash('4.17.4')] });
    // In AWS a sha256-* tag goes to the evidence check (the same Resolve, Record and Notify steps).
    const open = (spec: Parameters<typeof openSource>[0]) => openSource(spec);
    const check = createEvidenceCheck({
      resolve: createResolveStep({ openSource: open, records: env.records, now: () => new Date() }),
      record: createRecordStep({ records: env.records, now: () => new Date(), metrics: env.metrics }),
      notify: createNotifyStep({ alerts: env.alerts, metrics: env.metrics, records: env.records, now: () => new Date() }),
    });
    const out = await check({ source: `registry:${host}/${repo}:${tag}` });
    expect(out.artifact.evidence).toMatchObject({ claim: 'signature', valid: false });
    expect(out.alerts).toEqual(['Policy Violation']);
    expect(out.record?.policyViolation?.reason).toMatch(/filesystem layer/);
    // Locally (process) the state machine's evidence branch does the same, and never processes it.
    const local = await run(`registry:${host}/${repo}:${tag}`);
    expect(local.sbom).toBeUndefined();
    expect(local.record?.policyViolation?.reason).toBe(out.record.policyViolation?.reason);
    const stored = await env.records.getArtifact(`${host}/${repo}`, parked.manifest.descriptor.digest);
    expect(stored?.kind).toBe('image');
    // Two checks (the evidence check, then the local run): one violation event each.
    expect((await env.records.listEvents(`${host}/${repo}`, parked.manifest.descriptor.digest)).map((e) => e.type)).toEqual(['PolicyViolation', 'PolicyViolation']);
    const violation = alerts().find((a) => a['detail-type'] === 'Policy Violation');
    expect(violation?.detail.summary).toContain(`tag ${host}/${repo}:${tag}`);

    // A tag that only starts like one is refused too: sha256-* tags are never processed.
    await pushTestImage(repo, 'sha256-latest', { layers: [lodash('4.17.4')] });
    const fake = await check({ source: `registry:${host}/${repo}:sha256-latest` });
    expect(fake.artifact.evidence).toMatchObject({ claim: 'evidence-tag', valid: false });
    expect(fake.alerts).toEqual(['Policy Violation']);
  });

  it('a referrer whose subject is not in the repository, and evidence under a release tag, are violations', async () => {
    const repo = uniqueRepo('fc');
    const writer = registrySource(repo).writer;
    const config = await writer.pushBlob(Buffer.from('{}'));
    const sbom = await writer.pushBlob(Buffer.from('{"bomFormat":"CycloneDX"}'));
    const ghost = { mediaType: MediaType.ociManifest, digest: `sha256:${'ab'.repeat(32)}`, size: 10 };
    const referrer = manifestBlob({ schemaVersion: 2, mediaType: MediaType.ociManifest, artifactType: 'application/vnd.cyclonedx+json', config: { mediaType: MediaType.ociEmpty, ...config }, layers: [{ mediaType: 'application/vnd.cyclonedx+json', ...sbom }], subject: ghost });
    await writer.putManifest('sbom-for-ghost', referrer.bytes, MediaType.ociManifest);
    const out = await run(`registry:${host}/${repo}:sbom-for-ghost`);
    expect(out.artifact.evidence).toMatchObject({ claim: 'referrer', subject: ghost.digest, valid: false });
    expect(out.record?.policyViolation?.reason).toContain('not in the repository');

    const sig = await writer.pushBlob(Buffer.from('{"critical":{}}'));
    const cosignLike = manifestBlob({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, ...config }, layers: [{ mediaType: MediaType.cosignSimpleSigning, ...sig }] });
    await writer.putManifest('release-1', cosignLike.bytes, MediaType.ociManifest);
    const tagged = await run(`registry:${host}/${repo}:release-1`);
    expect(tagged.artifact.evidence).toMatchObject({ claim: 'attachment', valid: false });
    expect(alerts().filter((a) => a['detail-type'] === 'Policy Violation')).toHaveLength(2);
  });
});
