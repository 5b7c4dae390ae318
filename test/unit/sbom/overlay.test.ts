import fc from 'fast-check';
import type { FileResult, LayerCatalog } from '../../../lambdas/sbom/layers/catalog';
import { LAYER_CATALOG_VERSION } from '../../../lambdas/sbom/layers/catalog';
import { mergeLayers, resolveInRoot } from '../../../lambdas/sbom/overlay';

function pkgFile(name: string, version = '1.0'): FileResult {
  return { cataloger: 'npm', packages: [{ ecosystem: 'npm', name, version, licenses: [] }] };
}

function layer(digest: string, parts: Partial<LayerCatalog>): LayerCatalog {
  return { version: LAYER_CATALOG_VERSION, digest, files: {}, links: {}, whiteouts: [], opaqueDirs: [], warnings: [], entries: 0, bytes: 0, ...parts };
}

describe('mergeLayers (OCI overlay rules)', () => {
  it('lets a later layer replace a file and deletes whiteouted files and directories', () => {
    const merged = mergeLayers([
      layer('l0', { files: { 'a/node_modules/x/package.json': pkgFile('x'), 'a/node_modules/y/package.json': pkgFile('y'), 'b/package.json': pkgFile('b') } }),
      layer('l1', { files: { 'b/package.json': pkgFile('b', '2.0') }, whiteouts: ['a/node_modules/x'] }),
    ]);
    expect([...merged.files.keys()].sort()).toEqual(['a/node_modules/y/package.json', 'b/package.json']);
    expect(merged.files.get('b/package.json')).toMatchObject({ layer: 1, value: { packages: [{ version: '2.0' }] } });
  });

  it('applies an opaque directory before the layer\'s own entries, whatever their order', () => {
    const merged = mergeLayers([
      layer('l0', { files: { 'app/node_modules/old/package.json': pkgFile('old'), 'app/keep.json': pkgFile('keep') } }),
      layer('l1', { opaqueDirs: ['app/node_modules'], files: { 'app/node_modules/new/package.json': pkgFile('new') } }),
    ]);
    expect([...merged.files.keys()].sort()).toEqual(['app/keep.json', 'app/node_modules/new/package.json']);
  });

  it('does not let a whiteout hide a file of its own layer', () => {
    const merged = mergeLayers([layer('l0', {}), layer('l1', { whiteouts: ['x/package.json'], files: { 'x/package.json': pkgFile('x') } })]);
    expect(merged.files.has('x/package.json')).toBe(true);
  });

  it('records the layer that introduced a package, surviving rewrites of its file', () => {
    const status0: FileResult = { cataloger: 'dpkg', packages: [{ ecosystem: 'dpkg', name: 'a', version: '1', licenses: [] }] };
    const status1: FileResult = { cataloger: 'dpkg', packages: [...status0.packages, { ecosystem: 'dpkg', name: 'b', version: '1', licenses: [] }] };
    const merged = mergeLayers([layer('l0', { files: { 'var/lib/dpkg/status': status0 } }), layer('l1', { files: { 'var/lib/dpkg/status': status1 } })]);
    const intro = merged.introducedAt.get('var/lib/dpkg/status')!;
    expect([...intro.values()].sort()).toEqual([0, 1]);
  });

  it('matches a model filesystem for random layer stacks (property)', () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const pathArb = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
    const layerArb = fc.record({ files: fc.uniqueArray(pathArb, { maxLength: 6 }), whiteouts: fc.array(pathArb, { maxLength: 2 }), opaque: fc.array(pathArb, { maxLength: 1 }) });
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 1, maxLength: 4 }), (stack) => {
        const model = new Map<string, number>();
        const catalogs = stack.map((l, i) => {
          for (const d of [...l.opaque, ...l.whiteouts]) for (const k of [...model.keys()]) if (k === d || k.startsWith(`${d}/`)) model.delete(k);
          for (const f of l.files) {
            // parents of a new entry are directories: files at those paths are replaced
            for (const k of [...model.keys()]) if (f.startsWith(`${k}/`)) model.delete(k);
            model.set(f, i);
          }
          return layer(`l${i}`, { files: Object.fromEntries(l.files.map((f) => [f, pkgFile(f)])), whiteouts: l.whiteouts, opaqueDirs: l.opaque });
        });
        const merged = mergeLayers(catalogs);
        const got = new Map([...merged.files].map(([k, v]) => [k, v.layer]));
        expect(new Map([...got].sort())).toEqual(new Map([...model].sort()));
      }),
    );
  });
});

describe('resolveInRoot', () => {
  const view = (links: Record<string, string>) => ({
    links: new Map(Object.entries(links).map(([k, target]) => [k, { layer: 0, value: { type: 'symlink' as const, target } }])),
  });

  it('follows relative and absolute symlinks, including on parent directories', () => {
    expect(resolveInRoot(view({ 'etc/os-release': '../usr/lib/os-release' }), 'etc/os-release')).toBe('usr/lib/os-release');
    expect(resolveInRoot(view({ 'etc/os-release': '/usr/lib/os-release' }), 'etc/os-release')).toBe('usr/lib/os-release');
    expect(resolveInRoot(view({ lib: 'usr/lib' }), 'lib/apk/db/installed')).toBe('usr/lib/apk/db/installed');
  });

  it('never leaves the image root and stops on loops', () => {
    expect(resolveInRoot(view({ 'etc/os-release': '../../../../host/etc/os-release' }), 'etc/os-release')).toBe('host/etc/os-release');
    expect(resolveInRoot(view({ a: 'b', b: 'a' }), 'a')).toBeUndefined();
    expect(resolveInRoot(view({ 'x/y': '/x/y/z' }), 'x/y')).toBeUndefined();
  });
});
