/** `artifact-guard tree` and `download` (issue 18, point 7) on the real local registry, with evidence made by our own signArtifact / attestArtifact. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FsBlobStore } from '../../lambdas/adapters/local/fs-blob-store';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import { attestArtifact } from '../../lambdas/attest/attest-artifact';
import type { StatementSpec } from '../../lambdas/attest/attest-artifact';
import { parseEnvelope, verifyEnvelope } from '../../lambdas/attest/dsse';
import { PREDICATE_TYPES } from '../../lambdas/attest/predicate-types';
import { vulnPredicate } from '../../lambdas/attest/predicates/vuln';
import { EMPTY_CONFIG, attachReferrer, referrersFallbackTag } from '../../lambdas/attest/referrers';
import { digestOf } from '../../lambdas/oci/digest';
import { MediaType } from '../../lambdas/oci/media-types';
import type { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { publicKeyHint } from '../../lambdas/signing/ecdsa';
import { signArtifact } from '../../lambdas/signing/sign-artifact';
import { expectOneErrorLine, runCli } from '../support/cli';
import { writeImageLayout } from '../support/image-layout';
import { pushTestImage, pushTwoPlatformIndex, registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { p256Key, tempDir, writeKey } from '../unit/signing/helpers';

const host = testRegistry().host;
const work = tempDir('tree-download');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const key1 = p256Key();
const key2 = p256Key();
const k1 = writeKey(work, 'k1', key1);
const k2 = writeKey(work, 'k2', key2);
const signer1 = PemFileSigner.fromPem(key1.privatePem, 'k1.pem');
const signer2 = PemFileSigner.fromPem(key2.privatePem, 'k2.pem');
const env = { ARTIFACT_GUARD_HOME: path.join(work, 'home') };

const provenance: StatementSpec = {
  predicateType: PREDICATE_TYPES.slsaprovenance1,
  predicate: { buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: {} }, runDetails: { builder: { id: 'https://ci.example.com' }, metadata: { finishedOn: '2026-01-01T00:00:00Z' } } },
};
const sbomAt = (timestamp: string, name: string): StatementSpec => ({
  predicateType: PREDICATE_TYPES.cyclonedx,
  predicate: { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, metadata: { timestamp }, components: [{ type: 'library', name, version: '1.0.0' }] },
});
const report = { format: 'artifact-guard/scan-report@1', verdict: 'pass', findings: [{ id: 'CVE-2026-1', severity: 'low', suppressed: false }] };
const vuln: StatementSpec = { predicateType: PREDICATE_TYPES.vuln, predicate: vulnPredicate({ report, scanStartedOn: '2026-01-02T00:00:00Z', scanFinishedOn: '2026-01-02T00:00:01Z' }) };

async function attest(source: RegistrySource, signer: PemFileSigner, statements: StatementSpec[]): Promise<void> {
  await attestArtifact({ source, signer, statements, bundles: new FsBlobStore(path.join(work, 'bundles')), bundleKeyPrefix: 'evidence' });
}

/** A referrer that is not a Sigstore bundle (an SPDX-like report), attached with our own attachReferrer. */
async function otherReferrer(source: RegistrySource, subject: { mediaType: string; digest: string; size: number }): Promise<string> {
  const blob = Buffer.from('{"report":true}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: 'application/vnd.example.report+json',
      config: { mediaType: MediaType.ociEmpty, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
      layers: [{ mediaType: 'application/json', digest: digestOf(blob), size: blob.length }],
      subject,
    }),
  );
  await attachReferrer(source, subject, manifest, [blob]);
  return digestOf(manifest);
}

/** One image: k1 signs; k1 attests provenance, an old SBOM then a newer one (replacing it in .att; both bundles stay), a vuln report; k2 attests the newest SBOM of all; plus another referrer. */
async function evidencedImage(): Promise<{ ref: string; repo: string; digest: string; referrer: string }> {
  const repo = uniqueRepo('tree');
  const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
  const source = registrySource(repo, 'v1');
  await signArtifact({ source, signer: signer1 });
  await attest(source, signer1, [provenance, sbomAt('2026-01-01T00:00:00Z', 'old'), vuln]);
  await attest(source, signer1, [sbomAt('2026-02-01T00:00:00Z', 'k1-newer')]);
  await attest(source, signer2, [sbomAt('2026-03-01T00:00:00Z', 'k2-newest')]);
  const referrer = await otherReferrer(source, image.manifest.descriptor);
  return { ref: `${host}/${repo}:v1`, repo, digest: image.manifest.descriptor.digest, referrer };
}

let single: Awaited<ReturnType<typeof evidencedImage>>;
beforeAll(async () => {
  single = await evidencedImage();
});

