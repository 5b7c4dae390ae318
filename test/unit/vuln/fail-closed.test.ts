/**
 * The scan never turns a doubt into a pass: components the data cannot speak for, versions
 * that cannot be compared with the records naming them, and components with no OSV ecosystem
 * are gaps, and gaps make the verdict `incomplete`. Real records throughout, except the
 * Debian 12 one (`fixtures/osv/ours`), which no copyable real record could stand in for.
 */
import type { ScanReport } from '../../../lambdas/vuln/report';
import { scanSbom, type ScanOptions } from '../../../lambdas/vuln/scan';
import { OfflineOsvSource } from '../../../lambdas/vuln/sources/offline-source';
import type { OsvRecord } from '../../../lambdas/vuln/osv/types';
import { fixtureRecord, fixtureSource, ourRecord, record, sbomOf } from './helpers';

const NOW = new Date('2026-06-01T00:00:00Z');
const data = (label: string, records: OsvRecord[]) => OfflineOsvSource.fromRecords(label, records);
const scan = (purls: string[], source: OfflineOsvSource, opts: Partial<ScanOptions> = {}): Promise<ScanReport> => scanSbom(sbomOf(purls), source, { now: NOW, ...opts });
const ids = (r: ScanReport): string[] => r.findings.map((f) => `${f.component.name} → ${f.id}`).sort();

/** Debian 7 and 9 advisories (DSA-3029-1 nginx; DLA-3008-1 openssl, DLA-3051-1 tzdata) and npm. */
const OLD_DEBIAN = ['DSA-3029-1', 'DLA-3008-1', 'DLA-3051-1', 'GHSA-p6mc-m468-83gw'].map(fixtureRecord);

const DEBIAN_12 = [
  // python3-urllib3 is built from source python-urllib3; DEBIAN-CVE-2023-43804 fixes it in 1.26.12-1+deb12u1.
  'pkg:deb/debian/python3-urllib3@1.26.12-1?arch=all&distro=debian-12&upstream=python-urllib3',
  'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
];

describe('purls named like Object.prototype members', () => {
  it('a pkg:constructor component is a gap, never a clean pass', async () => {
    const r = await scan(['pkg:constructor/x@1'], fixtureSource(), { threshold: 'high' });
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps.map((g) => g.message)).toEqual(['1 component cannot be matched against OSV data: purl type "constructor" has no OSV ecosystem']);
  });
});

