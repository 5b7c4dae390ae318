import type { ArtifactTarget } from '../../lambdas/oci/artifact-plan';
import { planArtifact } from '../../lambdas/oci/artifact-plan';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { KmsSigner } from '../../lambdas/adapters/aws/kms-signer';
import { FsBlobStore } from '../../lambdas/adapters/local/fs-blob-store';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import type { AttestSummary } from '../../lambdas/attest/attest-artifact';
import { attestArtifact } from '../../lambdas/attest/attest-artifact';
import { attestationTag } from '../../lambdas/attest/att-manifest';
import { parseEnvelope } from '../../lambdas/attest/dsse';
import { parsePolicy } from '../../lambdas/attest/policy';
import { PREDICATE_TYPES } from '../../lambdas/attest/predicate-types';
import { verifyWithPolicy } from '../../lambdas/attest/verify-policy';
import { workflowStatements } from '../../lambdas/workflow/attestations';
import { buildImage, buildIndex, pushImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import { openSource } from '../../lambdas/oci/open-source';
import { MediaType } from '../../lambdas/oci/media-types';
import { parseReference } from '../../lambdas/oci/reference';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { generateSbom } from '../../lambdas/sbom/generate';
import { cycloneDxJson } from '../../lambdas/sbom/writers/cyclonedx';
import { validateCycloneDx } from '../../lambdas/sbom/writers/cyclonedx-validate';
import { signArtifact } from '../../lambdas/signing/sign-artifact';
import type { JsonValue } from '../../lambdas/signing/strict-json';
import type { ResolvedArtifact } from '../../lambdas/workflow/state';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { p256Key, tempDir } from '../unit/signing/helpers';
import { FakeKms } from '../support/fake-kms';

const host = testRegistry().host;
const client = new RegistryClient({ registry: host });
const k1 = p256Key();
const signer = PemFileSigner.fromPem(k1.privatePem, 'k1.pem');
const keys = [{ name: 'k1.pub', key: k1.publicKey }];
const work = tempDir('attest-wf');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const DPKG_STATUS = fs.readFileSync(path.join(__dirname, '..', '..', 'lambdas', 'sbom', 'catalogers', 'dpkg', 'fixtures', 'status'));
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

function source(repo: string, at = ':v1'): RegistrySource {
  return new RegistrySource(parseReference(`${host}/${repo}${at}`), client);
}

/** @sigstore/verify on a stored bundle, with the key finder and every threshold 0. */
function sigstoreAccepts(file: string, publicKey = k1.publicKey): boolean {
  const trust = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [], publicKey: () => ({ publicKey, validFor: () => true }) };
  try {
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundleFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')))));
    return true;
  } catch {
    return false;
  }
}

function report(findings: JsonValue[]): JsonValue {
  return { format: 'artifact-guard/scan-report@1', generatedAt: '2026-03-01T10:05:00Z', verdict: 'pass', findings };
}

/** A two-platform Debian-like index pushed to the registry, with SBOMs made by the SBOM engine. */
async function pushedIndex(repo: string): Promise<{ repo: string; index: string; platforms: Record<string, string>; sboms: Map<string, string> }> {
  const images = await Promise.all(
    ['amd64', 'arm64'].map((arch) =>
      buildImage({
        layers: [[{ path: 'etc/os-release', content: OS_RELEASE }, { path: 'var/lib/dpkg/status', content: DPKG_STATUS }]],
        architecture: arch,
        labels: { 'org.opencontainers.image.source': 'https://github.com/example/app', 'org.opencontainers.image.revision': 'b'.repeat(40), 'org.opencontainers.image.created': '2026-03-01T09:00:00Z' },
      }),
    ),
  );
  const writer = source(repo).writer;
  for (const img of images) await pushImage(writer, img, undefined);
  const index = buildIndex(images.map((image, i) => ({ image, architecture: i === 0 ? 'amd64' : 'arm64' })));
  await writer.putManifest('v1', index.bytes, MediaType.ociIndex);
  const platforms = { 'linux/amd64': images[0]!.manifest.descriptor.digest, 'linux/arm64': images[1]!.manifest.descriptor.digest };
  const sbom = await generateSbom(source(repo), `${host}/${repo}`);
  const sboms = new Map(sbom.images.map((img) => [img.manifestDigest, cycloneDxJson(sbom.subject, img, { timestamp: new Date('2026-03-01T10:00:00Z') })]));
  return { repo, index: index.descriptor.digest, platforms, sboms };
}