describe('artifact-guard tree', () => {
  it('lists signatures (key hint when a --key verifies), attestations by type, other referrers and the fallback index', async () => {
    const res = await runCli(['tree', single.ref, '--key', k1.pub], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.stdout;
    const hex = single.digest.slice(7);
    expect(out.split('\n')[0]).toBe(`${host}/${single.repo}@${single.digest} (image) from registry:${single.ref}`);
    expect(out).toContain(`├── signatures: sha256-${hex}.sig (sha256:`);
    expect(out).toContain(`│   └── key ${k1.pub} (hint ${publicKeyHint(key1.publicKey)}), identity ${host}/${single.repo}\n`);
    expect(out).toMatch(/├── attestations\n│ {3}├── slsaprovenance1 \(https:\/\/slsa\.dev\/provenance\/v1\)\n/);
    // .att: provenance, vuln, k1's newer SBOM (its older one replaced), k2's SBOM; bundles: every one made.
    expect(out).toMatch(/│ {3}└── cyclonedx \(https:\/\/cyclonedx\.org\/bom\)\n/);
    expect(out.match(new RegExp(`sha256-${hex}\\.att layer \\d sha256:[0-9a-f]{64}: key .*k1\\.pub`, 'g'))).toHaveLength(3);
    expect(out).toMatch(new RegExp(`sha256-${hex}\\.att layer 3 sha256:[0-9a-f]{64}: DSSE signature does not verify with key .*k1\\.pub`));
    expect(out.match(/bundle referrer sha256:[0-9a-f]{64}: key .*k1\.pub/g)).toHaveLength(4);
    expect(out).toMatch(/bundle referrer sha256:[0-9a-f]{64}: bundle signature does not verify/);
    expect(out).toContain(`├── referrers (tag schema)\n│   └── application/vnd.example.report+json\n│       └── ${single.referrer}\n`);
    expect(out).toMatch(new RegExp(`└── referrers fallback index: ${referrersFallbackTag(single.digest)} \\(sha256:[0-9a-f]{64}, 6 entries\\)\\n`));
    expect(out.trimEnd().split('\n').pop()).toBe(`verified with key ${k1.pub} (hint ${publicKeyHint(key1.publicKey)})`);
  });

  it('without --key verifies nothing: signatures by layer digest, marked unverified; -o json has the same facts', async () => {
    const text = await runCli(['tree', single.ref], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`└── layer sha256:[0-9a-f]{64}, identity ${host}/${single.repo} \\(unverified\\)\\n`));
    expect(text.stdout).not.toMatch(/key .*k1\.pub/);
    expect(text.stdout.trimEnd().split('\n').pop()).toBe('nothing verified: give --key PUBKEY to check signatures and attestations');

    const res = await runCli(['tree', single.ref, '-o', 'json', '--key', k2.pub], env);
    expect(res.code).toBe(0);
    const tree = JSON.parse(res.stdout);
    expect(tree).toMatchObject({ reference: `registry:${single.ref}`, repository: `${host}/${single.repo}`, digest: single.digest, kind: 'image', keys: [{ name: k2.pub, hint: publicKeyHint(key2.publicKey) }] });
    const [root] = tree.manifests;
    expect(tree.manifests).toHaveLength(1);
    expect(root.signatures.layers).toEqual([expect.objectContaining({ layer: 0, identity: `${host}/${single.repo}`, problem: `does not verify with ${k2.pub}` })]);
    expect(root.attestations.map((g: { type: string; entries: unknown[] }) => [g.type, g.entries.length])).toEqual([
      ['slsaprovenance1', 2],
      ['vuln', 2],
      ['cyclonedx', 5],
    ]);
    const sboms = root.attestations[2].entries as { via: string; key?: { name: string } }[];
    expect(sboms.filter((e) => e.key?.name === k2.pub).map((e) => e.via)).toEqual(['att', 'bundle']);
    expect(root.referrers).toEqual([{ digest: single.referrer, mediaType: MediaType.ociManifest, artifactType: 'application/vnd.example.report+json', size: expect.any(Number) }]);
    expect(root.referrersVia).toBe('fallback-tag');
    expect(root.fallbackIndex).toMatchObject({ tag: referrersFallbackTag(single.digest), entries: 6 });
  });

  it('an index: each platform manifest with its own evidence; nothing attached is said', async () => {
    const repo = uniqueRepo('tree-index');
    const source = registrySource(repo, 'v1');
    const { arm, index } = await pushTwoPlatformIndex(source.writer, 'v1');
    await signArtifact({ source, signer: signer1 });
    await attest(source, signer1, [{ ...sbomAt('2026-01-01T00:00:00Z', 'arm-only'), subjectDigest: arm.manifest.descriptor.digest }]);
    const res = await runCli(['tree', `${host}/${repo}:v1`, '--key', k1.pub], env);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe(`${host}/${repo}@${index.descriptor.digest} (index, 2 manifests) from registry:${host}/${repo}:v1`);
    expect(res.stdout).toMatch(/├── linux\/amd64 sha256:[0-9a-f]{64}\n│ {3}└── signatures: /);
    expect(res.stdout).toMatch(new RegExp(`└── linux/arm64 ${arm.manifest.descriptor.digest}\\n {4}├── signatures: .*\\n.*key .*k1\\.pub.*\\n {4}├── attestations\\n {4}│ {3}└── cyclonedx`));

    const bare = uniqueRepo('tree-bare');
    await pushTestImage(bare, 'v1', { layers: [[{ path: 'x', content: 'x' }]] });
    const none = await runCli(['tree', `${host}/${bare}:v1`], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/\(image\) from .*\n└── nothing attached\n/);
  });

  it('exit 2 with one line for what it cannot read', async () => {
    const bad = await runCli(['tree', 'oci-archive:/nope.tar'], env);
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad)).toMatch(/tree: REF must be a registry reference or oci-dir/);
  });
});

