import { Readable } from 'node:stream';
import { buildLayerTar, compress } from '../../../lambdas/oci/image-builder';
import { catalogers } from '../../../lambdas/sbom/catalogers';
import { scanLayer } from '../../../lambdas/sbom/layers/scan-layer';

/** Node 20 has no zstd encoder: the zstd program (Debian's zstd) compresses, so this is an integration test. */
describe('scanLayer on zstd layers', () => {
  it('reads a layer the zstd program compressed, as it reads gzip', async () => {
    const tar = await buildLayerTar([{ path: 'app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'MIT' }) }]);
    const bytes = compress(tar, 'zstd');
    const cat = await scanLayer(Readable.from([bytes]), 'zstd', bytes.length, 'sha256:test', { catalogers });
    expect(cat.files['app/node_modules/left-pad/package.json']?.packages[0]).toMatchObject({ name: 'left-pad', version: '1.3.0' });
  });
});
