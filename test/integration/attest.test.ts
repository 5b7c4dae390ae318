import * as fs from 'node:fs';
import { FsBlobStore } from '../../lambdas/adapters/local/fs-blob-store';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import type { AttestRequest } from '../../lambdas/attest/attest-artifact';
import { attestArtifact } from '../../lambdas/attest/attest-artifact';
import { parseEnvelope, verifyEnvelope } from '../../lambdas/attest/dsse';
import { PREDICATE_TYPES } from '../../lambdas/attest/predicate-types';
import { BUNDLE_CONTENT_ANNOTATION, BUNDLE_PREDICATE_TYPE_ANNOTATION, referrersFallbackTag } from '../../lambdas/attest/referrers';
import { parseStatement } from '../../lambdas/attest/statement';
import { verifyBundle } from '../../lambdas/attest/bundle';
import type { FetchedManifest } from '../../lambdas/oci/manifest';
import { MediaType } from '../../lambdas/oci/media-types';
import { parseReference } from '../../lambdas/oci/reference';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { pushTestImage, pushTwoPlatformIndex } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { p256Key, tempDir } from '../unit/signing/helpers';

const host = testRegistry().host;
const client = new RegistryClient({ registry: host });
const k1 = p256Key();
const work = tempDir('attest-int');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const signer = PemFileSigner.fromPem(k1.privatePem, 'k1.pem');
const keys = [{ name: 'k1.pub', key: k1.publicKey }];

function source(repo: string, at = ':v1'): RegistrySource {
  return new RegistrySource(parseReference(`${host}/${repo}${at}`), client);
}

function layersOf(m: FetchedManifest) {
  if (m.manifest.kind !== 'manifest') throw new Error('not a manifest');
  return m.manifest.layers;
}

const provenance = { predicateType: PREDICATE_TYPES.slsaprovenance1, predicate: { buildDefinition: { buildType: 'x', externalParameters: {} }, runDetails: { builder: { id: 'b' } } } };
const vuln = { predicateType: PREDICATE_TYPES.vuln, predicate: { scanner: { result: { findings: [] } }, metadata: { scanStartedOn: 'a', scanFinishedOn: 'b' } } };

function request(repo: string, over: Partial<AttestRequest> = {}): AttestRequest {
  return { source: source(repo), signer, statements: [provenance, vuln], bundles: new FsBlobStore(`${work}/bundles`), bundleKeyPrefix: `evidence/${repo}`, ...over };
}

