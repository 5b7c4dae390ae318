import { matchPackage } from '../../../lambdas/vuln/osv/matcher';
import { OsvIndex } from '../../../lambdas/vuln/osv/record-index';
import type { ScanReport } from '../../../lambdas/vuln/report';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { OfflineOsvSource } from '../../../lambdas/vuln/sources/offline-source';
import { fixtureSource, record, sbomOf } from './helpers';

const NOW = new Date('2026-06-01T00:00:00Z');
const source = fixtureSource();
const scan = (purls: string[]): Promise<ScanReport> => scanSbom(sbomOf(purls), source, { now: NOW });
/** "purl → id" for every finding, sorted. */
const hits = (r: ScanReport): string[] => r.findings.map((f) => `${f.component.purl} → ${f.id}`).sort();

describe('matching real Debian and Alpine records', () => {
  it('an SBOM-like component list yields exactly the expected findings', async () => {
    const report = await scan([
      // Debian 9 (stretch): openssl binaries come from source openssl (DLA-3008-1, fixed 1.1.0l-1~deb9u6).
      'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl',
      'pkg:deb/debian/openssl@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9',
      // tzdata (DLA-3051-1, fixed 2021a-0+deb9u4), given with the codename.
      'pkg:deb/debian/tzdata@2021a-0%2Bdeb9u3?arch=all&distro=stretch',
      // Debian 7 (wheezy): nginx-common from source nginx (DSA-3029-1, fixed 1.2.1-2.2+wheezy3).
      'pkg:deb/debian/nginx-common@1.2.1-2.2%2Bwheezy2?arch=all&distro=debian-7&upstream=nginx',
      // Alpine 3.19: musl binaries (ALPINE-CVE-2025-26519, fixed 1.2.4_git20230717-r5 on v3.19).
      'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
      'pkg:apk/alpine/musl-utils@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1&upstream=musl',
      // Alpine 3.18 has its own fixed version (1.2.4-r3).
      'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4',
    ]);
    expect(hits(report)).toEqual([
      'pkg:apk/alpine/musl-utils@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1&upstream=musl → ALPINE-CVE-2025-26519',
      'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4 → ALPINE-CVE-2025-26519',
      'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1 → ALPINE-CVE-2025-26519',
      'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl → DLA-3008-1',
      'pkg:deb/debian/nginx-common@1.2.1-2.2%2Bwheezy2?arch=all&distro=debian-7&upstream=nginx → DSA-3029-1',
      'pkg:deb/debian/openssl@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9 → DLA-3008-1',
      'pkg:deb/debian/tzdata@2021a-0%2Bdeb9u3?arch=all&distro=stretch → DLA-3051-1',
    ]);
    const musl = report.findings.find((f) => f.component.purl?.includes('alpine-3.18'));
    expect(musl?.fixed).toEqual(['1.2.4-r3']);
    expect(musl?.package).toEqual({ ecosystem: 'Alpine:v3.18', name: 'musl', version: '1.2.4-r2' });
    const ssl = report.findings.find((f) => f.component.name === 'libssl1.1');
    expect(ssl).toMatchObject({ fixed: ['1.1.0l-1~deb9u6'], package: { ecosystem: 'Debian:9', name: 'openssl' }, upstream: ['CVE-2022-1292', 'DEBIAN-CVE-2022-1292'] });
  });

  it('patched versions, other releases and releases without an entry do not match', async () => {
    const report = await scan([
      'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u6?arch=amd64&distro=debian-9&upstream=openssl', // the fix itself
      'pkg:deb/debian/tzdata@2021a-0%2Bdeb9u4?arch=all&distro=debian-9',
      'pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy3?arch=amd64&distro=debian-7',
      'pkg:deb/debian/openssl@1.1.0l-1~deb9u5?arch=amd64&distro=debian-12', // the Debian 9 record says nothing about 12
      'pkg:apk/alpine/musl@1.2.4_git20230717-r5?arch=x86_64&distro=alpine-3.19.1',
      'pkg:apk/alpine/musl@1.2.5-r1?arch=x86_64&distro=alpine-3.20.3',
      'pkg:apk/alpine/musl@1.2.2-r7?arch=x86_64&distro=alpine-3.15.0', // no v3.15 entry
    ]);
    expect(hits(report)).toEqual([]);
    expect(report.unorderable).toEqual([]);
  });

  it('a version listed in `versions` matches by string equality', async () => {
    // DLA-3008-1 lists 1.1.0f-3+deb9u2 both in versions and inside its range; GHSA-g2q5-5433-rhrf
    // (the compromised `rc` releases) has only versions lists.
    const report = await scan(['pkg:npm/rc@1.2.9', 'pkg:npm/rc@1.3.9', 'pkg:npm/rc@1.2.8', 'pkg:npm/rc@2.3.9']);
    expect(hits(report)).toEqual(['pkg:npm/rc@1.2.9 → GHSA-g2q5-5433-rhrf', 'pkg:npm/rc@1.3.9 → GHSA-g2q5-5433-rhrf', 'pkg:npm/rc@2.3.9 → GHSA-g2q5-5433-rhrf']);
    expect(report.findings[0]?.matchedBy).toBe('versions');
  });
});

