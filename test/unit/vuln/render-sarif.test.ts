import * as fs from 'node:fs';
import { componentLocations, SARIF_SCHEMA, sarifLevel, scanSarif, scanSarifLog, securitySeverity } from '../../../lambdas/vuln/render-sarif';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { parseScanSbom } from '../../../lambdas/vuln/sbom-input';
import { parseIgnoreFile } from '../../../lambdas/vuln/suppress';
import { SARIF_210_SCHEMA_PATH, validateSarif210 } from '../../support/sarif-schema';
import { cdxDocument, finding, fixtureSource } from './helpers';

/* eslint-disable @typescript-eslint/no-explicit-any */
const LODASH = 'pkg:npm/lodash@4.17.15';
const SCOPED = 'pkg:npm/%40types/node@1.0.0';
const WASM1 = 'pkg:cargo/wasmtime@1.0.1';
const WASM2 = 'pkg:cargo/wasmtime@2.0.1';
const SSL = 'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl';

async function scanned(ignore = '- {id: CVE-2022-39393, package: "pkg:cargo/wasmtime@2.0.1", reason: build only}') {
  const doc = cdxDocument([LODASH, WASM1, WASM2, SSL, 'pkg:generic/thing@1.0']) as { components: Record<string, unknown>[] };
  // Where the SBOM says lodash was cataloged from (two copies); the others say nothing.
  doc.components[0]!.properties = [
    { name: 'artifact-guard:cataloger', value: 'npm' },
    { name: 'artifact-guard:location:1:path', value: '/srv/other app/node_modules/lodash/package.json' },
    { name: 'artifact-guard:location:0:path', value: '/app/node_modules/lodash/package.json' },
  ];
  const sbom = parseScanSbom(JSON.stringify(doc), 'in.cdx.json');
  const report = await scanSbom(sbom, fixtureSource(), { now: new Date('2026-06-01T00:00:00Z'), threshold: 'high', rules: { ignore: parseIgnoreFile(ignore, 'ignore.yaml'), vex: [] } });
  return { sbom, report };
}