describe('attestArtifact on a real registry (no referrers API: tag-schema fallback)', () => {
  it('writes .att layers, bundles in the store and bundle referrers in the sha256-<hex> fallback index', async () => {
    const repo = uniqueRepo('att');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
    const digest = image.manifest.descriptor.digest;
    const out = await attestArtifact(request(repo));
    expect(out.attestations.map((a) => [a.type, a.digest, a.att?.outcome, a.referrer.mode])).toEqual([
      ['slsaprovenance1', digest, 'appended', 'fallback-tag'],
      ['vuln', digest, 'appended', 'fallback-tag'],
    ]);

    const att = await client.getManifest(repo, `${digest.replace(':', '-')}.att`);
    const layers = layersOf(att);
    expect(layers.map((l) => [l.mediaType, l.annotations])).toEqual([
      [MediaType.dsseEnvelope, { predicateType: PREDICATE_TYPES.slsaprovenance1, 'dev.cosignproject.cosign/signature': '' }],
      [MediaType.dsseEnvelope, { predicateType: PREDICATE_TYPES.vuln, 'dev.cosignproject.cosign/signature': '' }],
    ]);
    const env = parseEnvelope(await client.readBlob(repo, layers[0]!, 1 << 20));
    if (!env.ok) throw new Error(env.reason);
    expect(verifyEnvelope(env.envelope, keys)).toBeDefined();
    const st = parseStatement(env.envelope.payload);
    expect(st.ok && st.statement.subject).toEqual([{ name: `${host}/${repo}`, digest: { sha256: digest.slice(7) } }]);

    const fallback = await client.getManifest(repo, referrersFallbackTag(digest));
    expect(fallback.mediaType).toBe(MediaType.ociIndex);
    if (fallback.manifest.kind !== 'index') throw new Error('no index');
    expect(fallback.manifest.manifests.map((d) => [d.artifactType, d.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION], d.annotations?.[BUNDLE_CONTENT_ANNOTATION]])).toEqual([
      [MediaType.sigstoreBundleV03, PREDICATE_TYPES.slsaprovenance1, 'dsse-envelope'],
      [MediaType.sigstoreBundleV03, PREDICATE_TYPES.vuln, 'dsse-envelope'],
    ]);
    const referrer = await client.getManifest(repo, fallback.manifest.manifests[0]!.digest);
    expect(referrer.manifest).toMatchObject({ artifactType: MediaType.sigstoreBundleV03, subject: { digest, mediaType: MediaType.ociManifest } });
    const bundleBlob = await client.readBlob(repo, layersOf(referrer)[0]!, 1 << 20);
    const stored = fs.readFileSync(out.attestations[0]!.bundle.location);
    expect(bundleBlob.equals(stored)).toBe(true);
    expect(verifyBundle(stored, keys).ok).toBe(true);
  });

  it('attests a multi-arch index and each platform manifest; a platform-only statement goes to that platform', async () => {
    const repo = uniqueRepo('att-index');
    const { amd, arm, index } = await pushTwoPlatformIndex(source(repo).writer, 'v1');
    const armSbom = { predicateType: PREDICATE_TYPES.cyclonedx, predicate: { bomFormat: 'CycloneDX', specVersion: '1.6' }, subjectDigest: arm.manifest.descriptor.digest };
    const out = await attestArtifact(request(repo, { statements: [provenance, armSbom] }));
    expect(out.attestations.map((a) => [a.type, a.digest, a.platform])).toEqual([
      ['slsaprovenance1', amd.manifest.descriptor.digest, 'linux/amd64'],
      ['slsaprovenance1', arm.manifest.descriptor.digest, 'linux/arm64'],
      ['cyclonedx', arm.manifest.descriptor.digest, 'linux/arm64'],
      ['slsaprovenance1', index.descriptor.digest, undefined],
    ]);
    const indexReferrers = await client.getManifest(repo, referrersFallbackTag(index.descriptor.digest));
    if (indexReferrers.manifest.kind !== 'index') throw new Error('no index');
    const onIndex = await client.getManifest(repo, indexReferrers.manifest.manifests[0]!.digest);
    expect(onIndex.manifest.subject).toEqual({ mediaType: MediaType.ociIndex, digest: index.descriptor.digest, size: index.bytes.length });
    const armAtt = await client.getManifest(repo, `${arm.manifest.descriptor.digest.replace(':', '-')}.att`);
    expect(layersOf(armAtt).map((l) => l.annotations?.predicateType)).toEqual([PREDICATE_TYPES.slsaprovenance1, PREDICATE_TYPES.cyclonedx]);
    await expect(attestArtifact(request(repo, { statements: [{ ...armSbom, subjectDigest: `sha256:${'0'.repeat(64)}` }] }))).rejects.toThrow(/neither/);
  });

  it('is idempotent: the same statements again change nothing (same .att manifest, bundles and referrers)', async () => {
    const repo = uniqueRepo('att-again');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
    const first = await attestArtifact(request(repo));
    const fallbackBefore = await client.getManifest(repo, referrersFallbackTag(image.manifest.descriptor.digest));
    const second = await attestArtifact(request(repo));
    expect(second.attestations.map((a) => a.att?.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(second.attestations.map((a) => [a.att?.manifest, a.bundle, a.referrer])).toEqual(first.attestations.map((a) => [a.att?.manifest, a.bundle, a.referrer]));
    expect((await client.getManifest(repo, referrersFallbackTag(image.manifest.descriptor.digest))).digest).toBe(fallbackBefore.digest);
  });

  it('replaces its own older attestation of a type and keeps other keys\' ones (cosign --replace, own key only)', async () => {
    const repo = uniqueRepo('att-replace');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
    const other = PemFileSigner.fromPem(p256Key().privatePem, 'other.pem');
    await attestArtifact(request(repo, { signer: other, statements: [vuln] }));
    await attestArtifact(request(repo, { statements: [vuln] }));
    const newer = { ...vuln, predicate: { ...vuln.predicate, metadata: { scanStartedOn: 'c', scanFinishedOn: 'd' } } };
    const out = await attestArtifact(request(repo, { statements: [newer] }));
    expect(out.attestations[0]?.att?.outcome).toBe('replaced');
    const att = await client.getManifest(repo, `${image.manifest.descriptor.digest.replace(':', '-')}.att`);
    const payloads = [];
    for (const l of layersOf(att)) {
      const env = parseEnvelope(await client.readBlob(repo, l, 1 << 20));
      if (!env.ok) throw new Error(env.reason);
      payloads.push([verifyEnvelope(env.envelope, keys) ? 'k1' : 'other', JSON.parse(env.envelope.payload.toString()).predicate.metadata.scanFinishedOn]);
    }
    expect(payloads).toEqual([['other', 'b'], ['k1', 'd']]);
    const kept = await attestArtifact(request(repo, { statements: [vuln], replace: false }));
    expect(kept.attestations[0]?.att?.outcome).toBe('appended');
    expect(layersOf(await client.getManifest(repo, `${image.manifest.descriptor.digest.replace(':', '-')}.att`))).toHaveLength(3);
  });
});
