import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import type { LayerEntry } from '../../lambdas/oci/image-builder';
import { validateCycloneDx } from '../../lambdas/sbom/writers/cyclonedx-validate';
import { CLI, expectOneErrorLine, runCli } from '../support/cli';
import { validateSarif210 } from '../support/sarif-schema';
import { writeImageLayout } from '../support/image-layout';

const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
const MUSL = 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1';
const LODASH = 'pkg:npm/lodash@4.17.15';
const SSL = 'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl';
const RC = 'pkg:npm/rc@1.2.9'; // GHSA-g2q5-5433-rhrf: CRITICAL (malware)

let work: string;
let env: Record<string, string | undefined>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-scancli-'));
  // No data source from the environment unless a test sets one.
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache'), ARTIFACT_GUARD_OSV_DIR: undefined, ARTIFACT_GUARD_OSV_API: undefined, ARTIFACT_GUARD_OSV_API_URL: undefined };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function sbomFile(purls: string[], name = 'in.cdx.json'): string {
  const file = path.join(work, name);
  const doc = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    components: purls.map((p) => ({ type: 'library', 'bom-ref': p, name: p.split('/').pop()?.split('@')[0], purl: p })),
  };
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('artifact-guard scan', () => {
  it('a table on stdout by default; -o json for the JSON report, which names its data; exit 0 without --fail-on', async () => {
    const sbom = sbomFile([MUSL, LODASH, SSL]);
    const table = await runCli(['scan', '--sbom', sbom, '--osv-dir', RECORDS], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^verdict: PASS \(no threshold\)$/m);
    expect(table.stdout).toContain(`data: osv-dir:${RECORDS}, 37 record(s)`);
    expect(table.stdout).toMatch(/^PACKAGE\s+INSTALLED\s+FIXED IN\s+VULNERABILITY\s+ALIASES\s+SEVERITY/m);
    expect(table.stdout).toMatch(/^musl\s+1\.2\.4_git20230717-r4\s+1\.2\.4_git20230717-r5\s+ALPINE-CVE-2025-26519\s+CVE-2025-26519\s+HIGH/m);
    expect(table.stdout).not.toContain('\u001b');
    const res = await runCli(['scan', '--sbom', sbom, '--osv-dir', RECORDS, '-o', 'json'], env);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.data).toEqual({ source: `osv-dir:${RECORDS}`, recordCount: 37, newestModified: '2026-07-31T16:37:42Z' });
    expect(report.findings.map((f: { id: string }) => f.id).sort()).toEqual(['ALPINE-CVE-2025-26519', 'DLA-3008-1', 'GHSA-p6mc-m468-83gw']);
    expect(report.verdict).toBe('pass');
  });

  it('--fail-on: exit 1 when an unsuppressed finding is at or above it, 0 below', async () => {
    const sbom = sbomFile([MUSL, LODASH, RC]);
    expect((await runCli(['scan', '--sbom', sbom, '--osv-dir', RECORDS, '--fail-on', 'critical', '-o', 'table'], env)).code).toBe(1);
    const noRc = sbomFile([MUSL, LODASH], 'b.json');
    const high = await runCli(['scan', '--sbom', noRc, '--osv-dir', RECORDS, '--fail-on', 'high', '-o', 'json'], env);
    expect(high.code).toBe(1);
    expect(JSON.parse(high.stdout).verdict).toBe('fail');
    expect((await runCli(['scan', '--sbom', noRc, '--osv-dir', RECORDS, '--fail-on', 'CRITICAL'], env)).code).toBe(0);
  });

  it('ignore rules and VEX suppress findings (still listed) and change the exit code', async () => {
    const sbom = sbomFile([MUSL, LODASH]);
    const ignore = path.join(work, 'ignore.yaml');
    fs.writeFileSync(ignore, 'ignore:\n  - id: CVE-2025-26519\n    package: musl\n    reason: iconv EUC-KR is never used\n    expires: 2099-01-01\n');
    const vex = path.join(work, 'lodash.openvex.json');
    fs.writeFileSync(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/lodash',
        author: 'Security',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [{ vulnerability: { name: 'CVE-2020-8203' }, products: [{ '@id': LODASH }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
      }),
    );
    const res = await runCli(['scan', '--sbom', sbom, '--osv-dir', RECORDS, '--fail-on', 'high', '--ignore', ignore, '--vex', vex, '-o', 'json'], env);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.findings.map((f: { id: string; suppressed: boolean; suppression: { by: string } }) => [f.id, f.suppressed, f.suppression.by])).toEqual([
      ['ALPINE-CVE-2025-26519', true, 'ignore'],
      ['GHSA-p6mc-m468-83gw', true, 'vex'],
    ]);
  });

  it('-o cyclonedx-json is schema-valid, keeps the bom-refs, and --file writes it', async () => {
    const out = path.join(work, 'vdr.cdx.json');
    const res = await runCli(['scan', '--sbom', sbomFile([MUSL, LODASH]), '--osv-dir', RECORDS, '-o', 'cyclonedx-json', '--file', out], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const json = fs.readFileSync(out, 'utf8');
    expect(await validateCycloneDx(json)).toEqual([]);
    const doc = JSON.parse(json);
    expect(doc.vulnerabilities.map((v: { id: string; affects: { ref: string }[] }) => [v.id, v.affects[0]?.ref])).toEqual([
      ['ALPINE-CVE-2025-26519', MUSL],
      ['GHSA-p6mc-m468-83gw', LODASH],
    ]);
  });

  it('reads the data source from the environment', async () => {
    const res = await runCli(['scan', '--sbom', sbomFile([LODASH]), '-o', 'table'], { ...env, ARTIFACT_GUARD_OSV_DIR: RECORDS });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^lodash\s+4\.17\.15\s+4\.17\.20\s+GHSA-p6mc-m468-83gw\s+CVE-2020-8203\s+HIGH\s+Prototype Pollution in lodash$/m);
    expect(res.stdout).toContain(`data: osv-dir:${RECORDS}, 37 record(s)`);
  });

  it('unorderable versions are reported on stderr and in the JSON, never as findings, and make the scan incomplete', async () => {
    const res = await runCli(['scan', '--sbom', sbomFile(['pkg:npm/lodash@4.17.x']), '--osv-dir', RECORDS, '--fail-on', 'low', '-o', 'json'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('warning: pkg:npm/lodash@4.17.x: version "4.17.x" is not a valid SemVer');
    expect(res.stderr).toMatch(/^scan incomplete: pkg:npm\/lodash@4\.17\.x: 4 records naming lodash could not be evaluated/m);
    const report = JSON.parse(res.stdout);
    expect(report.findings).toEqual([]);
    expect(report.verdict).toBe('incomplete');
    expect(report.unorderable[0].records.map((r: { id: string }) => r.id)).toEqual(['GHSA-4xc9-xhrj-v574', 'GHSA-fvqr-27wr-82fm', 'GHSA-p6mc-m468-83gw', 'GHSA-x5rq-j2xg-h7qm']);
  });

  describe('incomplete scans', () => {
    // PyPI components against data holding no PyPI records; lodash 4.17.21 is covered and clean.
    const pypiOnlyData = (): string => {
      const dir = path.join(work, 'npm-only');
      fs.mkdirSync(dir);
      for (const id of ['GHSA-p6mc-m468-83gw', 'DLA-3008-1']) fs.copyFileSync(path.join(RECORDS, `${id}.json`), path.join(dir, `${id}.json`));
      return dir;
    };
    const PYPI = ['pkg:pypi/urllib3@1.26.4', 'pkg:pypi/jinja2@2.7.2', 'pkg:rpm/redhat/openssl@3.0.7-25.el9?arch=x86_64&distro=rhel-9.3', 'pkg:npm/lodash@4.17.21'];

    it('with --fail-on: exit 1, one stderr line per gap saying the scan is incomplete', async () => {
      const res = await runCli(['scan', '--sbom', sbomFile(PYPI), '--osv-dir', pypiOnlyData(), '--fail-on', 'critical', '-o', 'json'], env);
      expect(res.code).toBe(1);
      expect(res.stderr.split('\n').filter((l) => l.includes('scan incomplete'))).toEqual([
        `scan incomplete: 2 PyPI components were not scanned: the data (osv-dir:${path.join(work, 'npm-only')}) has no PyPI records (it covers Debian:9, npm)`,
        'scan incomplete: 1 component cannot be matched against OSV data: rpm packages of "redhat" are not matched (no release-scoped OSV ecosystem mapping)',
      ]);
      const report = JSON.parse(res.stdout);
      expect(report).toMatchObject({ verdict: 'incomplete', summary: { gaps: 2, findings: 0 }, unknownSeverity: 'fail' });
      expect(report.gaps.map((g: { kind: string; ecosystem?: string }) => [g.kind, g.ecosystem])).toEqual([
        ['not-covered', 'PyPI'],
        ['not-matchable', undefined],
      ]);
    });

    it('without --fail-on: exit 0, the report says incomplete, the gaps are warnings', async () => {
      const res = await runCli(['scan', '--sbom', sbomFile(PYPI), '--osv-dir', pypiOnlyData(), '-o', 'table'], env);
      expect(res.code).toBe(0);
      expect(res.stderr).toMatch(/^warning: scan incomplete: 2 PyPI components were not scanned/m);
      expect(res.stdout).toMatch(/^2 gap\(s\): what this scan could not check:$/m);
      // Gap messages wrap at 120 columns (continuation lines indented), nothing cut.
      expect(res.stdout).toMatch(/^ {2}not-covered: 2 PyPI components were not scanned: [\s\S]*? has no PyPI\s+records \(it covers Debian:9, npm\)$/m);
      expect(res.stdout).toMatch(/^ {4}e\.g\. pkg:pypi\/urllib3@1\.26\.4, pkg:pypi\/jinja2@2\.7\.2$/m);
      expect(res.stdout).toMatch(/^verdict: INCOMPLETE \(2 gap\(s\): not everything could be checked; no threshold\)$/m);
    });

    it('-o cyclonedx-json carries the verdict and the gaps as properties', async () => {
      const res = await runCli(['scan', '--sbom', sbomFile(PYPI), '--osv-dir', pypiOnlyData(), '-o', 'cyclonedx-json'], env);
      expect(res.code).toBe(0);
      expect(await validateCycloneDx(res.stdout)).toEqual([]);
      const props = JSON.parse(res.stdout).properties as { name: string; value: string }[];
      expect(props.filter((p) => p.name === 'artifact-guard:scan:verdict' || p.name === 'artifact-guard:scan:gap').map((p) => p.value)).toEqual([
        'incomplete',
        expect.stringMatching(/^not-covered: 2 PyPI components were not scanned/),
        expect.stringMatching(/^not-matchable: 1 component cannot be matched/),
      ]);
    });
  });

  it('--unknown-severity: a finding no record rates fails --fail-on by default, not with warn', async () => {
    // DLA-3008-1 (openssl, Debian 9) carries no severity, and no other record in the data names it.
    const sbom = sbomFile([SSL]);
    const strict = await runCli(['scan', '--sbom', sbom, '--osv-dir', RECORDS, '--fail-on', 'critical', '-o', 'json'], env);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ verdict: 'fail', unknownSeverity: 'fail', summary: { atOrAboveThreshold: 1, bySeverity: { unknown: 1 } } });
    expect(strict.stderr).toContain('warning: 1 finding(s) have no severity in the data, nor in other records of the same vulnerability: counted as at or above the threshold (unknown severity: fail)');
    const lenient = await runCli(['scan', '--sbom', sbom, '--osv-dir', RECORDS, '--fail-on', 'critical', '--unknown-severity', 'warn', '-o', 'table'], env);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/^libssl1\.1\s+1\.1\.0l-1~deb9u5\s+1\.1\.0l-1~deb9u6\s+DLA-3008-1\s+CVE-2022-1292\b.*\s+UNKNOWN\b/m);
    expect(lenient.stdout).toMatch(/^verdict: PASS \(0 unsuppressed finding\(s\) at or above critical\)$/m);
    expect(lenient.stderr).toContain('not counted against the threshold (unknown severity: warn)');
  });

  it('scans an image SOURCE (SBOM generated on the fly)', async () => {
    const layers: LayerEntry[][] = [
      [
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
        { path: 'lib/apk/db/installed', content: 'C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\n\nC:Q1def=\nP:zlib\nV:1.3.1-r0\nA:x86_64\nL:Zlib\no:zlib\n\n' },
      ],
      [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21","license":"MIT"}' }],
    ];
    const image = await buildImage({ layers });
    const dir = path.join(work, 'layout');
    writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
    const res = await runCli(['scan', `oci-dir:${dir}:v1`, '--osv-dir', RECORDS, '--fail-on', 'high', '-o', 'json', '-q'], env);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout);
    expect(report.subject.version).toBe(image.manifest.descriptor.digest);
    expect(report.findings.map((f: { id: string; component: { purl: string } }) => [f.id, f.component.purl])).toEqual([['ALPINE-CVE-2025-26519', MUSL]]);
    expect(report.summary).toMatchObject({ components: 3, scanned: 3 });
  });

  it('an image with a layer it cannot read, or its own SBOM saying so, is an incomplete scan (exit 1 with --fail-on)', async () => {
    const layout = await writeImageLayout(path.join(work, 'odd-layer'), [
      [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21"}' }],
      { mediaType: 'application/vnd.example.layer.v1+squashfs', bytes: Buffer.from('unread') },
    ]);
    const res = await runCli(['scan', `oci-dir:${layout.dir}:v1`, '--osv-dir', RECORDS, '--fail-on', 'high', '-q', '-o', 'json'], env);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout);
    expect(report.verdict).toBe('incomplete');
    expect(report.gaps).toEqual([expect.objectContaining({ kind: 'inventory', message: expect.stringContaining(`layer ${layout.layers[1]!.digest} has media type application/vnd.example.layer.v1+squashfs`) })]);
    expect(res.stderr).toContain('scan incomplete: layer sha256:');

    // The SBOM of the same image declares itself incomplete (CycloneDX compositions): scanning it says so too.
    const sbomOut = path.join(work, 'odd.cdx.json');
    expect((await runCli(['sbom', `oci-dir:${layout.dir}:v1`, '--file', sbomOut, '-q'], env)).code).toBe(0);
    const fromSbom = await runCli(['scan', '--sbom', sbomOut, '--osv-dir', RECORDS, '--fail-on', 'high', '-o', 'json'], env);
    expect(fromSbom.code).toBe(1);
    expect(JSON.parse(fromSbom.stdout).gaps[0].message).toContain(layout.layers[1]!.digest);
  });

  describe('outputs', () => {
    it('-o FORMAT=FILE, repeatable: one scan writes each file, and at most one format goes to stdout', async () => {
      const [json, sarif, cdx] = ['report.json', 'report.sarif', 'vdr.cdx.json'].map((f) => path.join(work, f)) as [string, string, string];
      const res = await runCli(['scan', '--sbom', sbomFile([MUSL, LODASH]), '--osv-dir', RECORDS, '--fail-on', 'high', '-o', 'table', '-o', `json=${json}`, '-o', `sarif=${sarif}`, '-o', `cyclonedx-json=${cdx}`], env);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/^verdict: FAIL \(2 unsuppressed finding\(s\) at or above high\)$/m);
      expect(res.stdout).toMatch(/^lodash\s+4\.17\.15\s/m);
      const report = JSON.parse(fs.readFileSync(json, 'utf8'));
      expect([report.verdict, report.findings.map((f: { id: string }) => f.id)]).toEqual(['fail', ['ALPINE-CVE-2025-26519', 'GHSA-p6mc-m468-83gw']]);
      const log = JSON.parse(fs.readFileSync(sarif, 'utf8'));
      expect(validateSarif210(log)).toEqual([]);
      expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['GHSA-p6mc-m468-83gw', 'ALPINE-CVE-2025-26519']);
      expect(await validateCycloneDx(fs.readFileSync(cdx, 'utf8'))).toEqual([]);

      // Only files: nothing on stdout. --file still names the one output's file.
      const quiet = await runCli(['scan', '--sbom', sbomFile([LODASH]), '--osv-dir', RECORDS, '-o', `sarif=${sarif}`], env);
      expect([quiet.code, quiet.stdout]).toEqual([0, '']);
      const tableFile = path.join(work, 'scan.txt');
      const single = await runCli(['scan', '--sbom', sbomFile([LODASH]), '--osv-dir', RECORDS, '--file', tableFile], env);
      expect([single.code, single.stdout]).toEqual([0, '']);
      expect(fs.readFileSync(tableFile, 'utf8')).toMatch(/^lodash\s+4\.17\.15\s+4\.17\.20\s+GHSA-p6mc-m468-83gw/m);
    });

    it('every line of the table fits 120 columns, long package names included', async () => {
      const long = `pkg:npm/%40a-very-long-scope-name-for-testing/${'lodash-fork-with-a-name-that-goes-on'.repeat(3)}@4.17.15`;
      const res = await runCli(['scan', '--sbom', sbomFile([LODASH, long, 'pkg:npm/lodash@4.17.x', `pkg:generic/${'x'.repeat(200)}@1`]), '--osv-dir', RECORDS], env);
      expect(res.code).toBe(0);
      const lines = res.stdout.split('\n');
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(120);
      expect(res.stdout).not.toContain('%40');
      expect(res.stdout).toMatch(/not-matchable: 1 component cannot be matched/);
    });

    it('colour only on a terminal, and never with NO_COLOR', async () => {
      if (!fs.existsSync('/usr/bin/script')) return; // util-linux script(1) gives the CLI a terminal
      const args = ['scan', '--sbom', sbomFile([MUSL]), '--osv-dir', RECORDS, '--fail-on', 'high', '-q'];
      const inPty = (extra: Record<string, string | undefined>) =>
        new Promise<string>((resolve, reject) => {
          const cmd = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
          execFile('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...env, ...extra } }, (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)));
        });
      const colored = await inPty({ NO_COLOR: undefined, TERM: 'xterm' });
      expect(colored).toContain('\u001b[1;31mFAIL\u001b[0m');
      expect(colored).toContain('\u001b[31mHIGH');
      const plain = await inPty({ NO_COLOR: '1', TERM: 'xterm' });
      expect(plain).toMatch(/verdict: FAIL \(/);
      expect(plain).not.toContain('\u001b[');
    });
  });

  describe('--severity and --only-fixed filter what is shown, never the verdict or the exit code', () => {
    it('--severity: a hidden finding at the threshold still fails the scan (unlike Trivy, --fail-on alone is the gate)', async () => {
      const res = await runCli(['scan', '--sbom', sbomFile([LODASH, RC]), '--osv-dir', RECORDS, '--fail-on', 'high', '--severity', 'low,medium'], env);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/^verdict: FAIL \(2 unsuppressed finding\(s\) at or above high\)$/m);
      expect(res.stdout).toMatch(/^shown: 0 of 2 finding\(s\) \(--severity medium,low\); the verdict and exit code count every finding$/m);
      expect(res.stdout).toContain('No unsuppressed finding matches the filter (2 hidden).');
      expect(res.stdout).not.toMatch(/^lodash\s/m);
      const shown = await runCli(['scan', '--sbom', sbomFile([LODASH, RC]), '--osv-dir', RECORDS, '--fail-on', 'critical', '--severity', 'HIGH'], env);
      expect(shown.code).toBe(1);
      expect(shown.stdout).toMatch(/^lodash\s+4\.17\.15\s/m);
      expect(shown.stdout).not.toMatch(/^rc\s/m);
    });

    it('--only-fixed: a finding without a fix is hidden from the table and SARIF, still counted; JSON keeps it', async () => {
      const sarif = path.join(work, 'fixed.sarif');
      const json = path.join(work, 'all.json');
      const res = await runCli(['scan', '--sbom', sbomFile([LODASH, RC]), '--osv-dir', RECORDS, '--fail-on', 'critical', '--only-fixed', '-o', 'table', '-o', `sarif=${sarif}`, '-o', `json=${json}`], env);
      expect(res.code).toBe(1); // rc (critical, no fix) decides the verdict though it is not shown
      expect(res.stdout).toMatch(/^lodash\s+4\.17\.15\s+4\.17\.20\s/m);
      expect(res.stdout).not.toMatch(/^rc\s/m);
      const log = JSON.parse(fs.readFileSync(sarif, 'utf8'));
      expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['GHSA-p6mc-m468-83gw']);
      expect(log.runs[0].properties).toMatchObject({ verdict: 'fail', filter: { onlyFixed: true, hidden: 1 } });
      expect(JSON.parse(fs.readFileSync(json, 'utf8')).findings.map((f: { id: string }) => f.id)).toEqual(['GHSA-g2q5-5433-rhrf', 'GHSA-p6mc-m468-83gw']);
    });

    it('with only json: a warning that the report stays complete', async () => {
      const res = await runCli(['scan', '--sbom', sbomFile([LODASH, RC]), '--osv-dir', RECORDS, '--severity', 'critical', '-o', 'json'], env);
      expect(res.code).toBe(0);
      expect(res.stderr).toContain('warning: --severity critical filters the table and SARIF outputs only; json lists every finding');
      expect(JSON.parse(res.stdout).findings).toHaveLength(2);
    });
  });

  describe('errors: exit 2 with one line on stderr', () => {
    it('no data source given or configured: says so, never "no vulnerabilities"', async () => {
      const res = await runCli(['scan', '--sbom', sbomFile([LODASH]), '-o', 'table'], env);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(expectOneErrorLine(res)).toBe(
        'artifact-guard: scan: no vulnerability data source configured (use --osv-dir DIR|ZIP or --osv-api, or set ARTIFACT_GUARD_OSV_DIR or ARTIFACT_GUARD_OSV_API=1); nothing was scanned',
      );
    });

    it.each([
      ['malformed SBOM', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS], 'not json at all', /scan-bad\.json: SBOM is not JSON/],
      ['SPDX instead of CycloneDX', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS], '{"spdxVersion":"SPDX-2.3"}', /this is SPDX/],
      ['missing SBOM file', () => ['scan', '--sbom', '/nonexistent/sbom.json', '--osv-dir', RECORDS], '', /cannot read SBOM \/nonexistent\/sbom.json \(ENOENT\)/],
      ['missing OSV directory', (f: string) => ['scan', '--sbom', f, '--osv-dir', '/nonexistent/osv'], '{"bomFormat":"CycloneDX","components":[]}', /OSV data \/nonexistent\/osv does not exist/],
      ['both SOURCE and --sbom', (f: string) => ['scan', 'oci-dir:/x', '--sbom', f, '--osv-dir', RECORDS], '{}', /give SOURCE or --sbom FILE, not both/],
      ['neither SOURCE nor --sbom', () => ['scan', '--osv-dir', RECORDS], '', /missing SOURCE or --sbom FILE/],
      ['a bad --fail-on', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '--fail-on', 'severe'], '{}', /--fail-on must be one of critical, high, medium, low, info, unknown/],
      ['a bad --unknown-severity', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '--unknown-severity', 'ignore'], '{}', /--unknown-severity must be one of fail, warn \(got "ignore"\)/],
      ['both --osv-dir and --osv-api', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '--osv-api'], '{}', /alternatives/],
      ['a malformed ignore file', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '--ignore', f], '[{"id":"CVE-1"}]', /missing reason/],
      ['an unknown format', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '-o', 'xml'], '{}', /-o must be one of table, json, sarif, cyclonedx-json \(got "xml"\)/],
      ['two formats on stdout', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '-o', 'table', '-o', 'json'], '{}', /only one output can go to stdout \(got -o table, -o json\); write the others to files with -o FORMAT=FILE/],
      ['--file with several outputs', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '-o', 'table', '-o', 'json=x.json', '--file', 'y'], '{}', /--file OUT names the file of a single -o FORMAT/],
      ['-o FORMAT= without a file', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '-o', 'sarif='], '{}', /-o sarif= needs a file name/],
      ['one file for two outputs', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '-o', 'json=same', '-o', 'sarif=./same'], '{}', /two outputs would write \.\/same/],
      ['a bad --severity', (f: string) => ['scan', '--sbom', f, '--osv-dir', RECORDS, '--severity', 'high,severe'], '{}', /--severity takes critical, high, medium, low, info, unknown, none \(comma-separated\); got "severe"/],
    ])('%s', async (_what, args, content, message) => {
      const file = path.join(work, 'scan-bad.json');
      fs.writeFileSync(file, content);
      const res = await runCli(args(file), env);
      expect(res.code).toBe(2);
      expect(expectOneErrorLine(res)).toMatch(message);
    });
  });

  describe('--osv-api', () => {
    let server: http.Server;
    let failuresLeft = 0;
    const musl = JSON.parse(fs.readFileSync(path.join(RECORDS, 'ALPINE-CVE-2025-26519.json'), 'utf8'));
    beforeEach(async () => {
      server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            res.statusCode = 503;
            return res.end('{"message":"unavailable"}');
          }
          if (req.url === '/v1/querybatch') {
            const { queries } = JSON.parse(body) as { queries: { package: { name: string; ecosystem: string } }[] };
            return res.end(JSON.stringify({ results: queries.map((q) => (q.package.ecosystem === 'Alpine:v3.19' && q.package.name === 'musl' ? { vulns: [{ id: musl.id, modified: musl.modified }] } : {})) }));
          }
          if (req.url === `/v1/vulns/${musl.id}`) return res.end(JSON.stringify(musl));
          res.statusCode = 404;
          res.end('{}');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    it('queries the API (base URL from the environment), retrying a 503', async () => {
      failuresLeft = 1;
      const res = await runCli(['scan', '--sbom', sbomFile([MUSL, LODASH]), '--osv-api', '--fail-on', 'high', '-o', 'json'], { ...env, ARTIFACT_GUARD_OSV_API_URL: url() });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('osv-api: POST /v1/querybatch: HTTP 503, retrying');
      const report = JSON.parse(res.stdout);
      expect(report.data).toEqual({ source: `osv-api:${url()}`, recordCount: 1, newestModified: musl.modified });
      expect(report.findings.map((f: { id: string }) => f.id)).toEqual(['ALPINE-CVE-2025-26519']);
    });

    it('an API that stays down is exit 2 with one clear line after the retries', async () => {
      failuresLeft = 100;
      const res = await runCli(['scan', '--sbom', sbomFile([MUSL]), '--osv-api'], { ...env, ARTIFACT_GUARD_OSV_API: url() });
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      const line = res.stderr.trim().split('\n').filter((l) => l.startsWith('artifact-guard:'));
      expect(line).toEqual([`artifact-guard: OSV API ${url()} unavailable: POST /v1/querybatch: HTTP 503 (5 attempts)`]);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }, 30000);
  });
});
