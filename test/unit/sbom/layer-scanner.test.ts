import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { BadInputError, LimitExceededError } from '../../../lambdas/core/errors';
import { buildLayerTar, compress } from '../../../lambdas/oci/image-builder';
import type { LayerEntry } from '../../../lambdas/oci/image-builder';
import { catalogers } from '../../../lambdas/sbom/catalogers';
import { scanLayer, rootRelative } from '../../../lambdas/sbom/layers/scan-layer';

const pkgJson = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

async function scan(entries: LayerEntry[], compression: 'gzip' | 'zstd' | 'none' = 'gzip', limits?: Parameters<typeof scanLayer>[4]['limits']) {
  const bytes = compress(await buildLayerTar(entries), compression);
  return scanLayer(Readable.from([bytes]), compression, bytes.length, 'sha256:test', { catalogers, limits });
}

describe('scanLayer', () => {
  it('reads gzip and uncompressed layers alike (zstd: layer-scanner.tools.test.ts)', async () => {
    const entries: LayerEntry[] = [{ path: 'app/node_modules/left-pad/package.json', content: pkgJson('left-pad', '1.3.0') }];
    for (const c of ['gzip', 'none'] as const) {
      const cat = await scan(entries, c);
      expect(cat.files['app/node_modules/left-pad/package.json']?.packages[0]).toMatchObject({ name: 'left-pad', version: '1.3.0' });
    }
  });

  it('records whiteouts, opaque directories and links', async () => {
    const cat = await scan([
      { path: 'app/node_modules/.wh.lodash' },
      { path: 'usr/lib/python3/.wh..wh..opq' },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
      { path: 'usr/lib/os-release-copy', type: 'link', linkname: 'usr/lib/os-release' },
    ]);
    expect(cat.whiteouts).toEqual(['app/node_modules/lodash']);
    expect(cat.opaqueDirs).toEqual(['usr/lib/python3']);
    expect(cat.links['etc/os-release']).toEqual({ type: 'symlink', target: '../usr/lib/os-release' });
    expect(cat.links['usr/lib/os-release-copy']).toEqual({ type: 'hardlink', target: 'usr/lib/os-release' });
    expect(cat.files['usr/lib/os-release']?.osRelease).toMatchObject({ id: 'alpine', versionId: '3.19.1' });
  });

  it('ignores entries that escape the root, with a warning, and roots absolute paths', async () => {
    const cat = await scan([
      { path: '../../outside/node_modules/evil/package.json', content: pkgJson('evil', '6.6.6') },
      { path: 'a/../../escape/node_modules/x/package.json', content: pkgJson('x', '1.0.0') },
      { path: '/abs/node_modules/ok/package.json', content: pkgJson('ok', '1.0.0') },
    ]);
    expect(Object.keys(cat.files)).toEqual(['abs/node_modules/ok/package.json']);
    expect(cat.warnings.filter((w) => /escapes the image root/.test(w.message))).toHaveLength(2);
  });

  it('turns corrupt package metadata into warnings, never a crash', async () => {
    const cat = await scan([
      { path: 'var/lib/dpkg/status', content: Buffer.from([0x00, 0xff, 0x50, 0x61, 0x63, 0x6b, 0x61, 0x67, 0x65, 0x3a, 0x0a, 0x0a, 0xfe]) },
      { path: 'node_modules/broken/package.json', content: '{"name": "broken", "version": ' },
      { path: 'usr/lib/python3/site-packages/x-1.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: x\n' },
    ]);
    expect(Object.keys(cat.files)).toEqual([]);
    expect(cat.warnings.length).toBeGreaterThanOrEqual(2);
  });

  it('skips a wanted file larger than its cataloger reads', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const cat = await scan([{ path: 'node_modules/huge/package.json', content: big }]);
    expect(cat.files).toEqual({});
    expect(cat.warnings[0]?.message).toMatch(/more than the .* read for npm; skipped/);
  });

  it('stops a decompression bomb at the size limit and at the ratio limit', async () => {
    const zeros = Buffer.alloc(32 * 1024 * 1024);
    const entries: LayerEntry[] = [{ path: 'zeros', content: zeros }];
    await expect(scan(entries, 'gzip', { maxBytes: 8 * 1024 * 1024, maxRatio: 1e9, ratioGraceBytes: 0 })).rejects.toThrow(LimitExceededError);
    await expect(scan(entries, 'gzip', { maxBytes: 1e12, maxRatio: 100, ratioGraceBytes: 1024 * 1024 })).rejects.toThrow(/expands more than 100:1/);
  });

  it('reports truncated gzip, corrupt zstd and a truncated tar as one clear error', async () => {
    const gz = compress(await buildLayerTar([{ path: 'a', content: 'x'.repeat(100000) }]), 'gzip');
    const truncated = gz.subarray(0, gz.length / 2);
    await expect(scanLayer(Readable.from([truncated]), 'gzip', truncated.length, 'sha256:t', { catalogers })).rejects.toThrow(new BadInputError('layer sha256:t: corrupt or truncated gzip data (unexpected end of file)'));
    const zst = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01, 0x02, 0x03, 0x04]);
    await expect(scanLayer(Readable.from([zst]), 'zstd', zst.length, 'sha256:z', { catalogers })).rejects.toThrow(BadInputError);
    const tarBytes = await buildLayerTar([{ path: 'node_modules/a/package.json', content: pkgJson('a', '1.0.0') }]);
    const cut = zlib.gzipSync(tarBytes.subarray(0, 700));
    await expect(scanLayer(Readable.from([cut]), 'gzip', cut.length, 'sha256:c', { catalogers })).rejects.toThrow(/layer sha256:c: truncated tar/);
  });

  it('never throws anything but a clear error on random bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom('gzip' as const, 'none' as const, 'zstd' as const), async (bytes, c) => {
        try {
          await scanLayer(Readable.from([Buffer.from(bytes)]), c, bytes.length, 'sha256:r', { catalogers });
        } catch (err) {
          expect(err).toBeInstanceOf(BadInputError);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('rootRelative', () => {
  it.each([
    ['./etc/os-release', 'etc/os-release'],
    ['/etc/os-release', 'etc/os-release'],
    ['usr/lib/', 'usr/lib'],
    ['a/./b/../c', 'a/c'],
    ['../x', undefined],
    ['a/../../x', undefined],
    ['./', ''],
  ])('%s → %s', (input, expected) => {
    expect(rootRelative(input)).toBe(expected);
  });

  it('agrees with POSIX normalisation on any name (the fast path for clean names included)', () => {
    const normalised = (name: string): string | undefined => {
      const relative = path.posix.normalize(name.replace(/^\/+/, ''));
      if (relative === '..' || relative.startsWith('../')) return undefined;
      const out = relative.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
      return out === '.' ? '' : out;
    };
    const segment = fc.constantFrom('a', 'b', '.', '..', '...', '.a', 'a.', '..a', '', '/');
    fc.assert(fc.property(fc.array(segment, { maxLength: 8 }).map((xs) => xs.join('')), (name) => rootRelative(name) === normalised(name)), { numRuns: 5000 });
  });
});