describe('matching real language-ecosystem records', () => {
  it('npm, PyPI, crates.io, Go and Maven', async () => {
    const report = await scan([
      'pkg:npm/lodash@4.17.15',
      'pkg:npm/lodash@4.17.21',
      'pkg:npm/axios@1.6.0', // the record spells it "Axios"
      'pkg:npm/xmldom@0.6.0', // last_affected 0.6.0 (inclusive)
      'pkg:npm/xmldom@0.6.1',
      'pkg:pypi/urllib3@1.26.4',
      'pkg:pypi/urllib3@1.26.18',
      'pkg:pypi/Jinja2@2.7.2',
      'pkg:pypi/tensorflow@2.4.1', // ECOSYSTEM range next to a GIT range
      'pkg:pypi/tensorflow@2.4.3',
      'pkg:golang/stdlib@go1.20.1',
      'pkg:golang/stdlib@go1.20.4',
      'pkg:maven/org.apache.logging.log4j/log4j-core@3.0.0-beta2',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.25.4',
    ]);
    expect(hits(report)).toEqual([
      'pkg:golang/stdlib@go1.20.1 → GO-2023-1751',
      'pkg:maven/org.apache.logging.log4j/log4j-core@3.0.0-beta2 → GHSA-3pxv-7cmr-fjr4',
      'pkg:npm/axios@1.6.0 → GHSA-8hc4-vh64-cxmj',
      'pkg:npm/lodash@4.17.15 → GHSA-p6mc-m468-83gw',
      'pkg:npm/xmldom@0.6.0 → GHSA-crh6-fp67-6883',
      'pkg:pypi/Jinja2@2.7.2 → PYSEC-2014-82', // PEP 503 name matching; the purl is reported as written
      'pkg:pypi/tensorflow@2.4.1 → PYSEC-2021-281',
      'pkg:pypi/urllib3@1.26.4 → PYSEC-2023-192',
      'pkg:pypi/urllib3@1.26.4 → PYSEC-2023-212',
    ]);
    expect(report.findings.find((f) => f.id === 'GHSA-crh6-fp67-6883')).toMatchObject({ fixed: [], lastAffected: ['0.6.0'] });
  });

  it('withdrawn records never match', async () => {
    // GHSA-87qp-7cw8-8q9c (web3-utils < 4.2.1), RUSTSEC-2020-0053 (dirs, every version),
    // PYSEC-2023-141 (pynetbox), GO-2024-2447 (teleport): all withdrawn.
    const report = await scan(['pkg:npm/web3-utils@4.0.0', 'pkg:cargo/dirs@1.0.0', 'pkg:pypi/pynetbox@6.0.0', 'pkg:golang/github.com/gravitational/teleport@v14.0.0']);
    expect(report.findings).toEqual([]);
  });

  it('merges records that are aliases of one CVE into one finding named after the CVE', async () => {
    // RUSTSEC-2022-0075 and RUSTSEC-2022-0098 both alias CVE-2022-39393 and GHSA-wh6w-3828-g9qf.
    const report = await scan(['pkg:cargo/wasmtime@1.0.1', 'pkg:cargo/wasmtime@2.0.1', 'pkg:cargo/wasmtime@2.0.2']);
    expect(hits(report)).toEqual(['pkg:cargo/wasmtime@1.0.1 → CVE-2022-39393', 'pkg:cargo/wasmtime@2.0.1 → CVE-2022-39393']);
    const f = report.findings[0];
    expect(f?.records).toEqual(['RUSTSEC-2022-0075', 'RUSTSEC-2022-0098']);
    expect(f?.aliases).toEqual(['GHSA-wh6w-3828-g9qf', 'RUSTSEC-2022-0075', 'RUSTSEC-2022-0098']);
    // One record has no vector, the other CVSS:3.1 …/S:C/C:H/I:N/A:N = 8.6.
    expect(f).toMatchObject({ severity: 'high', score: 8.6 });
    expect(report.findings.find((x) => x.component.purl?.endsWith('2.0.1'))?.fixed).toEqual(['2.0.2']);
  });

  it('a single record keeps its own id; its aliases are listed', async () => {
    const report = await scan(['pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy2?distro=debian-7']);
    expect(report.findings.map((f) => [f.id, f.aliases])).toEqual([['DSA-3029-1', ['CVE-2014-3616']]]);
  });
});

