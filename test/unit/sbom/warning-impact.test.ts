import { Readable } from 'node:stream';
import { buildLayerTar, compress } from '../../../lambdas/oci/image-builder';
import { WarningSink } from '../../../lambdas/sbom/catalogers/common/text';
import { CatalogCollector } from '../../../lambdas/sbom/layers/catalog-builder';
import { catalogers } from '../../../lambdas/sbom/catalogers';
import { scanLayer } from '../../../lambdas/sbom/layers/scan-layer';
import type { SyncCataloger } from '../../../lambdas/sbom/cataloger';

describe('warning impact', () => {
  it('WarningSink: inventory unless marked, and its summary is metadata only when every dropped warning was', () => {
    const sink = new WarningSink('f', 2);
    sink.add('stanza skipped');
    sink.add('licence unreadable', 'metadata');
    sink.add('another licence', 'metadata');
    expect(sink.list()).toEqual([
      { path: 'f', message: 'stanza skipped' },
      { path: 'f', message: 'licence unreadable', impact: 'metadata' },
      { path: 'f', message: '1 further warnings suppressed', impact: 'metadata' },
    ]);
    sink.add('package skipped');
    expect(sink.list()[2]).toEqual({ path: 'f', message: '2 further warnings suppressed' });
  });

  it('the collector keeps a parser warning’s impact, and its own warnings are inventory', () => {
    const licences: SyncCataloger = {
      name: 'lic',
      maxFileSize: 10,
      wants: (p) => p.endsWith('.lic'),
      parse: (path) => ({ packages: [], warnings: [{ path, message: 'odd licence', impact: 'metadata' }, { path, message: 'odd stanza' }] }),
      purl: () => 'pkg:generic/x@1',
    };
    const c = new CatalogCollector('sha256:x', [licences]);
    const who = c.reader('a.lic', 5);
    expect(who).toBe(licences);
    // A synchronous parser is recorded at once: no promise to wait for.
    expect(c.file('a.lic', licences, Buffer.from('x'))).toBeUndefined();
    expect(c.reader('big.lic', 11)).toBeUndefined();
    c.whiteout('dir/.wh.');
    expect(c.finish().warnings).toEqual([
      { path: 'a.lic', message: 'odd licence', impact: 'metadata' },
      { path: 'a.lic', message: 'odd stanza' },
      { path: 'big.lic', message: '11 bytes, more than the 10 read for lic; skipped' },
      { path: 'dir/.wh.', message: 'invalid whiteout ".wh." ignored', impact: 'metadata' },
    ]);
  });

  it('past the per-layer cap, the summary is inventory even when only metadata warnings were dropped', async () => {
    const entries = Array.from({ length: 205 }, (_, i) => ({ path: `d${i}/.wh.` }));
    const bytes = compress(await buildLayerTar(entries), 'gzip');
    const cat = await scanLayer(Readable.from([bytes]), 'gzip', bytes.length, 'sha256:w', { catalogers });
    expect(cat.warnings).toHaveLength(201);
    expect(cat.warnings[200]).toEqual({ path: '', message: 'more warnings in this layer were dropped' });
    expect(cat.warnings.slice(0, 200).every((w) => w.impact === 'metadata')).toBe(true);
  });
});
