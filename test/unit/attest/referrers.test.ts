import { FsBlobStore } from '../../../lambdas/adapters/local/fs-blob-store';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { attestArtifact } from '../../../lambdas/attest/attest-artifact';
import { parsePolicy } from '../../../lambdas/attest/policy';
import { COSIGN_SIGN_PREDICATE_TYPE, PREDICATE_TYPES } from '../../../lambdas/attest/predicate-types';
import { appendToFallbackIndex, BUNDLE_PREDICATE_TYPE_ANNOTATION, bundleReferrerManifest, referrersFallbackTag } from '../../../lambdas/attest/referrers';
import { verifyWithPolicy } from '../../../lambdas/attest/verify-policy';
import { digestOf } from '../../../lambdas/oci/digest';
import { buildImage, buildIndex } from '../../../lambdas/oci/image-builder';
import { MediaType } from '../../../lambdas/oci/media-types';
import { p256Key, tempDir } from '../signing/helpers';
import { MemoryRegistry } from './memory-registry';

const key = p256Key();
const signer = PemFileSigner.fromPem(key.privatePem, 'k.pem');
const vuln = { predicateType: PREDICATE_TYPES.vuln, predicate: { scanner: { result: { findings: [] } }, metadata: { scanStartedOn: '2026-01-01T00:00:00Z', scanFinishedOn: '2026-01-01T00:00:00Z' } } };
const bundles = new FsBlobStore(tempDir('referrers'));

async function multiArch(reg: MemoryRegistry): Promise<{ index: string; platforms: string[] }> {
  const amd = await buildImage({ layers: [[{ path: 'a', content: 'amd64' }]], architecture: 'amd64' });
  const arm = await buildImage({ layers: [[{ path: 'a', content: 'arm64' }]], architecture: 'arm64' });
  for (const img of [amd, arm]) {
    for (const b of [img.config, ...img.layers]) reg.blobs.set(b.descriptor.digest, b.bytes);
    reg.put(img.manifest.bytes, MediaType.ociManifest);
  }
  const index = buildIndex([
    { image: amd, architecture: 'amd64' },
    { image: arm, architecture: 'arm64' },
  ]);
  reg.put(index.bytes, MediaType.ociIndex, 'v1');
  return { index: index.descriptor.digest, platforms: [amd.manifest.descriptor.digest, arm.manifest.descriptor.digest] };
}

