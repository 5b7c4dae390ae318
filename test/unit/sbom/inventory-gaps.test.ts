import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LayerEntry } from '../../../lambdas/oci/image-builder';
import { catalogers } from '../../../lambdas/sbom/catalogers';
import { generateDirSbom, generateSbom } from '../../../lambdas/sbom/generate';
import type { AsyncCataloger, SyncCataloger } from '../../../lambdas/sbom/cataloger';
import { cycloneDxJson } from '../../../lambdas/sbom/writers/cyclonedx';
import { validateCycloneDx } from '../../../lambdas/sbom/writers/cyclonedx-validate';
import { spdxDocument } from '../../../lambdas/sbom/writers/spdx';
import { sbomTable } from '../../../lambdas/sbom/writers/table';
import { validateSpdx23 } from '../../support/spdx-schema';
import type { TestLayer } from '../../support/image-layout';
import { ALPINE_RELEASE, writeImageLayout } from '../../support/image-layout';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
/** An OCI layout of these layers in a temporary folder removed after the tests. */
function imageLayout(layers: readonly TestLayer[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gaps-'));
  made.push(dir);
  return writeImageLayout(dir, layers);
}

const lodash: LayerEntry = { path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21","license":"MIT"}' };

async function sbomOf(layers: Parameters<typeof imageLayout>[0], extra: { catalogers?: typeof catalogers } = {}) {
  const layout = await imageLayout(layers);
  const result = await generateSbom(await layout.open(), 'localhost/gaps', extra);
  return { layout, result, image: result.images[0]! };
}

/** The CycloneDX document as written, checked against the 1.6 schema. */
async function cycloneDx(result: Awaited<ReturnType<typeof sbomOf>>['result']) {
  const json = cycloneDxJson(result.subject, result.images[0]!, { timestamp: new Date('2026-01-01T00:00:00Z') });
  expect(await validateCycloneDx(json)).toEqual([]);
  return JSON.parse(json) as { compositions: { aggregate: string; assemblies: string[] }[]; metadata: { component: { 'bom-ref': string }; properties?: { name: string; value: string }[] } };
}

const gapProperties = (bom: Awaited<ReturnType<typeof cycloneDx>>) => (bom.metadata.properties ?? []).filter((p) => p.name === 'artifact-guard:gap').map((p) => p.value);

describe('inventory gaps (fail closed)', () => {
  it('a complete inventory has no gaps and a "complete" composition of the image', async () => {
    const { result, image } = await sbomOf([[ALPINE_RELEASE, lodash]]);
    expect(image.gaps).toEqual([]);
    const bom = await cycloneDx(result);
    expect(bom.compositions).toEqual([{ aggregate: 'complete', assemblies: [bom.metadata.component['bom-ref']] }]);
    expect(gapProperties(bom)).toEqual([]);
    expect(spdxDocument(result.subject, image)).not.toHaveProperty('comment');
  });

  it('a layer with an unknown media type is a layer-skipped gap, and the composition is "incomplete"', async () => {
    const { layout, result, image } = await sbomOf([[ALPINE_RELEASE, lodash], { mediaType: 'application/x-foo', bytes: Buffer.from('hidden packages') }]);
    const foo = layout.layers[1]!.digest;
    expect(image.layers[1]).toMatchObject({ digest: foo, status: 'skipped' });
    expect(image.gaps).toEqual([
      { kind: 'layer-skipped', layer: foo, message: `layer ${foo} has media type application/x-foo, not a filesystem layer: its content was not inventoried` },
    ]);
    expect(image.components.map((c) => c.name)).toEqual(['lodash']);
    const bom = await cycloneDx(result);
    expect(bom.compositions).toEqual([{ aggregate: 'incomplete', assemblies: [bom.metadata.component['bom-ref']] }]);
    expect(gapProperties(bom)).toEqual([image.gaps[0]!.message]);
    const spdx = spdxDocument(result.subject, image);
    expect(validateSpdx23(spdx)).toEqual([]);
    expect(spdx.comment).toContain('INCOMPLETE INVENTORY');
    expect(spdx.comment).toContain(`layer ${foo} has media type application/x-foo`);
    expect(sbomTable(result.subject, result.images)).toMatch(new RegExp(`1 component\\(s\\)\\nincomplete inventory: this SBOM does not cover\\n  layer ${foo} has media type`));
  });

  it('a node_modules package.json padded past the npm cap is a file-skipped gap naming the layer and path', async () => {
    const padded = Buffer.concat([Buffer.from('{"name":"lodash","version":"4.17.20",'), Buffer.alloc(1024 * 1024, 0x20), Buffer.from('"x":1}')]);
    const { layout, result, image } = await sbomOf([[ALPINE_RELEASE, { path: 'app/node_modules/lodash/package.json', content: padded }]]);
    const layer = layout.layers[0]!.digest;
    expect(image.components).toEqual([]);
    expect(image.gaps).toEqual([
      {
        kind: 'file-skipped',
        layer,
        path: 'app/node_modules/lodash/package.json',
        message: `layer ${layer}: app/node_modules/lodash/package.json was not inventoried (${padded.length} bytes, more than the 1048576 read for npm)`,
      },
    ]);
    expect((await cycloneDx(result)).compositions[0]!.aggregate).toBe('incomplete');
  });

  it('a dpkg status past its cap is a file-skipped gap', async () => {
    const status = Buffer.alloc(48 * 1024 * 1024 + 1, 0x20);
    status.write('Package: openssl\nStatus: install ok installed\nVersion: 3.0.0-1\n\n');
    const { layout, image } = await sbomOf([[{ path: 'var/lib/dpkg/status', content: status }]]);
    expect(image.gaps).toEqual([expect.objectContaining({ kind: 'file-skipped', layer: layout.layers[0]!.digest, path: 'var/lib/dpkg/status' })]);
    expect(image.gaps[0]!.message).toMatch(/var\/lib\/dpkg\/status was not inventoried \(50331649 bytes, more than the 50331648 read for dpkg\)$/);
  });

  it('a parser that throws or rejects is a gap', async () => {
    const throwing: SyncCataloger = { name: 'boom', maxFileSize: 1024, wants: (p) => p === 'opt/boom.lock', parse: () => { throw new Error('state machine confused'); }, purl: () => 'pkg:generic/x@1' };
    const rejecting: AsyncCataloger = { name: 'later', maxFileSize: 1024, wants: (p) => p === 'opt/later.lock', parse: () => Promise.reject(new Error('zip stream ended early')), purl: () => 'pkg:generic/y@1' };
    const { layout, image } = await sbomOf([[ALPINE_RELEASE, { path: 'opt/boom.lock', content: 'x' }, { path: 'opt/later.lock', content: 'y' }]], { catalogers: [...catalogers, throwing, rejecting] });
    const layer = layout.layers[0]!.digest;
    expect(image.gaps).toEqual([
      { kind: 'catalog-warning', layer, path: 'opt/boom.lock', message: `layer ${layer}: opt/boom.lock: boom parser failed: state machine confused (packages may be missing)` },
      { kind: 'catalog-warning', layer, path: 'opt/later.lock', message: `layer ${layer}: opt/later.lock: later parser failed: zip stream ended early (packages may be missing)` },
    ]);
  });

  it('a licence-only warning (Debian copyright) and an invalid ".wh." are warnings, not gaps', async () => {
    const { result, image } = await sbomOf([
      [
        { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
        { path: 'var/lib/dpkg/status', content: 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\n' },
        { path: 'usr/share/doc/zlib1g/copyright', content: 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: someone\n' },
        { path: 'tmp/.wh.' },
      ],
    ]);
    expect(image.warnings.map((w) => [w.message.replace(/ \(layer .*\)$/, ''), w.impact])).toEqual([
      ['machine-readable copyright file without License fields', 'metadata'],
      ['invalid whiteout ".wh." ignored', 'metadata'],
    ]);
    expect(image.gaps).toEqual([]);
    expect(image.components.map((c) => c.name)).toEqual(['zlib1g']);
    expect((await cycloneDx(result)).compositions[0]!.aggregate).toBe('complete');
  });

  it('a package-level parse warning (npm package.json without a version) is a gap', async () => {
    const { layout, image } = await sbomOf([[{ path: 'app/node_modules/left-pad/package.json', content: '{"name":"left-pad"}' }]]);
    const layer = layout.layers[0]!.digest;
    expect(image.gaps).toEqual([{ kind: 'catalog-warning', layer, path: 'app/node_modules/left-pad/package.json', message: `layer ${layer}: app/node_modules/left-pad/package.json: package.json without version (packages may be missing)` }]);
  });

  it('caps the list at 100 gaps and one saying how many more, in the documents too', async () => {
    const broken = Array.from({ length: 150 }, (_, i): LayerEntry => ({ path: `app/node_modules/p${i}/package.json`, content: '{' }));
    const { result, image } = await sbomOf([broken]);
    expect(image.warnings).toHaveLength(150);
    expect(image.gaps).toHaveLength(101);
    expect(image.gaps[100]).toEqual({ kind: 'catalog-warning', message: '50 more gaps not listed' });
    const props = gapProperties(await cycloneDx(result));
    expect(props).toHaveLength(101);
    expect(props).toContain('50 more gaps not listed');
  });

  it('a directory SBOM has gaps too (a sparse dpkg status past the cap)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-dirgap-'));
    try {
      const status = path.join(root, 'var/lib/dpkg/status');
      fs.mkdirSync(path.dirname(status), { recursive: true });
      fs.writeFileSync(status, '');
      fs.truncateSync(status, 64 * 1024 * 1024); // sparse: nothing is written, and the scanner only stats it
      const image = (await generateDirSbom(root)).images[0]!;
      expect(image.gaps).toEqual([
        { kind: 'file-skipped', layer: image.layers[0]!.digest, path: 'var/lib/dpkg/status', message: 'var/lib/dpkg/status was not inventoried (67108864 bytes, more than the 50331648 read for dpkg)' },
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