describe('artifact-guard download', () => {
  it('sbom: the CycloneDX document of the newest cyclonedx attestation; with --key only what verifies with it', async () => {
    const anyKey = await runCli(['download', 'sbom', single.ref], env);
    expect(anyKey.code).toBe(0);
    expect(JSON.parse(anyKey.stdout).components[0].name).toBe('k2-newest');
    expect(anyKey.stderr).toMatch(/^warning: download: no --key given: this SBOM \(.*\) is NOT verified; anyone who can push to .* can attach one\n$/);

    const mine = await runCli(['download', 'sbom', single.ref, '--key', k1.pub], env);
    expect(mine.stderr).toBe('');
    expect(mine.code).toBe(0);
    const doc = JSON.parse(mine.stdout);
    expect(doc).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { timestamp: '2026-02-01T00:00:00Z' } });
    expect(doc.components[0].name).toBe('k1-newer');
    expect(mine.stdout).toBe(`${JSON.stringify(doc, null, 2)}\n`);

    const out = path.join(work, 'sbom.cdx.json');
    const toFile = await runCli(['download', 'sbom', single.ref, '--key', k2.pub, '--file', out], env);
    expect([toFile.code, toFile.stdout]).toEqual([0, '']);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).components[0].name).toBe('k2-newest');
  });

  it('scan: the scan report of the newest vuln attestation', async () => {
    const res = await runCli(['download', 'scan', single.ref, '--key', k1.pub], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(report);
  });

  it('attestation: the envelope (verifiable DSSE) or its statement; several types need --type', async () => {
    const env1 = await runCli(['download', 'attestation', single.ref, '--type', 'slsaprovenance1', '--key', k1.pub], env);
    expect(env1.code).toBe(0);
    const parsed = parseEnvelope(Buffer.from(env1.stdout.trim()));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(verifyEnvelope(parsed.envelope, [{ name: 'k1', key: key1.publicKey }])?.name).toBe('k1');

    const st = await runCli(['download', 'attestation', single.ref, '--type', PREDICATE_TYPES.slsaprovenance1, '-o', 'statement', '--key', k1.pub], env);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: `${host}/${single.repo}`, digest: { sha256: single.digest.slice(7) } }], predicateType: PREDICATE_TYPES.slsaprovenance1, predicate: provenance.predicate });

    const several = await runCli(['download', 'attestation', single.ref, '--key', k1.pub], env);
    expect(several.code).toBe(2);
    expect(expectOneErrorLine(several)).toBe(`artifact-guard: download: ${host}/${single.repo}@${single.digest} has attestations of 3 types (slsaprovenance1, cyclonedx, vuln): choose one with --type`);
  });

  it('an index: the platform named by --platform; without it, a hint naming the platforms that have one', async () => {
    const repo = uniqueRepo('dl-index');
    const source = registrySource(repo, 'v1');
    const { arm, index } = await pushTwoPlatformIndex(source.writer, 'v1');
    await attest(source, signer1, [{ ...sbomAt('2026-01-01T00:00:00Z', 'arm-only'), subjectDigest: arm.manifest.descriptor.digest }]);
    const ref = `${host}/${repo}:v1`;
    const atIndex = await runCli(['download', 'sbom', ref, '--key', k1.pub], env);
    expect(atIndex.code).toBe(2);
    expect(expectOneErrorLine(atIndex)).toBe(`artifact-guard: download: no cyclonedx attestation verifying with ${k1.pub} for ${host}/${repo}@${index.descriptor.digest}; its platform manifests have one: linux/arm64 (choose with --platform)`);
    const res = await runCli(['download', 'sbom', ref, '--platform', 'linux/arm64', '--key', k1.pub], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).components[0].name).toBe('arm-only');
    const amd = await runCli(['download', 'sbom', ref, '--platform', 'linux/amd64', '--key', k1.pub], env);
    expect(amd.code).toBe(2);
    expect(expectOneErrorLine(amd)).toMatch(/download: no cyclonedx attestation verifying with .* for .*@sha256:[0-9a-f]{64} \(linux\/amd64\)$/);
    const nope = await runCli(['download', 'sbom', ref, '--platform', 'linux/s390x'], env);
    expect(nope.code).toBe(2);
    expect(expectOneErrorLine(nope)).toMatch(/no platform "linux\/s390x" in .* \(have: linux\/amd64, linux\/arm64\)/);
  });

  it('exit 2 with one clear line when there is nothing of that kind, or nothing that verifies', async () => {
    const bare = uniqueRepo('dl-bare');
    const image = await pushTestImage(bare, 'v1', { layers: [[{ path: 'x', content: 'y' }]] });
    const none = await runCli(['download', 'scan', `${host}/${bare}:v1`], env);
    expect(none.code).toBe(2);
    expect(expectOneErrorLine(none)).toBe(`artifact-guard: download: no vuln attestation for ${host}/${bare}@${image.manifest.descriptor.digest}`);
    expect(none.stderr).not.toMatch(/warning/);

    const otherKey = await runCli(['download', 'scan', single.ref, '--key', k2.pub], env);
    expect(otherKey.code).toBe(2);
    expect(expectOneErrorLine(otherKey)).toMatch(
      new RegExp(`^artifact-guard: download: no vuln attestation verifying with .*k2\\.pub for .*; 2 not usable \\(bundle referrer sha256:[0-9a-f]{64}: bundle signature does not verify .*; …\\); other types: slsaprovenance1, cyclonedx$`),
    );

    const cases: [string[], RegExp][] = [
      [['download', 'sboms', single.ref], /download: the first argument must be one of sbom, attestation, scan \(got "sboms"\)/],
      [['download', 'sbom'], /download: missing sbom\|attestation\|scan REF/],
      [['download', 'sbom', single.ref, '--type', 'vuln'], /--type applies to "download attestation"/],
      [['download', 'attestation', single.ref, '--type', 'nope'], /--type must be one of slsaprovenance1, cyclonedx, vuln/],
      [['download', 'attestation', single.ref, '-o', 'bundle'], /-o must be one of envelope, statement/],
      [['download', 'sbom', single.ref, '-q', '-v'], /-q and -v are opposites/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args, env);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(expectOneErrorLine(res)).toMatch(message);
    }
  });
});

