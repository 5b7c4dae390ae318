import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { digestOf } from '../../lambdas/oci/digest';
import { buildImage, compress, buildLayerTar } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import { openSource } from '../../lambdas/oci/open-source';
import { blobPath, REF_NAME } from '../../lambdas/oci/sources/oci-layout-source';
import { generateSbom } from '../../lambdas/sbom/generate';

describe('foreign and non-distributable layers', () => {
  it('reports an absent foreign layer without fetching it, and reads one that is present', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-foreign-'));
    const image = await buildImage({ layers: [[{ path: 'app/node_modules/a/package.json', content: '{"name":"a","version":"1.0.0"}' }]] });
    const present = compress(await buildLayerTar([{ path: 'app/node_modules/b/package.json', content: '{"name":"b","version":"2.0.0"}' }]), 'gzip');
    const absentDigest = digestOf(Buffer.from('a Windows base layer that was never pushed'));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: { mediaType: MediaType.dockerConfig, digest: image.config.descriptor.digest, size: image.config.descriptor.size },
        layers: [
          { mediaType: MediaType.dockerForeignGzip, digest: absentDigest, size: 1234, urls: ['https://mcr.microsoft.com/v2/windows/blobs/x'] },
          { mediaType: MediaType.dockerForeignGzip, digest: digestOf(present), size: present.length },
          image.layers[0]!.descriptor,
        ],
      }),
    );
    const put = (bytes: Buffer) => {
      const p = path.join(dir, blobPath(digestOf(bytes)));
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, bytes);
    };
    [image.config.bytes, image.layers[0]!.bytes, present, manifest].forEach(put);
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.dockerManifest, digest: digestOf(manifest), size: manifest.length, annotations: { [REF_NAME]: 'v1' } }] }));

    const result = await generateSbom(await openSource({ scheme: 'oci-dir', location: dir }), 'localhost/foreign');
    const sbom = result.images[0]!;
    expect(sbom.layers.map((l) => l.status)).toEqual(['skipped', 'scanned', 'scanned']);
    expect(sbom.layers[0]!.reason).toMatch(/foreign layer not in the registry \(urls: https:\/\/mcr/);
    expect(sbom.warnings.some((w) => w.message.includes(`foreign layer ${absentDigest} was not fetched`))).toBe(true);
    expect(sbom.components.map((c) => c.name).sort()).toEqual(['a', 'b']);
    expect(sbom.gaps).toEqual([
      {
        kind: 'layer-skipped',
        layer: absentDigest,
        message: `foreign layer ${absentDigest} (${MediaType.dockerForeignGzip}) is not in the registry (urls: https://mcr.microsoft.com/v2/windows/blobs/x): its content was not inventoried`,
      },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
