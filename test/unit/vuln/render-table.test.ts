import { BadInputError } from '../../../lambdas/core/errors';
import { otherIds, packageName } from '../../../lambdas/vuln/render-cells';
import { fitList, truncate, wrap } from '../../../lambdas/core/text-cells';
import { parseSeverityList, shownFindings } from '../../../lambdas/vuln/render-filter';
import { scanTable } from '../../../lambdas/vuln/render-table';
import { finding, reportOf } from './helpers';

/** The table's rows: the lines between the PACKAGE header and the first blank line. */
function rows(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('PACKAGE'));
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end);
}
const firstCells = (text: string): string[][] => rows(text).map((r) => r.split(/\s{2,}/));
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const widest = (text: string): number => Math.max(...text.replace(ANSI, '').split('\n').map((l) => [...l].length));

describe('scan table', () => {
  it('one row per finding: most severe first, then package, then id', () => {
    const r = reportOf([
      finding('GHSA-bbbb-0000-0000', 'pkg:npm/zlib-js@1.0.0', { severity: 'medium' }),
      finding('CVE-2024-0002', 'pkg:npm/alpha@1.0.0', { severity: 'high' }),
      finding('CVE-2024-0001', 'pkg:npm/beta@1.0.0', { severity: 'critical' }),
      finding('CVE-2024-0003', 'pkg:npm/alpha@1.0.0', { severity: 'high' }),
      finding('CVE-2024-0000', 'pkg:npm/Alpha2@1.0.0', { severity: 'high' }),
      finding('OSV-2024-1', 'pkg:npm/aaa@1.0.0', { severity: 'unknown' }),
      finding('CVE-2024-0009', 'pkg:npm/aaa@1.0.0', { severity: 'low' }),
    ]);
    expect(firstCells(scanTable(r)).map((c) => [c[0], c[3], c[4]])).toEqual([
      ['beta', 'CVE-2024-0001', 'CRITICAL'],
      ['alpha', 'CVE-2024-0002', 'HIGH'],
      ['alpha', 'CVE-2024-0003', 'HIGH'],
      ['Alpha2', 'CVE-2024-0000', 'HIGH'],
      ['zlib-js', 'GHSA-bbbb-0000-0000', 'MEDIUM'],
      ['aaa', 'CVE-2024-0009', 'LOW'],
      ['aaa', 'OSV-2024-1', 'UNKNOWN'],
    ]);
  });

  it('names packages as their ecosystems write them, decoded from the purl', () => {
    const cases: [string, string][] = [
      ['pkg:npm/%40babel/core@7.0.0', '@babel/core'],
      ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0', 'org.apache.logging.log4j:log4j-core'],
      ['pkg:golang/github.com/gin-gonic/gin@v1.9.0', 'github.com/gin-gonic/gin'],
      ['pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl', 'libssl1.1'],
      ['pkg:apk/alpine/musl@1.2.4-r4?distro=alpine-3.19.1', 'musl'],
      ['pkg:composer/symfony/http-kernel@5.0.0', 'symfony/http-kernel'],
      ['pkg:pypi/Jinja2@2.7.2', 'Jinja2'],
    ];
    for (const [purl, name] of cases) expect(packageName({ bomRef: purl, purl, name: 'from-sbom' })).toBe(name);
    expect(packageName({ bomRef: 'x', name: 'no-purl-component' })).toBe('no-purl-component');
    const text = scanTable(reportOf(cases.map(([purl], i) => finding(`CVE-2024-000${i}`, purl))));
    expect(text).not.toContain('%40');
    expect(text).toMatch(/^@babel\/core\s+7\.0\.0\s/m);
    expect(text).toMatch(/^org\.apache\.logging\.log4j:log4j-core\s+2\.14\.0\s/m);
  });

  it('shows the CVE beside a GHSA or distribution id, and versions installed and fixed', () => {
    const r = reportOf([
      finding('GHSA-p6mc-m468-83gw', 'pkg:npm/lodash@4.17.15', { aliases: ['CVE-2020-8203'], fixed: ['4.17.20'], summary: 'Prototype Pollution in lodash' }),
      finding('DLA-3008-1', 'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?distro=debian-9', { upstream: ['CVE-2022-1292', 'DEBIAN-CVE-2022-1292'], fixed: ['1.1.0l-1~deb9u6'] }),
      finding('PYSEC-2023-192', 'pkg:pypi/urllib3@1.26.4', { aliases: ['GHSA-v845-jxx5-vc9f', 'CVE-2023-43804'], lastAffected: ['1.26.16'] }),
    ]);
    // A title gets a column only when 16 columns or more are left for it; here the ids take them.
    const text = scanTable(r);
    expect(text).toMatch(/^PACKAGE\s+INSTALLED\s+FIXED IN\s+VULNERABILITY\s+ALIASES\s+SEVERITY$/m);
    expect(text).toMatch(/^lodash\s+4\.17\.15\s+4\.17\.20\s+GHSA-p6mc-m468-83gw\s+CVE-2020-8203\s+HIGH$/m);
    expect(scanTable(reportOf([r.findings[0]!]))).toMatch(/^lodash\s+4\.17\.15\s+4\.17\.20\s+GHSA-p6mc-m468-83gw\s+CVE-2020-8203\s+HIGH\s+Prototype Pollution in lodash$/m);
    expect(text).toMatch(/^libssl1\.1\s+1\.1\.0l-1~deb9u5\s+1\.1\.0l-1~deb9u6\s+DLA-3008-1\s+CVE-2022-1292, DEBIAN-CVE-2022-1292\s+HIGH$/m);
    expect(text).toMatch(/^urllib3\s+1\.26\.4\s+\(last affected 1\.26\.16\)\s+PYSEC-2023-192\s+CVE-2023-43804, GHSA-v845-jxx5-vc9f\s+HIGH$/m);
    expect(otherIds(r.findings[2]!)).toEqual(['CVE-2023-43804', 'GHSA-v845-jxx5-vc9f']);
  });

  it('fits 120 columns on a report with long names, cutting cells with … and lists with +N', () => {
    const long = 'pkg:maven/com.example.very.long.group.name.that.goes.on.and.on/an-artifact-with-an-exceedingly-long-name-for-testing@1.0.0-SNAPSHOT-20240101.123456-42';
    const r = reportOf(
      [
        finding('GHSA-aaaa-bbbb-cccc', long, {
          aliases: ['CVE-2024-11111', 'CVE-2024-22222', 'CVE-2024-33333', 'CVE-2024-44444'],
          fixed: ['1.0.1-SNAPSHOT-20240202.000000-1', '1.1.0', '2.0.0', '3.0.0'],
          summary: 'A remarkably long title that describes, in far more words than a table could ever hold, what is wrong here',
          severity: 'critical',
        }),
        finding('CVE-2024-0001', 'pkg:npm/%40scope/short@1.0.0', { summary: 'Short', fixed: ['1.0.1'] }),
      ],
      {
        data: { source: `osv-dir:/a/very/long/path/${'x'.repeat(150)}/all.zip`, recordCount: 1 },
        gaps: [{ kind: 'not-covered', message: `3 Maven components were not scanned: ${'the data has no records for them; '.repeat(8)}`, examples: [long, long] }],
      },
    );
    const text = scanTable(r);
    expect(widest(text)).toBeLessThanOrEqual(120);
    const [big, small] = firstCells(text);
    expect(big![0]).toMatch(/^com\.example\..*…$/);
    expect(big!.join(' ')).toMatch(/CVE-2024-11111(, CVE-2024-22222)* \+\d/);
    expect(small![0]).toBe('@scope/short');
    // Nothing of the gap or the data source is cut: they wrap.
    expect(text.replace(/\n\s*/g, '')).toContain(`${'x'.repeat(150)}/all.zip`);
    expect(text).toMatch(/^ {2}not-covered: 3 Maven components were not scanned/m);
    // Narrower terminals get narrower tables, as far as the columns allow.
    expect(widest(scanTable(r, { width: 110 }))).toBeLessThanOrEqual(110);
  });

  it('colour only when asked: severities and the verdict', () => {
    const r = reportOf([finding('CVE-2024-0001', 'pkg:npm/a@1.0.0', { severity: 'critical' })], { threshold: 'high' });
    expect(scanTable(r)).not.toContain('\u001b');
    const colored = scanTable(r, { color: true });
    expect(colored).toContain('\u001b[1;31mCRITICAL');
    expect(colored).toContain('\nverdict: \u001b[1;31mFAIL\u001b[0m (');
    expect(colored.replace(ANSI, '')).toBe(scanTable(r));
  });

  describe('filters', () => {
    const r = reportOf(
      [
        finding('CVE-2024-0001', 'pkg:npm/a@1.0.0', { severity: 'critical' }),
        finding('CVE-2024-0002', 'pkg:npm/b@1.0.0', { severity: 'high', fixed: ['1.0.1'] }),
        finding('CVE-2024-0003', 'pkg:npm/c@1.0.0', { severity: 'low', fixed: ['1.0.2'] }),
        finding('CVE-2024-0004', 'pkg:npm/d@1.0.0', { severity: 'medium' }),
      ],
      { threshold: 'high' },
    );

    it('--severity shows only those levels; --only-fixed only findings with a fix; both combine', () => {
      const ids = (filter: Parameters<typeof shownFindings>[1]) => firstCells(scanTable(r, { filter })).map((c) => c[3]);
      expect(ids({ severities: ['critical', 'high'] })).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
      expect(ids({ onlyFixed: true })).toEqual(['CVE-2024-0002', 'CVE-2024-0003']);
      expect(ids({ onlyFixed: true, severities: ['high', 'low'] })).toEqual(['CVE-2024-0002', 'CVE-2024-0003']);
      expect(ids({ onlyFixed: true, severities: ['critical'] })).toEqual([]);
      expect(shownFindings(r, { severities: ['low'] })).toMatchObject({ hidden: 3 });
    });

    it('never change the verdict or the counts, and say what they hide', () => {
      const text = scanTable(r, { filter: { severities: ['low'] } });
      expect(text).toMatch(/^verdict: FAIL \(2 unsuppressed finding\(s\) at or above high\)$/m);
      expect(text).toMatch(/^4 finding\(s\): 1 critical, 1 high, 1 medium, 1 low; 4 of 4 component\(s\) scanned$/m);
      expect(text).toMatch(/^shown: 1 of 4 finding\(s\) \(--severity low\); the verdict and exit code count every finding$/m);
      expect(scanTable(r, { filter: { severities: ['none'] } })).toContain('No unsuppressed finding matches the filter (4 hidden).');
    });

    it('--severity accepts comma lists in any case, and refuses unknown words', () => {
      expect(parseSeverityList(['High,CRITICAL', 'low'])).toEqual(['critical', 'high', 'low']);
      expect(() => parseSeverityList(['high,severe'])).toThrow(BadInputError);
      expect(() => parseSeverityList(['high,severe'])).toThrow('scan: --severity takes critical, high, medium, low, info, unknown, none (comma-separated); got "severe"');
      expect(() => parseSeverityList([','])).toThrow(/at least one level/);
    });
  });
});