describe('an OCI layout (oci-dir:) holds evidence too', () => {
  it('tree and download read its .sig / .att tags and the fallback index; --platform checks a single image is that platform', async () => {
    const layout = await writeImageLayout(path.join(work, 'layout'), [[{ path: 'etc/id', content: 'layout' }]]);
    const source = await layout.open();
    await signArtifact({ source, signer: signer1 });
    await attestArtifact({ source, signer: signer1, statements: [provenance], bundles: new FsBlobStore(path.join(work, 'bundles')), bundleKeyPrefix: 'layout' });
    await source.close();
    const ref = `oci-dir:${layout.dir}:v1`;
    const tree = await runCli(['tree', ref, '--key', k1.pub, '-o', 'json'], env);
    expect(tree.code).toBe(0);
    const root = JSON.parse(tree.stdout).manifests[0];
    expect(root.signatures.layers[0].key.name).toBe(k1.pub);
    expect(root.attestations).toEqual([{ predicateType: PREDICATE_TYPES.slsaprovenance1, type: 'slsaprovenance1', entries: [expect.objectContaining({ via: 'att' }), expect.objectContaining({ via: 'bundle' })] }]);
    expect(root.referrersVia).toBe('fallback-tag');

    const st = await runCli(['download', 'attestation', ref, '--type', 'slsaprovenance1', '--platform', 'linux/amd64', '-o', 'statement', '--key', k1.pub], env);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout).subject[0].digest.sha256).toBe(layout.manifest.descriptor.digest.slice(7));
    const arm = await runCli(['download', 'attestation', ref, '--type', 'slsaprovenance1', '--platform', 'linux/arm64', '--key', k1.pub], env);
    expect(arm.code).toBe(2);
    expect(expectOneErrorLine(arm)).toMatch(/download: no platform "linux\/arm64" in .* \(the image is: linux\/amd64\)/);
  });
});