describe('data coverage', () => {
  it('a PyPI-only SBOM against data without PyPI records is incomplete, naming PyPI', async () => {
    const r = await scan(['pkg:pypi/urllib3@1.26.4', 'pkg:pypi/jinja2@2.7.2'], data('osv-dir:/x', OLD_DEBIAN), { threshold: 'high' });
    expect(r.verdict).toBe('incomplete');
    expect(r.findings).toEqual([]);
    expect(r.gaps).toEqual([
      {
        kind: 'not-covered',
        message: '2 PyPI components were not scanned: the data (osv-dir:/x) has no PyPI records (it covers Debian:7, Debian:9, npm)',
        ecosystem: 'PyPI',
        components: 2,
        examples: ['pkg:pypi/urllib3@1.26.4', 'pkg:pypi/jinja2@2.7.2'],
      },
    ]);
    expect(r.summary).toMatchObject({ components: 2, scanned: 0, notScanned: 2, gaps: 1 });
    expect(r.notScanned.map((n) => n.reason)).toEqual(['the data has no PyPI records', 'the data has no PyPI records']);
    // The same SBOM against data with PyPI records: urllib3 1.26.4 and jinja2 2.7.2 are affected.
    const covered = await scan(['pkg:pypi/urllib3@1.26.4', 'pkg:pypi/jinja2@2.7.2'], fixtureSource(), { threshold: 'high' });
    expect(covered.gaps).toEqual([]);
    expect(ids(covered)).toEqual(['jinja2 → PYSEC-2014-82', 'urllib3 → PYSEC-2023-192', 'urllib3 → PYSEC-2023-212']);
  });

  it('a Debian 12 SBOM against Debian 7–9 advisories is incomplete, naming Debian:12', async () => {
    const r = await scan(DEBIAN_12, data('osv-dir:/old', OLD_DEBIAN));
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps).toEqual([
      {
        kind: 'not-covered',
        message: '2 Debian:12 components were not scanned: the data (osv-dir:/old) has no Debian:12 records (it covers Debian:7, Debian:9, npm)',
        ecosystem: 'Debian:12',
        components: 2,
        examples: DEBIAN_12,
      },
    ]);
  });

  it('the same Debian 12 SBOM against data that covers Debian:12 passes or fails as the records say', async () => {
    const withBookworm = data('osv-dir:/new', [...OLD_DEBIAN, ourRecord('DEBIAN-CVE-2023-43804'), fixtureRecord('PYSEC-2023-192')]);
    const vulnerable = await scan(DEBIAN_12, withBookworm, { threshold: 'high' });
    expect(vulnerable.gaps).toEqual([]);
    expect(ids(vulnerable)).toEqual(['python3-urllib3 → DEBIAN-CVE-2023-43804']);
    expect(vulnerable.verdict).toBe('fail');
    // libssl3 is checked (no Debian 12 openssl record names it: clean), not skipped.
    expect(vulnerable.summary).toMatchObject({ components: 2, scanned: 2, notScanned: 0 });
    const fixed = await scan([DEBIAN_12[0]?.replace('@1.26.12-1?', '@1.26.12-1%2Bdeb12u1?') as string, DEBIAN_12[1] as string], withBookworm, { threshold: 'high' });
    expect(fixed).toMatchObject({ verdict: 'pass', findings: [], gaps: [] });
  });

  it('an unscoped Debian record covers every Debian release', async () => {
    const unscoped = record('UNSCOPED', [{ package: { ecosystem: 'Debian', name: 'python-urllib3' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.26.12-2' }] }] }]);
    const r = await scan(DEBIAN_12, data('x', [unscoped]));
    expect(r.gaps).toEqual([]);
    expect(ids(r)).toEqual(['python3-urllib3 → UNSCOPED']);
  });
});

describe('versions that cannot be compared with records', () => {
  it('lodash@4.17.4.0 with lodash records is incomplete; a package no record names is no gap', async () => {
    const r = await scan(['pkg:npm/lodash@4.17.4.0', 'pkg:npm/somepkg@4.17.4.0'], fixtureSource(), { threshold: 'high' });
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps.map((g) => [g.kind, g.examples])).toEqual([['unorderable', ['pkg:npm/lodash@4.17.4.0']]]);
    expect(r.gaps[0]?.message).toMatch(/^pkg:npm\/lodash@4\.17\.4\.0: 4 records naming lodash could not be evaluated: version "4\.17\.4\.0" cannot be ordered/);
    // Both are listed as unorderable; only lodash had records left undecided.
    expect(r.unorderable.map((u) => [u.component.name, u.records.length])).toEqual([
      ['lodash', 4],
      ['somepkg', 0],
    ]);
    const alone = await scan(['pkg:npm/somepkg@4.17.4.0'], fixtureSource(), { threshold: 'high' });
    expect([alone.verdict, alone.gaps]).toEqual(['pass', []]);
  });

  it('a Go main module built as (devel) is a gap when records name it, not otherwise', async () => {
    // GO-2024-2955 names github.com/gin-contrib/cors (fixed 1.6.0): without a version nothing can be said.
    for (const purl of ['pkg:golang/github.com/gin-contrib/cors', 'pkg:golang/github.com/gin-contrib/cors@(devel)']) {
      const r = await scan([purl], fixtureSource(), { threshold: 'high' });
      expect(r.verdict).toBe('incomplete');
      expect(r.gaps).toEqual([
        { kind: 'unorderable', message: `${purl}: 1 record naming github.com/gin-contrib/cors could not be evaluated: the component has no version (GO-2024-2955)`, ecosystem: 'Go', components: 1, examples: [purl] },
      ]);
    }
    const app = await scan(['pkg:golang/example.com/app', 'pkg:golang/github.com/gin-contrib/cors@v1.6.0'], fixtureSource(), { threshold: 'high' });
    expect([app.verdict, app.gaps, app.findings]).toEqual(['pass', [], []]);
  });

  it('at most 50 unorderable gaps, then one that counts the rest', async () => {
    const purls = Array.from({ length: 53 }, (_, i) => `pkg:npm/lodash@4.17.${i}.0`);
    const r = await scan(purls, fixtureSource());
    expect(r.gaps).toHaveLength(51);
    expect(r.gaps[50]).toEqual({
      kind: 'unorderable',
      message: '3 more components could not be evaluated against the records naming them (listed under unorderable)',
      components: 3,
      examples: ['pkg:npm/lodash@4.17.50.0', 'pkg:npm/lodash@4.17.51.0', 'pkg:npm/lodash@4.17.52.0'],
    });
    expect(r.unorderable).toHaveLength(53);
  });
});

describe('components with no OSV ecosystem', () => {
  it('are grouped by reason into not-matchable gaps', async () => {
    const r = await scan(
      ['pkg:rpm/redhat/openssl@3.0.7-25.el9?arch=x86_64&distro=rhel-9.3', 'pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3', 'pkg:generic/busybox@1.36.1', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64'],
      fixtureSource(),
      { threshold: 'critical' },
    );
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps.map((g) => [g.kind, g.message, g.examples])).toEqual([
      [
        'not-matchable',
        '2 components cannot be matched against OSV data: rpm packages of "redhat" are not matched (no release-scoped OSV ecosystem mapping)',
        ['pkg:rpm/redhat/openssl@3.0.7-25.el9?arch=x86_64&distro=rhel-9.3', 'pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3'],
      ],
      ['not-matchable', '1 component cannot be matched against OSV data: purl type "generic" has no OSV ecosystem', ['pkg:generic/busybox@1.36.1']],
      ['not-matchable', '1 component cannot be matched against OSV data: unknown debian release (distro qualifier "")', ['pkg:deb/debian/openssl@3.0.11-1?arch=amd64']],
    ]);
    expect(r.notScanned).toHaveLength(4);
  });

  it('inventory gaps given by the SBOM builder make the scan incomplete, message as given', async () => {
    const r = await scan(['pkg:npm/lodash@4.17.21'], fixtureSource(), { threshold: 'high', inventoryGaps: ['layer sha256:abc was skipped: larger than 4 GiB'] });
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps).toEqual([{ kind: 'inventory', message: 'layer sha256:abc was skipped: larger than 4 GiB' }]);
  });

  it('a blocking finding still makes the verdict fail when there are gaps', async () => {
    const r = await scan(['pkg:npm/lodash@4.17.15', 'pkg:generic/thing@1.0'], fixtureSource(), { threshold: 'high' });
    expect([r.verdict, r.summary.gaps, r.summary.atOrAboveThreshold]).toEqual(['fail', 1, 1]);
  });
});

describe('Go: toolchain and stdlib are different modules', () => {
  it('the go command is matched against `toolchain` records, the standard library against `stdlib` ones', async () => {
    // GO-2023-1842 (toolchain, cmd/go; fixed 1.20.5) and GO-2023-1751 (stdlib, html/template; fixed 1.20.4).
    const r = await scan(['pkg:golang/toolchain@go1.20.1', 'pkg:golang/stdlib@go1.20.1', 'pkg:golang/toolchain@go1.20.4', 'pkg:golang/stdlib@go1.20.4'], fixtureSource());
    expect(r.findings.map((f) => `${f.component.purl} → ${f.id}`).sort()).toEqual([
      'pkg:golang/stdlib@go1.20.1 → GO-2023-1751',
      'pkg:golang/toolchain@go1.20.1 → GO-2023-1842',
      'pkg:golang/toolchain@go1.20.4 → GO-2023-1842',
    ]);
    expect(r.findings.find((f) => f.id === 'GO-2023-1842')?.package).toEqual({ ecosystem: 'Go', name: 'toolchain', version: '1.20.1' });
  });
});

describe('severity', () => {
  const bookworm = () => data('x', [ourRecord('DEBIAN-CVE-2023-43804'), fixtureRecord('PYSEC-2023-192'), fixtureRecord('DLA-3008-1')]);

  it('a DEBIAN-CVE finding without severity is rated by another record of the same CVE in the data', async () => {
    const r = await scan([DEBIAN_12[0] as string], bookworm(), { threshold: 'high' });
    const f = r.findings[0];
    // PYSEC-2023-192 aliases CVE-2023-43804: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N = 8.1.
    expect(f).toMatchObject({ id: 'DEBIAN-CVE-2023-43804', aliases: ['CVE-2023-43804'], records: ['DEBIAN-CVE-2023-43804'], severity: 'high', score: 8.1 });
    expect(f?.ratings).toEqual([
      { source: 'DEBIAN-CVE-2023-43804 ecosystem_specific (urgency)', method: 'other', severity: 'unknown' },
      { source: 'PYSEC-2023-192 via alias CVE-2023-43804', method: 'CVSSv31', severity: 'high', score: 8.1, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N' },
    ]);
    expect(r.verdict).toBe('fail');
    expect((await scan([DEBIAN_12[0] as string], bookworm(), { threshold: 'critical' })).verdict).toBe('pass');
  });

  it('a withdrawn record of the same CVE rates nothing', async () => {
    const withdrawn = record('GHSA-WITHDRAWN', [{ package: { ecosystem: 'PyPI', name: 'urllib3' } }], {
      aliases: ['CVE-2023-43804'],
      withdrawn: '2024-01-01T00:00:00Z',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    });
    const r = await scan([DEBIAN_12[0] as string], data('x', [ourRecord('DEBIAN-CVE-2023-43804'), withdrawn]), { threshold: 'critical' });
    expect(r.findings.map((f) => [f.id, f.severity, f.ratings.length])).toEqual([['DEBIAN-CVE-2023-43804', 'unknown', 1]]);
    // Unknown, counted as failing at critical.
    expect(r.verdict).toBe('fail');
  });

  it('a finding with no severity anywhere counts as failing by default, not with warn', async () => {
    // DLA-3008-1 rates nothing and nothing in the data aliases it.
    const ssl = ['pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl'];
    const failing = await scan(ssl, bookworm(), { threshold: 'critical' });
    expect(failing.findings.map((f) => [f.id, f.severity])).toEqual([['DLA-3008-1', 'unknown']]);
    expect([failing.verdict, failing.unknownSeverity, failing.summary.atOrAboveThreshold]).toEqual(['fail', 'fail', 1]);
    expect(failing.warnings).toContain(
      '1 finding(s) have no severity in the data, nor in other records of the same vulnerability: counted as at or above the threshold (unknown severity: fail)',
    );
    const warned = await scan(ssl, bookworm(), { threshold: 'critical', unknownSeverity: 'warn' });
    expect([warned.verdict, warned.unknownSeverity, warned.summary.atOrAboveThreshold]).toEqual(['pass', 'warn', 0]);
    // Suppressed, it counts under neither policy.
    const ignored = await scan(ssl, bookworm(), { threshold: 'critical', rules: { ignore: [{ id: 'DLA-3008-1', reason: 'x', origin: 'i#1' }], vex: [] } });
    expect(ignored.verdict).toBe('pass');
  });

  it('looks aliases up only for findings still without a severity, by their other ids', async () => {
    const asked: string[][] = [];
    const watched = (src: OfflineOsvSource): OfflineOsvSource => {
      const original = src.recordsById.bind(src);
      src.recordsById = async (ids) => {
        asked.push([...ids]);
        return original(ids);
      };
      return src;
    };
    // Rated by its own record (GHSA-p6mc-m468-83gw, CVSS 7.4): nothing to ask.
    await scan(['pkg:npm/lodash@4.17.15'], watched(fixtureSource()));
    // DLA-3008-1 has no aliases, and its own id names only itself: nothing to ask either.
    await scan(['pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl'], watched(fixtureSource()));
    expect(asked).toEqual([]);
    await scan([DEBIAN_12[0] as string], watched(bookworm()));
    expect(asked).toEqual([['CVE-2023-43804']]);
  });
});