describe('synthetic records (rules the real data does not exercise)', () => {
  const idx = OsvIndex.build([
    record('DEB-EPOCH', [{ package: { ecosystem: 'Debian:12', name: 'foo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.0-2' }] }] }]),
    record('DEB-NOEPOCH', [{ package: { ecosystem: 'Debian:12', name: 'bar' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }]),
    record('BAD-RECORD-VERSION', [{ package: { ecosystem: 'npm', name: 'baz' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not a version' }] }] }]),
    record('LISTED', [{ package: { ecosystem: 'npm', name: 'weird' }, versions: ['exotic-build'], ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }]),
    record('NO-ORDERING', [{ package: { ecosystem: 'CRAN', name: 'ggplot2' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.0' }] }] }]),
    record('GIT-ONLY', [{ package: { ecosystem: 'npm', name: 'gitonly' }, ranges: [{ type: 'GIT', repo: 'https://example.com/r', events: [{ introduced: '0' }] }] }]),
    record('UNSCOPED', [{ package: { ecosystem: 'Debian', name: 'qux' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0-1' }] }] }]),
    record('VIA-PURL', [{ package: { ecosystem: 'npm', name: 'Misspelt', purl: 'pkg:npm/%40scope/real' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }]),
  ]);
  const ids = (ecosystem: string, name: string, version: string) => matchPackage(idx, { ecosystem, name, version });

  it('compares Debian epochs (1:1.0-1 is newer than 1.0-2)', () => {
    expect(ids('Debian:12', 'foo', '1:1.0-1').matches.map((m) => m.record.id)).toEqual(['DEB-EPOCH']);
    expect(ids('Debian:12', 'foo', '1:1.0-2').matches).toEqual([]);
    expect(ids('Debian:12', 'bar', '1:1.0-1').matches).toEqual([]);
    expect(ids('Debian:12', 'bar', '1.0-1').matches.map((m) => m.record.id)).toEqual(['DEB-NOEPOCH']);
  });

  it('a record version outside the grammar makes the record undecidable, not clean', () => {
    const r = ids('npm', 'baz', '1.0.0');
    expect(r.matches).toEqual([]);
    expect(r.undecidable).toEqual([{ recordId: 'BAD-RECORD-VERSION', reason: 'record version "not a version" cannot be ordered (SemVer (npm, crates.io, Go, Hex, SwiftURL))' }]);
  });

  it('an unorderable component version is undecidable, unless listed exactly in versions', () => {
    expect(ids('npm', 'weird', 'exotic-build')).toMatchObject({ matches: [{ via: 'versions', record: { id: 'LISTED' } }], undecidable: [] });
    const other = ids('npm', 'weird', 'other-build');
    expect(other.matches).toEqual([]);
    expect(other.undecidable.map((u) => u.recordId)).toEqual(['LISTED']);
    expect(ids('npm', 'weird', '1.0.0').matches.map((m) => m.via)).toEqual(['range']);
  });

  it('an ecosystem without an ordering is undecidable', () => {
    expect(ids('CRAN', 'ggplot2', '2.0.0').undecidable).toEqual([{ recordId: 'NO-ORDERING', reason: 'no version ordering for ecosystem CRAN' }]);
  });

  it('GIT ranges are ignored (no commit graph)', () => {
    expect(ids('npm', 'gitonly', '1.0.0')).toEqual({ matches: [], undecidable: [] });
  });

  it('a release-less Debian record applies to every release', () => {
    expect(ids('Debian:12', 'qux', '1.0-1').matches.map((m) => m.record.id)).toEqual(['UNSCOPED']);
  });

  it('an affected entry is also found through its purl', () => {
    expect(ids('npm', '@scope/real', '1.0.0').matches.map((m) => m.record.id)).toEqual(['VIA-PURL']);
  });

  it('end to end: a percent-encoded epoch, and binaries compared by their source version', async () => {
    const src = OfflineOsvSource.fromRecords('test', [
      record('DEB-EPOCH', [{ package: { ecosystem: 'Debian:12', name: 'foo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:2.3-5' }] }] }]),
      record('DEB-SOURCE', [{ package: { ecosystem: 'Debian:12', name: 'gcc-defaults' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.204' }] }] }]),
    ]);
    const report = await scanSbom(
      sbomOf([
        'pkg:deb/debian/libfoo1@1%3A2.3-4?arch=amd64&distro=debian-12&upstream=foo',
        'pkg:deb/debian/libfoo2@1%3A2.3-5?arch=amd64&distro=debian-12&upstream=foo',
        'pkg:deb/debian/foo-old@2.3-4?arch=amd64&distro=debian-12&upstream=foo%402.3-4',
        // cpp 4:12.2.0-3 is built from gcc-defaults 1.203: against the source fix 1.204 only the
        // source version means anything (the binary version would say "not affected").
        'pkg:deb/debian/cpp@4%3A12.2.0-3?arch=amd64&distro=debian-12&upstream=gcc-defaults%401.203',
        'pkg:deb/debian/cpp@4%3A12.2.0-4?arch=amd64&distro=debian-12&upstream=gcc-defaults%401.204',
      ]),
      src,
      { now: NOW },
    );
    expect(report.findings.map((f) => [f.component.name, f.id, f.package.version])).toEqual([
      ['foo-old', 'DEB-EPOCH', '2.3-4'],
      ['libfoo1', 'DEB-EPOCH', '1:2.3-4'],
      ['cpp', 'DEB-SOURCE', '1.203'],
    ]);
  });

  it('reports unorderable components in the scan report, with the records it could not evaluate', async () => {
    const src = OfflineOsvSource.fromRecords('test', [
      record('LISTED', [{ package: { ecosystem: 'npm', name: 'weird' }, versions: ['exotic-build'], ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }]),
    ]);
    const lines: string[] = [];
    const report = await scanSbom(sbomOf(['pkg:npm/weird@other-build', 'pkg:npm/weird@exotic-build', 'pkg:npm/unknown@not-semver']), src, { now: NOW, log: (l) => lines.push(l) });
    expect(hits(report)).toEqual(['pkg:npm/weird@exotic-build → LISTED']);
    // Every component whose version cannot be ordered is listed, even the one an exact listed
    // version decided (it is also a finding) and the one no record names.
    expect(report.unorderable.map((u) => [u.component.purl, u.records.map((r) => r.id)])).toEqual([
      ['pkg:npm/weird@other-build', ['LISTED']],
      ['pkg:npm/weird@exotic-build', []],
      ['pkg:npm/unknown@not-semver', []],
    ]);
    expect(report.summary.unorderable).toBe(3);
    expect(lines.some((l) => l.includes('pkg:npm/weird@other-build') && l.includes('LISTED'))).toBe(true);
  });
});
