import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Descriptor } from '../../../lambdas/oci/manifest';
import { buildImage, writeOciLayout } from '../../../lambdas/oci/image-builder';
import { openSource } from '../../../lambdas/oci/open-source';
import { generateSbom } from '../../../lambdas/sbom/generate';

/** A layer whose gzip size grows with `kb` (incompressible filler). */
function layer(name: string, kb: number) {
  return [
    { path: `app/node_modules/${name}/package.json`, content: JSON.stringify({ name, version: '1.0.0' }) },
    { path: `opt/${name}.bin`, content: Buffer.from(Array.from({ length: kb * 1024 }, (_, i) => (i * 7919 + kb * 104729) % 251)) },
  ];
}

describe('generateSbom layer scheduling', () => {
  it('reads the largest layer first, and still reports and merges layers in manifest order', async () => {
    const image = await buildImage({ layers: [layer('small', 4), layer('large', 256), layer('medium', 64)] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-order-'));
    writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
    const source = await openSource({ scheme: 'oci-dir', location: dir, tag: 'v1' });
    const opened: string[] = [];
    const openBlob = source.openBlob.bind(source);
    source.openBlob = (d: Pick<Descriptor, 'digest' | 'size'>) => {
      opened.push(d.digest);
      return openBlob(d);
    };

    const result = await generateSbom(source, 'localhost/order', { concurrency: 1 });

    const layers = image.layers.map((l) => l.descriptor);
    const bySize = [...layers].sort((a, b) => b.size - a.size).map((l) => l.digest);
    expect(opened).toEqual(bySize);
    expect(bySize[0]).toBe(layers[1]!.digest);
    const sbom = result.images[0]!;
    expect(sbom.layers.map((l) => l.digest)).toEqual(layers.map((l) => l.digest));
    expect(Object.fromEntries(sbom.components.map((c) => [c.name, c.introducedBy]))).toEqual({ small: layers[0]!.digest, large: layers[1]!.digest, medium: layers[2]!.digest });
  });
});
