import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { RpmDatabase, RpmTagValue } from '../../../../test/support/rpm-artifacts';
import { buildRpmDatabase, RPM_QUERY_FORMAT, writeRpmHeader } from '../../../../test/support/rpm-artifacts';
import type { CatalogedPackage, PurlContext } from '../../cataloger';
import { rpmCataloger } from './index';
import { TAG } from './parse-header';
import { sqlite } from '../../../../test/support/sqljs';
import { parseRpmDb } from './parse-rpmdb';

/*
 * The rpm cataloger on sqlite databases written by rpm itself (rpmbuild, rpm --justdb, a gpg key),
 * with `rpm -qa` as the oracle: an integration test (npm run test:integration installs rpm and
 * gpg). Headers and legacy databases are in rpm.test.ts.
 */

const SPECS = [
  { name: 'hello-ag', version: '1.2.3', release: '4.fc40', epoch: 2, license: 'MIT AND (Apache-2.0 OR BSD-3-Clause)', vendor: 'Artifact Guard Tests', arch: 'noarch' as const },
  { name: 'zero-epoch', version: '0.9', release: '1.el9', epoch: 0, license: 'GPLv2+', arch: 'x86_64' as const },
  { name: 'libstdc++-compat', version: '13.2.1', release: '3.fc40', license: 'GPL-3.0-or-later WITH GCC-exception-3.1', arch: 'aarch64' as const },
];
const FEDORA: PurlContext = { os: { id: 'fedora', versionId: '40' } };

/** A `rpm -qa` line for what the cataloger found (the oracle's format). */
function asQueryLine(p: CatalogedPackage): string {
  const m = p.metadata ?? {};
  return [p.name, m.epoch ?? '(none)', m.version, m.release, p.arch ?? '(none)', m.sourceRpm ?? '(none)', p.licenses[0] ?? '(none)', m.vendor ?? '(none)'].join('|');
}

async function withRows(base: Buffer, rows: (Buffer | string | null)[]): Promise<Buffer> {
  const SQL = await sqlite();
  const db = new SQL.Database(base);
  for (const r of rows) db.run('INSERT INTO Packages (blob) VALUES (?)', [r]);
  const out = Buffer.from(db.export());
  db.close();
  return out;
}