describe('SARIF output', () => {
  it('is valid against the SARIF 2.1.0 schema (and the validator does reject what is not)', async () => {
    const { sbom, report } = await scanned();
    const log = JSON.parse(scanSarif(report, sbom.document));
    expect(validateSarif210(log)).toEqual([]);
    expect(log).toMatchObject({ $schema: SARIF_SCHEMA, version: '2.1.0' });
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = 'fatal';
    delete broken.runs[0].tool.driver.name;
    expect(validateSarif210(broken)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/runs\/0\/results\/0\/level: must be equal to one of the allowed values/), expect.stringMatching(/^\/runs\/0\/tool\/driver: must have required property 'name'/)]));
  });

  it('the vendored schema uses nothing whose meaning changed after draft-04 (so Ajv draft-07 validates it as written)', () => {
    const text = fs.readFileSync(SARIF_210_SCHEMA_PATH, 'utf8');
    expect(JSON.parse(text).$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(text).not.toMatch(/"exclusive(Minimum|Maximum)"/);
    const refs = [...text.matchAll(/"\$ref":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter((r) => !r!.startsWith('#/definitions/'))).toEqual([]);
  });

  it('one rule per vulnerability id, with help, a link and the security-severity GitHub reads', async () => {
    const { sbom, report } = await scanned();
    const run = scanSarifLog(report, sbom.document).runs as any[];
    const { rules } = run[0].tool.driver;
    const results = run[0].results as any[];
    expect(rules.map((r: any) => r.id)).toEqual(['GHSA-p6mc-m468-83gw', 'CVE-2022-39393', 'DLA-3008-1']);
    expect(results.map((r) => [r.ruleId, rules[r.ruleIndex].id, r.level])).toEqual([
      ['GHSA-p6mc-m468-83gw', 'GHSA-p6mc-m468-83gw', 'error'],
      ['CVE-2022-39393', 'CVE-2022-39393', 'error'],
      ['CVE-2022-39393', 'CVE-2022-39393', 'error'],
      ['DLA-3008-1', 'DLA-3008-1', 'warning'],
    ]);
    const wasm = rules[1];
    expect(wasm).toMatchObject({
      shortDescription: { text: 'CVE-2022-39393: Bug in pooling instance allocator' },
      helpUri: 'https://osv.dev/vulnerability/CVE-2022-39393',
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': '8.6', tags: ['security', 'vulnerability', 'high'] },
    });
    expect(wasm.help.text).toContain('Package wasmtime 1.0.1: fixed in 1.0.2\nPackage wasmtime 2.0.1: fixed in 2.0.2');
    expect(wasm.help.text).toContain('Also known as: GHSA-wh6w-3828-g9qf, RUSTSEC-2022-0075, RUSTSEC-2022-0098');
    expect(wasm.help.markdown).toContain('| wasmtime | 1.0.1 | 1.0.2 | HIGH (8.6) |');
    // No record rates DLA-3008-1: no security-severity rather than a made-up one.
    expect(rules[2].properties['security-severity']).toBeUndefined();
    expect(rules[2].help.text).toContain('Also known as: CVE-2022-1292, DEBIAN-CVE-2022-1292');
  });

  it('locates each result at the component: its cataloged paths, else the image', async () => {
    const { sbom, report } = await scanned();
    expect(componentLocations(sbom.document).get(LODASH)).toEqual(['/app/node_modules/lodash/package.json', '/srv/other app/node_modules/lodash/package.json']);
    const run = (scanSarifLog(report, sbom.document).runs as any[])[0];
    const [lodash, wasm] = run.results as any[];
    expect(lodash.locations.map((l: any) => l.physicalLocation.artifactLocation)).toEqual([
      { uri: 'app/node_modules/lodash/package.json', uriBaseId: 'ROOTPATH' },
      { uri: 'srv/other%20app/node_modules/lodash/package.json', uriBaseId: 'ROOTPATH' },
    ]);
    expect(lodash.locations[0].logicalLocations).toEqual([{ name: 'lodash', fullyQualifiedName: LODASH, kind: 'package' }]);
    expect(run.originalUriBaseIds.ROOTPATH.uri).toBe('file:///');
    // No location in the SBOM: the image (metadata.component's name).
    expect(wasm.locations.map((l: any) => l.physicalLocation.artifactLocation)).toEqual([{ uri: 'app' }]);
    expect(lodash.message.text).toBe('lodash 4.17.15 is affected by GHSA-p6mc-m468-83gw (CVE-2020-8203), severity high (7.4): fixed in 4.17.20.');
    expect(lodash.partialFingerprints['artifactGuardFinding/v1']).toMatch(/^[0-9a-f]{64}$/);
    // A scoped npm name decoded in the logical location; '@' stays readable in the URI.
    const doc = cdxDocument([SCOPED]) as { components: Record<string, unknown>[] };
    doc.components[0]!.properties = [{ name: 'artifact-guard:location:0:path', value: '/app/node_modules/@types/node/package.json' }];
    const one = parseScanSbom(JSON.stringify(doc), 'x');
    const log = scanSarifLog({ ...report, findings: [finding('CVE-2024-1', SCOPED)] }, one.document);
    const loc = (log.runs as any[])[0].results[0].locations[0];
    expect([loc.physicalLocation.artifactLocation.uri, loc.logicalLocations[0].name]).toEqual(['app/node_modules/@types/node/package.json', '@types/node']);
  });

  it('keeps suppressed findings as SARIF suppressions, and carries the verdict and the gaps', async () => {
    const { sbom, report } = await scanned();
    const run = (scanSarifLog(report, sbom.document).runs as any[])[0];
    const suppressed = (run.results as any[]).filter((r) => r.suppressions);
    expect(suppressed.map((r) => [r.ruleId, r.properties.installedVersion, r.suppressions])).toEqual([
      ['CVE-2022-39393', '2.0.1', [{ kind: 'external', status: 'accepted', justification: 'ignore rule ignore.yaml#1: build only' }]],
    ]);
    expect(run.properties).toMatchObject({ verdict: 'fail', threshold: 'high', summary: { findings: 4, suppressed: 1 }, data: { recordCount: 37 } });
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: 'scan incomplete: not-matchable: 1 component cannot be matched against OSV data: purl type "generic" has no OSV ecosystem' } },
    ]);
  });

  it('--severity and --only-fixed choose the results; the run still states the whole verdict', async () => {
    const { sbom, report } = await scanned('');
    const run = (scanSarifLog(report, sbom.document, { filter: { severities: ['unknown'] } }).runs as any[])[0];
    expect(run.results.map((r: any) => r.ruleId)).toEqual(['DLA-3008-1']);
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['DLA-3008-1']);
    expect(run.properties).toMatchObject({ verdict: 'fail', summary: { findings: 4 }, filter: { severities: ['unknown'], hidden: 3 } });
    const fixedOnly = (scanSarifLog(report, sbom.document, { filter: { onlyFixed: true } }).runs as any[])[0];
    expect(fixedOnly.results).toHaveLength(4);
    expect(validateSarif210(scanSarifLog(report, sbom.document, { filter: { severities: ['critical'] }, category: 'linux/amd64', label: 'linux/amd64' }))).toEqual([]);
  });

  it('security-severity: the CVSS score when it lies in the severity band, else a value inside the band', () => {
    expect(securitySeverity([finding('A', LODASH, { severity: 'critical', score: 9.8 })])).toBe('9.8');
    // A v2 score of 9.3 is "high" (v2 has no critical band): GitHub must show high.
    expect(securitySeverity([finding('A', LODASH, { severity: 'high', score: 9.3 })])).toBe('8.0');
    // A severity from a database's word, with a lower CVSS score elsewhere.
    expect(securitySeverity([finding('A', LODASH, { severity: 'critical', score: 7.5 })])).toBe('9.5');
    expect(securitySeverity([finding('A', LODASH, { severity: 'medium' }), finding('A', SSL, { severity: 'high', score: 7.1 })])).toBe('7.1');
    expect(securitySeverity([finding('A', LODASH, { severity: 'low' })])).toBe('2.0');
    for (const s of ['unknown', 'info', 'none'] as const) expect(securitySeverity([finding('A', LODASH, { severity: s })])).toBeUndefined();
    expect([sarifLevel('critical'), sarifLevel('medium'), sarifLevel('unknown'), sarifLevel('low')]).toEqual(['error', 'warning', 'warning', 'note']);
  });
});
