import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsBlobStore } from '../../../lambdas/adapters/local/fs-blob-store';
import { HmacFileKey } from '../../../lambdas/adapters/local/hmac-file-key';
import type { Descriptor } from '../../../lambdas/oci/manifest';
import { catalogers } from '../../../lambdas/sbom/catalogers';
import { generateSbom } from '../../../lambdas/sbom/generate';
import { BlobLayerCache } from '../../../lambdas/sbom/layers/cache';
import { ALPINE_RELEASE, writeImageLayout } from '../../support/image-layout';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-same-layers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The same app layer at positions 1 and 3; the layer between deletes what it adds. */
const app = [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21"}' }, { path: 'app/node_modules/broken/package.json', content: '{' }];
const layers = [[ALPINE_RELEASE, { path: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT\n\n' }], app, [{ path: 'app/node_modules/lodash/.wh.package.json' }], app];

describe('an image that lists one layer twice', () => {
  it('reads, caches and reports it once, and still applies it at both positions (cold and warm, on the local fs cache)', async () => {
    const layout = await writeImageLayout(path.join(dir, 'layout'), layers);
    const digests = layout.layers.map((l) => l.digest);
    expect(digests[1]).toBe(digests[3]);
    const store = new FsBlobStore(path.join(dir, 'cache'));
    const puts: string[] = [];
    const put = store.put.bind(store);
    store.put = (key, body, type) => (puts.push(key), put(key, body, type));
    const cache = new BlobLayerCache(store, catalogers.map((c) => c.name), new HmacFileKey(path.join(dir, 'mac.key')));

    const runOnce = async () => {
      const source = await layout.open();
      const read: string[] = [];
      const openBlob = source.openBlob.bind(source);
      source.openBlob = (d: Pick<Descriptor, 'digest' | 'size'>) => (read.push(d.digest), openBlob(d));
      return { sbom: (await generateSbom(source, 'localhost/same', { cache })).images[0]!, read };
    };
    const cold = await runOnce();
    expect(cold.read.sort()).toEqual([...new Set(digests)].sort());
    expect(puts.filter((k) => k.endsWith('.catalog'))).toHaveLength(3);
    // The whiteout in layer 3 is undone by the same layer again at 4: lodash is there, once.
    expect(cold.sbom.components.filter((c) => c.name === 'lodash')).toHaveLength(1);
    expect(cold.sbom.layers.map((l) => l.digest)).toEqual(digests);
    // Its warning and gap (a corrupt package.json) are said once, not per position.
    expect(cold.sbom.warnings.filter((w) => w.path.includes('broken'))).toHaveLength(1);
    expect(cold.sbom.gaps.filter((g) => g.message.includes('broken'))).toHaveLength(1);

    const warm = await runOnce();
    expect(warm.read).toEqual([]);
    expect(warm.sbom.components).toEqual(cold.sbom.components);
    expect(warm.sbom.warnings).toEqual(cold.sbom.warnings);
  });
});