function artifactFor(repo: string, digest: string, platforms: Record<string, string>, targets: readonly ArtifactTarget[]): ResolvedArtifact {
  return {
    source: `${host}/${repo}:v1`,
    repositoryName: `${host}/${repo}`,
    digest,
    mediaType: MediaType.ociIndex,
    kind: 'index',
    tag: 'v1',
    platforms: Object.entries(platforms).map(([platform, d]) => ({ digest: d, mediaType: MediaType.ociManifest, platform })),
    targets,
    provenance: { source: 'https://github.com/example/app', revision: 'b'.repeat(40), created: '2026-03-01T09:00:00Z', buildId: '7', pipeline: 'https://github.com/example/app/.github/workflows/build.yml' },
    trigger: { type: 'manual', id: 'evt-9', time: '2026-03-01T09:01:00Z' },
    duplicate: false,
  };
}

const policy = parsePolicy('maxAge: 7d\nattestations: [slsaprovenance1, cyclonedx, vuln]\nvulnerabilities: { failOn: high }\nprovenance: { sourceRepositories: [https://github.com/example/app] }');
const now = () => new Date('2026-03-02T00:00:00Z');

describe('the workflow\'s attestations for a multi-arch index, end to end on the real registry', () => {
  let summary: AttestSummary;
  let fixture: Awaited<ReturnType<typeof pushedIndex>>;
  const bundles = new FsBlobStore(path.join(work, 'evidence'));

  beforeAll(async () => {
    const repo = uniqueRepo('wf');
    fixture = await pushedIndex(repo);
    const { index, platforms, sboms } = fixture;
    const statements = workflowStatements({
      artifact: artifactFor(repo, index, platforms, (await planArtifact(source(repo))).targets),
      sboms: [...sboms].map(([manifestDigest, cyclonedx]) => ({ manifestDigest, cyclonedx })),
      scans: Object.values(platforms).map((d) => ({ manifestDigest: d, report: report([{ id: 'CVE-2024-1', severity: 'low', suppressed: false }]), startedOn: '2026-03-01T10:04:00Z', finishedOn: '2026-03-01T10:05:00Z' })),
      attestor: 'aws://123456789012/eu-west-1',
    });
    await signArtifact({ source: source(repo), signer });
    summary = await attestArtifact({ source: source(repo), signer, statements, bundles, bundleKeyPrefix: `evidence/${host}/${repo}/${index.replace(':', '-')}/bundles` });
  });

  it('attests provenance on the index and each platform, SBOM and scan on each platform', () => {
    const { index, platforms } = fixture;
    const amd = platforms['linux/amd64'];
    const arm = platforms['linux/arm64'];
    expect(summary.attestations.map((a) => [a.type, a.digest])).toEqual([
      ['slsaprovenance1', amd],
      ['cyclonedx', amd],
      ['vuln', amd],
      ['slsaprovenance1', arm],
      ['cyclonedx', arm],
      ['vuln', arm],
      ['slsaprovenance1', index],
    ]);
    expect(JSON.parse(JSON.stringify(summary.attestations[6]))).toEqual({
      type: 'slsaprovenance1',
      predicateType: PREDICATE_TYPES.slsaprovenance1,
      digest: index,
      att: { tag: attestationTag(index), layerDigest: expect.stringMatching(/^sha256:/), outcome: 'appended', manifest: expect.stringMatching(/^sha256:/) },
      bundle: { key: expect.stringMatching(new RegExp(`^evidence/.*/bundles/${index.replace(':', '-')}/slsaprovenance1-[0-9a-f]{16}\\.sigstore\\.json$`)), location: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      referrer: { mode: 'fallback-tag', digest: expect.stringMatching(/^sha256:/), tag: index.replace(':', '-') },
    });
  });

  it('every bundle in the evidence store is accepted by @sigstore/verify offline with the public key (and not with another)', () => {
    for (const a of summary.attestations) expect(sigstoreAccepts(a.bundle.location)).toBe(true);
    expect(sigstoreAccepts(summary.attestations[0]!.bundle.location, p256Key().publicKey)).toBe(false);
  });

  it('the CycloneDX attestation carries the platform\'s whole, schema-valid SBOM', async () => {
    const arm = fixture.platforms['linux/arm64']!;
    const att = await client.getManifest(fixture.repo, attestationTag(arm));
    if (att.manifest.kind !== 'manifest') throw new Error('not a manifest');
    const layer = att.manifest.layers.find((l) => l.annotations?.predicateType === PREDICATE_TYPES.cyclonedx)!;
    const env = parseEnvelope(await client.readBlob(fixture.repo, layer, 1 << 24));
    if (!env.ok) throw new Error(env.reason);
    const statement = JSON.parse(env.envelope.payload.toString()) as { subject: unknown; predicate: { components: unknown[] } };
    expect(statement.subject).toEqual([{ name: `${host}/${fixture.repo}`, digest: { sha256: arm.slice(7) } }]);
    expect(await validateCycloneDx(JSON.stringify(statement.predicate))).toEqual([]);
    expect(statement.predicate).toEqual(JSON.parse(fixture.sboms.get(arm)!));
    expect(statement.predicate.components.length).toBeGreaterThan(3);
  });

  it('verify --policy on the index: allowed through the platform manifests\' SBOM and scan attestations', async () => {
    const out = await verifyWithPolicy({ source: source(fixture.repo), keys, policy, now });
    expect(out.reasons).toEqual([]);
    expect(out.allowed).toBe(true);
    expect(out.attestations.map((a) => [a.type, a.used.map((u) => u.platform ?? 'index')])).toEqual([
      ['slsaprovenance1', ['index']],
      ['cyclonedx', ['linux/amd64', 'linux/arm64']],
      ['vuln', ['linux/amd64', 'linux/arm64']],
    ]);
    // A platform checked directly has everything itself.
    expect((await verifyWithPolicy({ source: source(fixture.repo, `@${fixture.platforms['linux/arm64']}`), keys, policy, now })).allowed).toBe(true);
  });

  it('a platform whose newer scan has a high finding denies the index, naming the platform', async () => {
    const arm = fixture.platforms['linux/arm64']!;
    const rescan = workflowStatements({
      artifact: artifactFor(fixture.repo, fixture.index, fixture.platforms, (await planArtifact(source(fixture.repo))).targets),
      scans: [{ manifestDigest: arm, report: report([{ id: 'CVE-2024-9', severity: 'high', suppressed: false }]), startedOn: '2026-03-01T11:00:00Z', finishedOn: '2026-03-01T11:00:00Z' }],
    }).filter((s) => s.predicateType === PREDICATE_TYPES.vuln);
    await attestArtifact({ source: source(fixture.repo), signer, statements: rescan, bundles, bundleKeyPrefix: 'rescan' });
    const out = await verifyWithPolicy({ source: source(fixture.repo), keys, policy, now });
    expect(out.reasons).toEqual([expect.stringMatching(/^linux\/arm64: vulnerabilities: 1 unsuppressed finding at or above high \(1 high\): CVE-2024-9 \(high\)/)]);
  });
});

describe('a platform missing an attestation', () => {
  it('denies the index and says which platform lacks it', async () => {
    const repo = uniqueRepo('wf-missing');
    const fx = await pushedIndex(repo);
    const amd = fx.platforms['linux/amd64']!;
    await attestArtifact({
      source: source(repo),
      signer,
      statements: [{ predicateType: PREDICATE_TYPES.vuln, predicate: { scanner: { result: report([]) }, metadata: { scanStartedOn: '2026-03-01T10:00:00Z', scanFinishedOn: '2026-03-01T10:00:00Z' } }, subjectDigest: amd }],
      bundles: new FsBlobStore(path.join(work, 'm')),
      bundleKeyPrefix: 'm',
    });
    const out = await verifyWithPolicy({ source: source(repo), keys, policy: parsePolicy('signature: false\nattestations: [vuln]'), now });
    expect(out.allowed).toBe(false);
    expect(out.reasons[0]).toMatch(/^vuln attestation: none verified for the index sha256:[0-9a-f]{64} nor for every platform manifest/);
    expect(out.reasons[0]).toMatch(/linux\/arm64: none verified for sha256:/);
    expect(out.reasons[0]).not.toMatch(/linux\/amd64: none/);
  });
});

describe('signers and sources', () => {
  it('the KMS signer (aws-sdk-client-mock doing real ECDSA over the digest) attests verifiably', async () => {
    const kmsKey = p256Key();
    const kms = new FakeKms(kmsKey);
    try {
      const repo = uniqueRepo('wf-kms');
      const image = await buildImage({ layers: [[{ path: 'etc/id', content: repo }]] });
      await pushImage(source(repo).writer, image, 'v1');
      const kmsSigner = new KmsSigner(new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), 'alias/artifact-guard-signing');
      const statements = [{ predicateType: PREDICATE_TYPES.vuln, predicate: { scanner: { result: report([]) }, metadata: { scanStartedOn: '2026-03-01T10:00:00Z', scanFinishedOn: '2026-03-01T10:00:00Z' } } }];
      const out = await attestArtifact({ source: source(repo), signer: kmsSigner, statements, bundles: new FsBlobStore(path.join(work, 'kms')), bundleKeyPrefix: 'kms', signatureBundle: true });
      expect(out.keyId).toBe('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      expect(out.attestations.map((a) => a.type)).toEqual(['vuln', 'cosign-sign']);
      expect(out.attestations[1]?.att).toBeUndefined();
      // One KMS Sign per statement: the bundle reuses the .att envelope's signature.
      expect(kms.stub.commandCalls((await import('@aws-sdk/client-kms')).SignCommand)).toHaveLength(2);
      for (const a of out.attestations) expect(sigstoreAccepts(a.bundle.location, kmsKey.publicKey)).toBe(true);
      const cosignSign = JSON.parse(fs.readFileSync(out.attestations[1]!.bundle.location, 'utf8')) as { dsseEnvelope: { payload: string } };
      expect(JSON.parse(Buffer.from(cosignSign.dsseEnvelope.payload, 'base64').toString())).toEqual({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: image.manifest.descriptor.digest.slice(7) } }],
        predicateType: 'https://sigstore.dev/cosign/sign/v1',
        predicate: {},
      });
      const verdict = await verifyWithPolicy({ source: source(repo), keys: [{ name: 'kms', key: kmsKey.publicKey }], policy: parsePolicy('signature: false\nattestations: [vuln]'), now });
      expect(verdict.allowed).toBe(true);
    } finally {
      await kms.close();
    }
  });

  it('an OCI layout on disk (oci-dir) gets .att, bundles and a fallback referrers index too', async () => {
    const dir = path.join(work, 'layout');
    const image = await buildImage({ layers: [[{ path: 'etc/id', content: 'layout' }]] });
    writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
    const open = () => openSource({ scheme: 'oci-dir', location: dir, tag: 'v1' });
    const statements = [{ predicateType: PREDICATE_TYPES.vuln, predicate: { scanner: { result: report([]) }, metadata: { scanStartedOn: '2026-03-01T10:00:00Z', scanFinishedOn: '2026-03-01T10:00:00Z' } } }];
    const out = await attestArtifact({ source: await open(), signer, statements, bundles: new FsBlobStore(path.join(work, 'layout-ev')), bundleKeyPrefix: 'l' });
    expect(out.attestations[0]?.referrer).toMatchObject({ mode: 'fallback-tag' });
    const verdict = await verifyWithPolicy({ source: await open(), keys, policy: parsePolicy('signature: false\nevidence: att\nattestations: [vuln]'), now });
    expect(verdict.attestations[0]?.used.map((u) => u.origin.replace(/sha256[:-][0-9a-f]+/g, 'D'))).toEqual(['D.att layer 0']);
    const viaBundle = await verifyWithPolicy({ source: await open(), keys, policy: parsePolicy('signature: false\nevidence: bundle\nattestations: [vuln]'), now });
    expect(viaBundle.allowed).toBe(true);
  });
});