describe('bundle referrers', () => {
  it('have cosign WriteReferrer\'s shape', () => {
    const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const subject = { mediaType: MediaType.ociManifest, digest: `sha256:${'1'.repeat(64)}`, size: 123 };
    expect(JSON.parse(bundleReferrerManifest(bundle, subject, PREDICATE_TYPES.vuln).toString())).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      artifactType: MediaType.sigstoreBundleV03,
      config: { mediaType: MediaType.ociEmpty, artifactType: MediaType.sigstoreBundleV03, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
      layers: [{ mediaType: MediaType.sigstoreBundleV03, digest: digestOf(bundle), size: bundle.length }],
      subject,
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': PREDICATE_TYPES.vuln },
    });
  });

  it('fallback tags follow the referrers tag schema and never collide with cosign tags', () => {
    const d = `sha256:${'ab'.repeat(32)}`;
    expect(referrersFallbackTag(d)).toBe(`sha256-${'ab'.repeat(32)}`);
    expect(referrersFallbackTag(`sha512:${'c'.repeat(128)}`)).toBe(`sha512-${'c'.repeat(64)}`);
  });

  it('the fallback index keeps existing entries and adds each referrer once', () => {
    const e1 = { mediaType: MediaType.ociManifest, digest: `sha256:${'1'.repeat(64)}`, size: 1, artifactType: 'x' };
    const first = appendToFallbackIndex(undefined, e1)!;
    const fetched = { bytes: first, digest: digestOf(first), mediaType: MediaType.ociIndex, manifest: { kind: 'index' as const, mediaType: MediaType.ociIndex, manifests: [e1] } };
    expect(appendToFallbackIndex(fetched, e1)).toBeUndefined();
    const e2 = { ...e1, digest: `sha256:${'2'.repeat(64)}` };
    expect(JSON.parse(appendToFallbackIndex(fetched, e2)!.toString()).manifests.map((m: { digest: string }) => m.digest)).toEqual([e1.digest, e2.digest]);
  });

  it('never rebuilds an image manifest held under the fallback tag as an index (its layers would be dropped)', () => {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, size: 2, digest: digestOf(Buffer.from('{}')) }, layers: [] }));
    const image = { bytes, digest: digestOf(bytes), mediaType: MediaType.ociManifest, manifest: { kind: 'manifest' as const, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, size: 2, digest: digestOf(Buffer.from('{}')) }, layers: [] } };
    const e1 = { mediaType: MediaType.ociManifest, digest: `sha256:${'1'.repeat(64)}`, size: 1 };
    expect(() => appendToFallbackIndex(image, e1)).toThrow(`a referrers tag holds an image manifest (${image.digest}), not an index; refusing to overwrite it`);
  });

  it('on a registry with the referrers API: pushed with subject, listed by the API, no fallback tag', async () => {
    const reg = new MemoryRegistry();
    const { index, platforms } = await multiArch(reg);
    const out = await attestArtifact({ source: reg.source('v1'), signer, statements: [vuln], bundles, bundleKeyPrefix: 'p' });
    expect(out.attestations.map((a) => [a.digest, a.referrer.mode])).toEqual([
      [platforms[0], 'referrers-api'],
      [platforms[1], 'referrers-api'],
      [index, 'referrers-api'],
    ]);
    expect([...reg.tags.keys()].filter((t) => !t.endsWith('.att') && t !== 'v1')).toEqual([]);
    expect(reg.referrers(platforms[0]!).map((d) => d.artifactType)).toEqual([MediaType.sigstoreBundleV03]);
    const policy = parsePolicy('signature: false\nevidence: bundle\nattestations: [vuln]');
    const verdict = await verifyWithPolicy({ source: reg.source('v1'), keys: [{ name: 'k.pub', key: key.publicKey }], policy });
    expect(verdict).toMatchObject({ allowed: true, attestations: [{ used: [{ origin: expect.stringMatching(/^bundle referrer/) }] }] });
  });

  it('ECR-like registries refusing an index subject: the index is skipped, the platform manifests carry the referrers', async () => {
    const reg = new MemoryRegistry({ refuseIndexSubjects: true });
    const { index, platforms } = await multiArch(reg);
    const out = await attestArtifact({ source: reg.source('v1'), signer, statements: [vuln], bundles, bundleKeyPrefix: 'p' });
    expect(out.attestations.map((a) => [a.digest, a.referrer.mode])).toEqual([
      [platforms[0], 'referrers-api'],
      [platforms[1], 'referrers-api'],
      [index, 'skipped'],
    ]);
    expect(out.attestations[2]?.referrer).toMatchObject({ reason: expect.stringMatching(/refused an index as subject.*platform manifests/) });
    // The index still has its .att attestation and its bundle in the store.
    expect(out.attestations[2]?.att?.outcome).toBe('appended');
  });

  it('a registry without the API gets the fallback index (and it is read back for verification)', async () => {
    const reg = new MemoryRegistry({ referrersApi: false });
    const { platforms } = await multiArch(reg);
    const out = await attestArtifact({ source: reg.source('v1'), signer, statements: [vuln], bundles, bundleKeyPrefix: 'p' });
    expect(out.attestations.map((a) => a.referrer.mode)).toEqual(['fallback-tag', 'fallback-tag', 'fallback-tag']);
    expect(reg.tags.has(referrersFallbackTag(platforms[1]!))).toBe(true);
  });

  it('a foreign bundle referrer whose JSON is null or a list is passed over, not a TypeError', async () => {
    const reg = new MemoryRegistry();
    const { index } = await multiArch(reg);
    const config = Buffer.from('{}');
    reg.blobs.set(digestOf(config), config);
    for (const text of ['null', '[]']) {
      const blob = Buffer.from(text);
      reg.blobs.set(digestOf(blob), blob);
      const referrer = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        artifactType: MediaType.sigstoreBundleV03,
        config: { mediaType: MediaType.ociConfig, digest: digestOf(config), size: 2 },
        layers: [{ mediaType: MediaType.sigstoreBundleV03, digest: digestOf(blob), size: blob.length }],
        subject: { mediaType: MediaType.ociIndex, digest: index, size: 1 },
        annotations: { [BUNDLE_PREDICATE_TYPE_ANNOTATION]: COSIGN_SIGN_PREDICATE_TYPE },
      };
      reg.put(Buffer.from(JSON.stringify(referrer)), MediaType.ociManifest);
    }
    // A bundle-only statement (cosign's sign predicate) looks for an earlier bundle of its own to reuse.
    const out = await attestArtifact({ source: reg.source('v1'), signer, statements: [{ predicateType: COSIGN_SIGN_PREDICATE_TYPE, predicate: {}, subjectDigest: index }], bundles, bundleKeyPrefix: 'p' });
    expect(out.attestations[0]?.referrer.mode).toBe('referrers-api');
  });

  it('an unreadable foreign .att layer of the same type is left alone, not fatal', async () => {
    const reg = new MemoryRegistry();
    const { index } = await multiArch(reg);
    const ghost = { mediaType: MediaType.dsseEnvelope, digest: `sha256:${'0'.repeat(64)}`, size: 10, annotations: { predicateType: PREDICATE_TYPES.vuln } };
    const config = Buffer.from('{}');
    reg.blobs.set(digestOf(config), config);
    const att = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, digest: digestOf(config), size: 2 }, layers: [ghost] }));
    reg.put(att, MediaType.ociManifest, `${index.replace(':', '-')}.att`);
    const out = await attestArtifact({ source: reg.source('v1'), signer, statements: [{ ...vuln, subjectDigest: index }], bundles, bundleKeyPrefix: 'p' });
    expect(out.attestations[0]?.att?.outcome).toBe('appended');
    const layers = JSON.parse(reg.fetch(`${index.replace(':', '-')}.att`).bytes.toString()).layers as { digest: string }[];
    expect(layers.map((l) => l.digest)[0]).toBe(ghost.digest);
    expect(layers).toHaveLength(2);
  });
});
