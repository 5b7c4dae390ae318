import { BadInputError } from '../../../lambdas/core/errors';
import { validateCycloneDx } from '../../../lambdas/sbom/writers/cyclonedx-validate';
import { scanCycloneDx } from '../../../lambdas/vuln/render-cyclonedx';
import { scanTable } from '../../../lambdas/vuln/render-table';
import { blockingFindings, REPORT_FORMAT } from '../../../lambdas/vuln/report';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { MAX_COMPONENT_NESTING, parseScanSbom } from '../../../lambdas/vuln/sbom-input';
import { parseIgnoreFile } from '../../../lambdas/vuln/suppress';
import { cdxDocument, fixtureSource } from './helpers';

const NOW = new Date('2026-06-01T00:00:00Z');
const PURLS = [
  'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
  'pkg:npm/lodash@4.17.15',
  'pkg:cargo/wasmtime@1.0.1',
  'pkg:cargo/wasmtime@2.0.1',
  'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl',
  'pkg:npm/lodash@not.a.version',
  'pkg:generic/thing@1.0',
];

async function report(threshold?: 'high' | 'critical', ignore = '', unknownSeverity?: 'fail' | 'warn', purls = PURLS) {
  const doc = cdxDocument(purls);
  const sbom = parseScanSbom(JSON.stringify(doc), 'in.cdx.json');
  const r = await scanSbom(sbom, fixtureSource(), { now: NOW, threshold, unknownSeverity, rules: { ignore: parseIgnoreFile(ignore, 'ignore.yaml'), vex: [] } });
  return { doc, sbom, r };
}