describe('rpm sqlite databases written by rpm', () => {
  let rpmdb: RpmDatabase;
  let bytes: Buffer;

  beforeAll(() => {
    rpmdb = buildRpmDatabase(SPECS, { importKey: true });
    bytes = fs.readFileSync(rpmdb.sqlite);
  }, 60_000);
  afterAll(() => rpmdb?.cleanup());

  it('finds exactly the packages rpm -qa lists, field by field (oracle)', async () => {
    const result = await parseRpmDb('var/lib/rpm/rpmdb.sqlite', bytes);
    expect(result.warnings).toEqual([]);
    expect(result.packages.map(asQueryLine).sort()).toEqual(rpmdb.query());
    expect(rpmdb.query()).toHaveLength(SPECS.length + 1);
  });

  it('writes Syft-style purls: epoch as a qualifier (0 too), upstream source rpm, distro', async () => {
    const { packages } = await parseRpmDb('var/lib/rpm/rpmdb.sqlite', bytes);
    const byName = new Map(packages.map((p) => [p.name, p]));
    expect(byName.get('hello-ag')).toMatchObject({ version: '2:1.2.3-4.fc40', arch: 'noarch', licenses: ['MIT AND (Apache-2.0 OR BSD-3-Clause)'] });
    expect(rpmCataloger.purl(byName.get('hello-ag')!, FEDORA)).toBe('pkg:rpm/fedora/hello-ag@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2&upstream=hello-ag-1.2.3-4.fc40.src.rpm');
    expect(byName.get('zero-epoch')?.version).toBe('0:0.9-1.el9');
    expect(rpmCataloger.purl(byName.get('zero-epoch')!, { os: { id: 'rhel', versionId: '9.4' } })).toBe('pkg:rpm/redhat/zero-epoch@0.9-1.el9?arch=x86_64&distro=rhel-9.4&epoch=0&upstream=zero-epoch-0.9-1.el9.src.rpm');
    expect(rpmCataloger.purl(byName.get('libstdc++-compat')!, {})).toBe('pkg:rpm/libstdc%2B%2B-compat@13.2.1-3.fc40?arch=aarch64&upstream=libstdc%2B%2B-compat-13.2.1-3.fc40.src.rpm');
    expect(rpmCataloger.purl(byName.get('libstdc++-compat')!, { os: { id: 'opensuse-leap', versionId: '15.5' } })).toMatch(/^pkg:rpm\/opensuse\/libstdc/);
  });

  it('keeps the gpg-pubkey pseudo-package of an imported key, marked as such', async () => {
    const { packages } = await parseRpmDb('var/lib/rpm/rpmdb.sqlite', bytes);
    const key = packages.find((p) => p.name === 'gpg-pubkey');
    expect(key).toMatchObject({ licenses: ['pubkey'], metadata: expect.objectContaining({ pseudoPackage: 'gpg-pubkey' }) });
    expect(key?.arch).toBeUndefined();
    expect(rpmCataloger.purl(key!, FEDORA)).toMatch(/^pkg:rpm\/fedora\/gpg-pubkey@[0-9a-f]{8}-[0-9a-f]{8}\?distro=fedora-40$/);
  });

  it('skips unreadable rows with a warning and keeps the others', async () => {
    const withBad = await withRows(bytes, [Buffer.from('not a header at all'), writeRpmHeader(new Map([[TAG.NAME, 'nameless-version']])), 'text blob']);
    const result = await parseRpmDb('var/lib/rpm/rpmdb.sqlite', withBad);
    expect(result.packages).toHaveLength(SPECS.length + 1);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'package 5: header with 1852797984 index entries; skipped',
      'package 6: header without name, version and release; skipped',
      'package 7: blob is not binary; skipped',
    ]);
  });

  it('reports a corrupt, truncated or foreign sqlite file as not readable (no throw)', async () => {
    const SQL = await sqlite();
    const other = new SQL.Database();
    other.run('CREATE TABLE notes (a TEXT)');
    const foreign = Buffer.from(other.export());
    other.close();
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('SQLite format 3\0garbage garbage garbage'), /^rpm sqlite database not readable: not a SQLite 3 database/],
      [bytes.subarray(0, 5000), /^rpm sqlite database not readable: /],
      [Buffer.alloc(0), /^rpm sqlite database not readable: not a SQLite 3 database \(bad header\)$/],
      [foreign, /^not an rpm database \(no such table: Packages\)$/],
    ];
    for (const [buf, message] of cases) {
      const result = parseRpmDb('var/lib/rpm/rpmdb.sqlite', buf);
      expect(result.packages).toEqual([]);
      expect(result.warnings[0]?.message).toMatch(message);
    }
  });

  it('agrees with rpm on headers written by the test writer (property, rpm -qa as oracle)', async () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9+._-]{0,12}$/);
    const pkg = fc.record({ name: word, version: fc.stringMatching(/^\d{1,3}(\.\d{1,3}){0,2}$/), release: fc.stringMatching(/^\d{1,2}\.(el9|fc40|amzn2023)$/), epoch: fc.option(fc.nat(5), { nil: undefined }), arch: fc.constantFrom('x86_64', 'noarch', 'aarch64'), license: fc.constantFrom('MIT', 'GPLv2+', 'ASL 2.0') });
    const dir = fs.mkdtempSync(path.join(rpmdb.dir, 'prop-'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(pkg, { selector: (p) => p.name, minLength: 1, maxLength: 6 }), async (pkgs) => {
        const headers = pkgs.map((p) => {
          const tags = new Map<number, RpmTagValue>([
            [TAG.NAME, p.name],
            [TAG.VERSION, p.version],
            [TAG.RELEASE, p.release],
            [TAG.ARCH, p.arch],
            [TAG.LICENSE, p.license],
            [TAG.SOURCERPM, `${p.name}-${p.version}-${p.release}.src.rpm`],
          ]);
          if (p.epoch !== undefined) tags.set(TAG.EPOCH, [p.epoch]);
          return writeRpmHeader(tags);
        });
        const SQL = await sqlite();
        // rpm's own schema (with its index tables), emptied, so rpm opens it as one of its databases.
        const db = new SQL.Database(bytes);
        db.run('DELETE FROM Packages');
        for (const h of headers) db.run('INSERT INTO Packages (blob) VALUES (?)', [h]);
        const file = Buffer.from(db.export());
        db.close();
        fs.writeFileSync(path.join(dir, 'rpmdb.sqlite'), file);
        const oracle = execFileSync('rpm', ['--dbpath', dir, '-qa', '--qf', RPM_QUERY_FORMAT], { encoding: 'utf8' }).trim().split('\n').sort();
        const ours = (await parseRpmDb('x', file)).packages.map(asQueryLine).sort();
        expect(ours).toEqual(oracle);
      }),
      { numRuns: 25 },
    );
  });
});