describe('fitting text', () => {
  it('truncate and fitList cut to the width with … and +N', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(fitList(['CVE-2024-1', 'CVE-2024-2', 'CVE-2024-3'], 40)).toBe('CVE-2024-1, CVE-2024-2, CVE-2024-3');
    expect(fitList(['CVE-2024-1', 'CVE-2024-2', 'CVE-2024-3'], 26)).toBe('CVE-2024-1, CVE-2024-2 +1');
    expect(fitList(['CVE-2024-1', 'CVE-2024-2', 'CVE-2024-3'], 14)).toBe('CVE-2024-1 +2');
    expect(fitList(['GHSA-wh6w-3828-g9qf', 'X'], 12)).toBe('GHSA-wh6… +1');
  });

  it('wrap keeps words whole, splits only words longer than a line, and indents continuations', () => {
    expect(wrap('  one two three four', 12, '    ')).toEqual(['  one two', '    three', '    four']);
    expect(wrap('x'.repeat(25), 10, '  ')).toEqual(['x'.repeat(10), `  ${'x'.repeat(8)}`, `  ${'x'.repeat(7)}`]);
    for (const line of wrap(`a ${'b'.repeat(300)} c`, 120, '    ')) expect(line.length).toBeLessThanOrEqual(120);
  });
});