describe('scan report', () => {
  it('names its data, counts, and decides the verdict against the threshold', async () => {
    const { r } = await report('high');
    expect(r.format).toBe(REPORT_FORMAT);
    expect(r.data).toEqual({ source: expect.stringMatching(/^osv-dir:.*fixtures\/osv\/records$/), recordCount: 37, newestModified: '2026-07-31T16:37:42Z' });
    // DLA-3008-1 rates nothing and no other record of its vulnerability is in the data: an
    // unknown severity, counted as at or above the threshold by default.
    expect(r.summary).toMatchObject({ components: 7, scanned: 6, notScanned: 1, unorderable: 1, gaps: 2, findings: 5, suppressed: 0, atOrAboveThreshold: 5 });
    expect(r.summary.bySeverity).toMatchObject({ high: 4, unknown: 1 });
    expect(r.unknownSeverity).toBe('fail');
    expect(r.verdict).toBe('fail');
    expect(blockingFindings(r).map((f) => f.id)).toEqual(['ALPINE-CVE-2025-26519', 'CVE-2022-39393', 'CVE-2022-39393', 'GHSA-p6mc-m468-83gw', 'DLA-3008-1']);
    expect((await report('critical')).r.verdict).toBe('fail');
    // Nothing reaches critical once the unknown one is only reported; the gaps (lodash's
    // unorderable version, the generic purl) still keep the verdict from pass.
    const warned = (await report('critical', '', 'warn')).r;
    expect([warned.verdict, warned.summary.atOrAboveThreshold, blockingFindings(warned)]).toEqual(['incomplete', 0, []]);
    expect((await report()).r.verdict).toBe('incomplete');
    // The same data and components without the gaps: pass below the threshold, fail at it.
    const covered = PURLS.filter((p) => !p.includes('not.a.version') && !p.startsWith('pkg:generic/'));
    expect((await report('critical', '', 'warn', covered)).r).toMatchObject({ verdict: 'pass', gaps: [], summary: { gaps: 0 } });
    expect((await report(undefined, '', 'fail', covered)).r.verdict).toBe('pass');
    expect((await report('high', '', 'warn', covered)).r.verdict).toBe('fail');
  });

  it('lists what it could not check as gaps', async () => {
    const { r } = await report('high');
    expect(r.gaps).toEqual([
      {
        kind: 'unorderable',
        message:
          'pkg:npm/lodash@not.a.version: 4 records naming lodash could not be evaluated: version "not.a.version" cannot be ordered (SemVer (npm, crates.io, Go, Hex, SwiftURL)) (GHSA-4xc9-xhrj-v574, GHSA-fvqr-27wr-82fm, GHSA-p6mc-m468-83gw, GHSA-x5rq-j2xg-h7qm)',
        ecosystem: 'npm',
        components: 1,
        examples: ['pkg:npm/lodash@not.a.version'],
      },
      { kind: 'not-matchable', message: '1 component cannot be matched against OSV data: purl type "generic" has no OSV ecosystem', components: 1, examples: ['pkg:generic/thing@1.0'] },
    ]);
  });

  it('suppressed findings stay, marked, and stop counting', async () => {
    const { r } = await report('high', '- {id: CVE-2022-39393, reason: wasmtime is only used at build time}\n- {id: GHSA-p6mc-m468-83gw, reason: old, expires: 2026-01-01}');
    const w = r.findings.filter((f) => f.id === 'CVE-2022-39393');
    expect(w.map((f) => [f.suppressed, f.suppression?.reason])).toEqual([
      [true, 'wasmtime is only used at build time'],
      [true, 'wasmtime is only used at build time'],
    ]);
    expect(r.summary).toMatchObject({ findings: 5, suppressed: 2, atOrAboveThreshold: 3 });
    expect(r.expiredRules.map((x) => x.id)).toEqual(['GHSA-p6mc-m468-83gw']);
    expect(r.warnings).toContain('ignore rule ignore.yaml#2 (GHSA-p6mc-m468-83gw) expired on 2026-01-01; it no longer applies');
  });

  it('table: findings, gaps, data and verdict', async () => {
    const { r } = await report('high', '- {id: CVE-2022-39393, package: "pkg:cargo/wasmtime@2.0.1", reason: build only}');
    const text = scanTable(r);
    // Alpine and Debian versions leave no room for a useful title in 120 columns: no TITLE column.
    expect(text).toMatch(/^PACKAGE\s+INSTALLED\s+FIXED IN\s+VULNERABILITY\s+ALIASES\s+SEVERITY$/m);
    expect(text).toMatch(/^musl\s+1\.2\.4_git20230717-r4\s+1\.2\.4_git20230717-r5\s+ALPINE-CVE-2025-26519\s+CVE-2025-26519\s+HIGH$/m);
    expect(text).toMatch(/^wasmtime\s+1\.0\.1\s+1\.0\.2\s+CVE-2022-39393\s+GHSA-wh6w-3828-g9qf \+2\s+HIGH$/m);
    // A Debian advisory shows the CVE it fixes beside its own id.
    expect(text).toMatch(/^libssl1\.1\s+1\.1\.0l-1~deb9u5\s+1\.1\.0l-1~deb9u6\s+DLA-3008-1\s+CVE-2022-1292 \+1\s+UNKNOWN$/m);
    // The suppressed component is listed after the table, with its rule, not in it.
    expect(text).not.toMatch(/^wasmtime\s+2\.0\.1/m);
    expect(text).toMatch(/^1 suppressed finding\(s\), not counted toward the verdict:\n {2}HIGH CVE-2022-39393 wasmtime 2\.0\.1: ignore ignore\.yaml#1: build only$/m);
    expect(text).toMatch(/^2 gap\(s\): what this scan could not check:$/m);
    expect(text).toMatch(/^ {2}unorderable: pkg:npm\/lodash@not\.a\.version: 4 records naming lodash could not be evaluated: version "not\.a\.version"/m);
    expect(text).toMatch(/^ {2}not-matchable: 1 component cannot be matched against OSV data: purl type "generic" has no OSV ecosystem\n {4}e\.g\. pkg:generic\/thing@1\.0$/m);
    // The header: verdict, data, counts, before the table.
    const header = text.slice(0, text.indexOf('PACKAGE'));
    expect(header).toMatch(/^verdict: FAIL \(4 unsuppressed finding\(s\) at or above high, 1 of them of unknown severity\)$/m);
    expect(header).toMatch(/^data: osv-dir:.*, 37 record\(s\), newest modified 2026-07-31T16:37:42Z$/m);
    expect(header).toMatch(/^5 finding\(s\): 3 high, 1 unknown; 1 suppressed; 6 of 7 component\(s\) scanned$/m);
    const warned = scanTable((await report('critical', '', 'warn')).r);
    expect(warned).toMatch(/^verdict: INCOMPLETE \(2 gap\(s\): not everything could be checked; 0 unsuppressed finding\(s\) at or above critical\)$/m);
  });

  it('an empty result says so and still names its data (never a bare "no vulnerabilities")', async () => {
    const sbom = parseScanSbom(JSON.stringify(cdxDocument(['pkg:npm/lodash@4.17.21'])), 'x');
    const text = scanTable(await scanSbom(sbom, fixtureSource(), { now: NOW }));
    expect(text).toContain('No known vulnerabilities matched.');
    expect(text).toMatch(/data: osv-dir:.*37 record\(s\)/);
  });
});

describe('CycloneDX output', () => {
  it('is the input SBOM unchanged plus vulnerabilities[], valid against the 1.6 schema', async () => {
    const { doc, sbom, r } = await report('high', '- {id: CVE-2022-39393, package: "pkg:cargo/wasmtime@2.0.1", reason: build only}');
    const json = scanCycloneDx(r, sbom.document);
    expect(await validateCycloneDx(json)).toEqual([]);
    const out = JSON.parse(json);
    expect(out.components).toEqual(doc.components);
    expect(out.metadata).toEqual(doc.metadata);
    expect(out.serialNumber).toBe(doc.serialNumber);
    const byId = (id: string) => out.vulnerabilities.filter((v: { id: string }) => v.id === id);
    const [wasm, wasmSuppressed] = byId('CVE-2022-39393');
    expect(wasm).toMatchObject({
      id: 'CVE-2022-39393',
      references: [
        { id: 'GHSA-wh6w-3828-g9qf', source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-wh6w-3828-g9qf' } },
        { id: 'RUSTSEC-2022-0075', source: { name: 'OSV' } },
        { id: 'RUSTSEC-2022-0098', source: { name: 'OSV' } },
      ],
      ratings: [{ score: 8.6, severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N' }],
      recommendation: 'Upgrade wasmtime (wasmtime 1.0.1) to 1.0.2',
      affects: [{ ref: 'pkg:cargo/wasmtime@1.0.1', versions: [{ version: '1.0.1', status: 'affected' }, { version: '1.0.2', status: 'unaffected' }] }],
    });
    expect(wasm.analysis).toBeUndefined();
    // The suppressed component is a separate entry carrying the analysis.
    expect(wasmSuppressed.affects).toEqual([{ ref: 'pkg:cargo/wasmtime@2.0.1', versions: [{ version: '2.0.1', status: 'affected' }, { version: '2.0.2', status: 'unaffected' }] }]);
    expect(wasmSuppressed.analysis.detail).toBe('suppressed by ignore rule ignore.yaml#1: build only');
    expect(wasmSuppressed['bom-ref']).not.toBe(wasm['bom-ref']);
    // affects[].ref is the component's own bom-ref, a plain ref.
    const refs = new Set(out.components.map((c: { 'bom-ref': string }) => c['bom-ref']));
    for (const v of out.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
    // Unorderable and unscanned components never appear in vulnerabilities[].
    expect(json).not.toMatch(/"ref": "pkg:npm\/lodash@not\.a\.version"/);
    // Record without severity: an explicit unknown rating.
    expect(byId('DLA-3008-1')[0].ratings).toEqual([{ severity: 'unknown', method: 'other' }]);
    expect(out.properties).toEqual(
      expect.arrayContaining([
        { name: 'artifact-guard:scan:data-source', value: r.data.source },
        { name: 'artifact-guard:scan:record-count', value: '37' },
        { name: 'artifact-guard:scan:newest-modified', value: '2026-07-31T16:37:42Z' },
        { name: 'artifact-guard:scan:verdict', value: 'fail' },
      ]),
    );
    // What the scan could not check travels with the document, one property per gap.
    expect(out.properties.filter((p: { name: string }) => p.name === 'artifact-guard:scan:gap').map((p: { value: string }) => p.value)).toEqual([
      expect.stringMatching(/^unorderable: pkg:npm\/lodash@not\.a\.version: 4 records naming lodash/),
      'not-matchable: 1 component cannot be matched against OSV data: purl type "generic" has no OSV ecosystem',
    ]);
  });

  it('gives components without a bom-ref one (existing refs unchanged), so affects[] can point at them', async () => {
    const doc = cdxDocument([]);
    doc.components = [{ type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }, { type: 'library', name: 'x', 'bom-ref': 'keep-me' }];
    const sbom = parseScanSbom(JSON.stringify(doc), 'x');
    const json = scanCycloneDx(await scanSbom(sbom, fixtureSource(), { now: NOW }), sbom.document);
    expect(await validateCycloneDx(json)).toEqual([]);
    const out = JSON.parse(json);
    expect(out.components.map((c: { 'bom-ref': string }) => c['bom-ref'])).toEqual(['artifact-guard:component:1', 'keep-me']);
    expect(out.vulnerabilities[0].affects[0].ref).toBe('artifact-guard:component:1');
  });
});

describe('SBOM input', () => {
  const bad = (text: string) => () => parseScanSbom(text, 'in.json');
  it('refuses what is not a CycloneDX JSON SBOM, naming the file', () => {
    expect(bad('not json')).toThrow(BadInputError);
    expect(bad('not json')).toThrow(/^in.json: SBOM is not JSON/);
    expect(bad('[]')).toThrow('in.json: SBOM is not a JSON object');
    expect(bad('{"spdxVersion":"SPDX-2.3"}')).toThrow(/not a CycloneDX JSON SBOM \(this is SPDX/);
    expect(bad('{"bomFormat":"CycloneDX","components":{}}')).toThrow('in.json: components is not a list');
    expect(bad('{"bomFormat":"CycloneDX","components":[{"type":"library"}]}')).toThrow('in.json: components[0] has no name');
    expect(bad('{"bomFormat":"CycloneDX","components":[{"name":"a","purl":5}]}')).toThrow('in.json: components[0].purl is not a string');
    expect(bad('{"bomFormat":"CycloneDX","components":[{"name":"a","bom-ref":"x"},{"name":"b","bom-ref":"x"}]}')).toThrow('bom-ref "x" is used twice');
  });

  it('refuses components nested thousands deep with one clear error (not a stack overflow)', () => {
    const nested = (n: number): string => `{"bomFormat":"CycloneDX","components":${'[{"name":"a","components":'.repeat(n)}[]${'}]'.repeat(n)}}`;
    expect(parseScanSbom(nested(MAX_COMPONENT_NESTING), 'in.json').components).toHaveLength(MAX_COMPONENT_NESTING);
    for (const n of [MAX_COMPONENT_NESTING + 1, 20_000]) {
      expect(() => parseScanSbom(nested(n), 'in.json')).toThrow(BadInputError);
      expect(() => parseScanSbom(nested(n), 'in.json')).toThrow(`in.json: components nested deeper than ${MAX_COMPONENT_NESTING} levels`);
    }
  });

  it('nested nulls and lists where objects belong: an error naming the field, or ignored where the field is optional', () => {
    expect(bad('{"bomFormat":"CycloneDX","components":[{"name":"a","components":[null]}]}')).toThrow('in.json: components[0].components[0] is not an object');
    expect(bad('{"bomFormat":"CycloneDX","components":[{"name":"a","components":{"name":"b"}}]}')).toThrow('in.json: components[0].components is not a list');
    expect(bad('{"bomFormat":"CycloneDX","components":[{"name":"a","bom-ref":["x"]}]}')).toThrow('in.json: components[0].bom-ref is not a string');
    expect(bad('{"bomFormat":"CycloneDX","components":[{"name":"a","version":1e999}]}')).toThrow('in.json: components[0].version is not a string');
    // metadata, compositions and properties only inform the subject and the declared gaps.
    const odd = parseScanSbom('{"bomFormat":"CycloneDX","metadata":{"component":null,"properties":{"name":"x"}},"compositions":{"aggregate":"incomplete"},"components":[]}', 'in.json');
    expect([odd.subject, odd.declaredGaps]).toEqual([{ name: undefined, version: undefined, purl: undefined, bomRef: undefined }, []]);
  });

  it('reads nested components and the subject', () => {
    const s = parseScanSbom(
      JSON.stringify({ bomFormat: 'CycloneDX', metadata: { component: { name: 'img', version: 'sha256:1', purl: 'pkg:oci/img@sha256%3A1' } }, components: [{ name: 'a', purl: 'pkg:npm/a@1.0.0', components: [{ name: 'b', group: '@s', purl: 'pkg:npm/%40s/b@2.0.0' }] }] }),
      'x',
    );
    expect(s.components).toEqual([
      { bomRef: 'artifact-guard:component:1', name: 'a', purl: 'pkg:npm/a@1.0.0' },
      { bomRef: 'artifact-guard:component:2', name: '@s/b', purl: 'pkg:npm/%40s/b@2.0.0' },
    ]);
    expect(s.subject).toEqual({ name: 'img', version: 'sha256:1', purl: 'pkg:oci/img@sha256%3A1', bomRef: undefined });
  });
});
