import { Readable } from 'node:stream';
import fc from 'fast-check';
import { buildLayerTar } from '../../../oci/image-builder';
import { scanLayer } from '../../layers/scan-layer';
import type { RpmTagValue } from '../../../../test/support/rpm-artifacts';
import { writeRpmHeader } from '../../../../test/support/rpm-artifacts';
import { rpmCataloger } from './index';
import { parseRpmHeader, TAG } from './parse-header';
import { legacyRpmDbFormat, parseRpmDb } from './parse-rpmdb';

describe('rpm wants and legacy databases', () => {
  it.each([
    ['var/lib/rpm/rpmdb.sqlite', true],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', true],
    ['var/lib/rpm/rpmdb.sqlite-wal', false],
    ['home/u/var/lib/rpm/rpmdb.sqlite', false],
    ['var/lib/rpm/Packages', false],
  ])('%s is wanted: %s', (p, expected) => {
    expect(rpmCataloger.wants(p)).toBe(expected);
  });

  it.each([
    ['BerkeleyDB hash, little-endian', Buffer.from('00000000000000000000000061150600', 'hex'), 'BerkeleyDB (hash)'],
    ['BerkeleyDB hash, big-endian', Buffer.from('00000000000000000000000000061561', 'hex'), 'BerkeleyDB (hash)'],
    ['BerkeleyDB btree', Buffer.from('00000000000000000000000062310500', 'hex'), 'BerkeleyDB (btree)'],
    ['ndb', Buffer.from('RpmP\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1'), 'ndb'],
    ['something else', Buffer.alloc(16), 'unknown'],
  ])('names the %s format', (_what, head, format) => {
    expect(legacyRpmDbFormat(head)).toBe(format);
  });

  it('reports a BerkeleyDB Packages file in a layer as not read, after sniffing 16 bytes only', async () => {
    const bdb = Buffer.concat([Buffer.from('00000000000000000000000061150600', 'hex'), Buffer.alloc(4 * 1024 * 1024, 7)]);
    const tar = await buildLayerTar([
      { path: 'var/lib/rpm/Packages', content: bdb },
      { path: 'usr/lib/sysimage/rpm/Packages.db', content: Buffer.concat([Buffer.from('RpmP'), Buffer.alloc(100)]) },
    ]);
    const catalog = await scanLayer(Readable.from([tar]), 'none', tar.length, 'sha256:bdb', { catalogers: [rpmCataloger] });
    expect(catalog.files).toEqual({});
    expect(catalog.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'var/lib/rpm/Packages: rpm database format BerkeleyDB (hash) not read (only the sqlite rpmdb.sqlite of RHEL 9+, Fedora 33+ and Amazon Linux 2023 is): the rpm packages of this image are not in this SBOM',
      'usr/lib/sysimage/rpm/Packages.db: rpm database format ndb not read (only the sqlite rpmdb.sqlite of RHEL 9+, Fedora 33+ and Amazon Linux 2023 is): the rpm packages of this image are not in this SBOM',
    ]);
  });
});

describe('rpm headers', () => {
  it('lets dribble entries after the region replace earlier ones (last wins)', () => {
    const blob = writeRpmHeader(new Map<number, RpmTagValue>([[TAG.NAME, 'a'], [TAG.VERSION, '1']]));
    const il = blob.readInt32BE(0);
    // Point the VERSION entry's tag at RELEASE too: two entries, the later one wins.
    const copy = Buffer.concat([blob.subarray(0, 8 + 16 * il), blob.subarray(8 + 16 * il)]);
    copy.writeInt32BE(TAG.NAME, 8 + 16 * 2);
    const h = parseRpmHeader(copy);
    expect(typeof h === 'string' ? h : h.string(TAG.NAME)).toBe('1');
  });

  it('round-trips strings, string arrays and integers (property)', () => {
    const text = fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.dictionary(fc.integer({ min: 1000, max: 1100 }).map(String), fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 4 }))), (dict) => {
        const tags = new Map<number, RpmTagValue>(Object.entries(dict).map(([k, v]) => [Number(k), v]));
        fc.pre(tags.size > 0);
        const h = parseRpmHeader(writeRpmHeader(tags));
        if (typeof h === 'string') throw new Error(h);
        for (const [tag, v] of tags) {
          if (typeof v === 'string') expect(h.string(tag)).toBe(v);
          else if (typeof v[0] === 'number') expect(h.int(tag)).toBe(v[0]);
          else expect(h.string(tag)).toBe(v[0]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary blobs (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const h = parseRpmHeader(bytes);
        if (typeof h === 'string') return;
        for (const t of Object.values(TAG)) {
          h.string(t);
          h.int(t);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary database bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, sqliteHeader) => {
        const buf = sqliteHeader ? Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from(bytes)]) : Buffer.from(bytes);
        const result = await parseRpmDb('x', buf);
        expect(Array.isArray(result.packages)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
