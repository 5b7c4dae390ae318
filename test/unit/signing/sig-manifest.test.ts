import { digestOf } from '../../../lambdas/oci/digest';
import { parseManifest } from '../../../lambdas/oci/manifest';
import { MediaType } from '../../../lambdas/oci/media-types';
import { appendSignature, signatureConfig, signatureLayer, signatureManifestProblem, signatureTag } from '../../../lambdas/signing/sig-manifest';

const DIGEST = `sha256:${'97fc'.repeat(16)}`;

function fetched(bytes: Buffer) {
  const { manifest, mediaType } = parseManifest(bytes);
  return { bytes, digest: digestOf(bytes), manifest, mediaType };
}

describe('.sig manifest', () => {
  it('names the tag after the signed digest, as cosign and containers/image do', () => {
    expect(signatureTag(DIGEST)).toBe(`sha256-${'97fc'.repeat(16)}.sig`);
  });

  it('holds one simple-signing layer per signature with the base64 DER annotation', () => {
    const payload = Buffer.from('{"p":1}');
    const layer = signatureLayer(payload, Buffer.from([0x30, 0x01]));
    expect(layer).toEqual({
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      size: payload.length,
      digest: digestOf(payload),
      annotations: { 'dev.cosignproject.cosign/signature': 'MAE=' },
    });
    const { manifest, config } = appendSignature(undefined, layer);
    const doc = JSON.parse(manifest.toString());
    expect(doc).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, size: config.length, digest: digestOf(config) },
      layers: [layer],
    });
    expect(signatureManifestProblem(fetched(manifest))).toBeUndefined();
  });

  it('writes the config as go-containerregistry does for cosign (zero times, a diff_id per layer)', () => {
    expect(signatureConfig(['sha256:a', 'sha256:b']).toString()).toBe(
      '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["sha256:a","sha256:b"]},"config":{}}',
    );
  });

  it('appends to existing layers, keeping them exactly, fields we do not model included', () => {
    const foreign = { mediaType: MediaType.cosignSimpleSigning, size: 2, digest: digestOf(Buffer.from('{}')), annotations: { 'dev.cosignproject.cosign/signature': 'AA==', 'dev.sigstore.cosign/bundle': '{"x":1}' }, data: 'e30=' };
    const existing = fetched(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, size: 2, digest: digestOf(Buffer.from('{}')) }, layers: [foreign], annotations: { a: 'b' } })));
    const layer = signatureLayer(Buffer.from('{"p":2}'), Buffer.from([1]));
    const doc = JSON.parse(appendSignature(existing, layer).manifest.toString());
    expect(doc.layers).toEqual([foreign, layer]);
    expect(doc.annotations).toEqual({ a: 'b' });
  });

  it('never rebuilds an index held under an evidence tag as a signature manifest (its entries would be dropped)', () => {
    const index = fetched(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, size: 2, digest: digestOf(Buffer.from('{}')) }] })));
    expect(() => appendSignature(index, signatureLayer(Buffer.from('{"p":3}'), Buffer.from([1])))).toThrow(`an evidence tag holds an index (${index.digest}), not an image manifest; refusing to overwrite it`);
  });

  it('names what is wrong with a manifest verifiers will not read', () => {
    const docker = fetched(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.dockerManifest, config: { mediaType: MediaType.dockerConfig, size: 2, digest: digestOf(Buffer.from('{}')) }, layers: [] })));
    expect(signatureManifestProblem(docker)).toContain(`its media type is ${MediaType.dockerManifest}`);
    const index = fetched(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] })));
    expect(signatureManifestProblem(index)).toContain('it is an index');
  });
});
