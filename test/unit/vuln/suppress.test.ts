import type { Finding } from '../../../lambdas/vuln/findings';
import { applySuppressions, expiryTime, findingIds, parseIgnoreFile, parseVexDocument, type SuppressionRules } from '../../../lambdas/vuln/suppress';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'CVE-2023-0001',
    aliases: ['GHSA-aaaa-bbbb-cccc'],
    upstream: [],
    records: ['GHSA-aaaa-bbbb-cccc'],
    component: { bomRef: 'pkg:npm/lodash@4.17.15', purl: 'pkg:npm/lodash@4.17.15', name: 'lodash', version: '4.17.15' },
    package: { ecosystem: 'npm', name: 'lodash', version: '4.17.15' },
    severity: 'high',
    ratings: [],
    fixed: ['4.17.20'],
    lastAffected: [],
    matchedBy: 'range',
    modified: '2024-01-01T00:00:00Z',
    suppressed: false,
    ...over,
  };
}

const NOW = new Date('2026-03-15T12:00:00Z');
const rules = (r: Partial<SuppressionRules>): SuppressionRules => ({ ignore: [], vex: [], ...r });

describe('ignore files', () => {
  it('reads YAML and JSON, lists or { ignore: [...] }', () => {
    const yaml = parseIgnoreFile('ignore:\n  - id: CVE-2023-0001\n    package: lodash\n    reason: not reachable\n    expires: 2026-12-31\n', 'ig.yaml');
    expect(yaml).toEqual([{ id: 'CVE-2023-0001', package: 'lodash', reason: 'not reachable', expires: '2026-12-31', origin: 'ig.yaml#1' }]);
    const json = parseIgnoreFile('[{"id":"GHSA-aaaa-bbbb-cccc","reason":"accepted"}]', 'ig.json');
    expect(json).toEqual([{ id: 'GHSA-aaaa-bbbb-cccc', reason: 'accepted', origin: 'ig.json#1' }]);
    expect(parseIgnoreFile('', 'empty.yaml')).toEqual([]);
  });

  it('rejects rules without id or reason, and bad dates, naming the rule', () => {
    expect(() => parseIgnoreFile('- reason: x', 'f.yaml')).toThrow('f.yaml#1: missing id');
    expect(() => parseIgnoreFile('- id: CVE-1', 'f.yaml')).toThrow(/f.yaml#1: missing reason/);
    expect(() => parseIgnoreFile('- {id: CVE-1, reason: x, expires: someday}', 'f.yaml')).toThrow(/not a date/);
    expect(() => parseIgnoreFile('{ nope: 1 }', 'f.yaml')).toThrow(/expected a list/);
    expect(() => parseIgnoreFile('a: [', 'f.yaml')).toThrow(/not YAML or JSON/);
  });

  it('a date expires at the end of that day (UTC)', () => {
    expect(new Date(expiryTime('2026-03-15')).toISOString()).toBe('2026-03-16T00:00:00.000Z');
    expect(new Date(expiryTime('2026-03-15T10:00:00Z')).toISOString()).toBe('2026-03-15T10:00:00.000Z');
  });

  it('suppresses by id or alias, optionally only for a package (name or purl), and keeps the finding', () => {
    const f = finding();
    const by = (rule: string) => applySuppressions([f], rules({ ignore: parseIgnoreFile(rule, 'r.yaml') }), NOW).findings[0];
    expect(by('- {id: CVE-2023-0001, reason: accepted}')).toMatchObject({ suppressed: true, suppression: { by: 'ignore', status: 'ignored', reason: 'accepted', rule: 'r.yaml#1' } });
    expect(by('- {id: GHSA-aaaa-bbbb-cccc, reason: alias}')?.suppressed).toBe(true);
    expect(by('- {id: CVE-2023-0001, package: lodash, reason: x}')?.suppressed).toBe(true);
    expect(by('- {id: CVE-2023-0001, package: "pkg:npm/lodash", reason: x}')?.suppressed).toBe(true);
    expect(by('- {id: CVE-2023-0001, package: "pkg:npm/lodash@4.17.15", reason: x}')?.suppressed).toBe(true);
    expect(by('- {id: CVE-2023-0001, package: "pkg:npm/lodash@4.17.14", reason: x}')?.suppressed).toBe(false);
    expect(by('- {id: CVE-2023-0001, package: underscore, reason: x}')?.suppressed).toBe(false);
    expect(by('- {id: CVE-2099-9999, reason: x}')).toEqual(f);
  });

  it('expired rules stop applying and are reported', () => {
    const ignore = parseIgnoreFile('- {id: CVE-2023-0001, reason: temporary, expires: 2026-03-14}\n- {id: CVE-2023-0002, reason: later, expires: 2026-03-15}', 'r.yaml');
    const out = applySuppressions([finding(), finding({ id: 'CVE-2023-0002', aliases: [] })], rules({ ignore }), NOW);
    expect(out.findings.map((f) => f.suppressed)).toEqual([false, true]);
    expect(out.expired.map((r) => r.origin)).toEqual(['r.yaml#1']);
    // The same rules a day earlier: both apply.
    expect(applySuppressions([finding()], rules({ ignore }), new Date('2026-03-14T23:59:59Z')).findings[0]?.suppressed).toBe(true);
  });

  it('a distribution advisory fixing one CVE is covered by that CVE; one fixing several is not', () => {
    const single = finding({ id: 'DLA-3008-1', aliases: [], records: ['DLA-3008-1'], upstream: ['CVE-2022-1292', 'DEBIAN-CVE-2022-1292'] });
    const multi = finding({ id: 'DLA-9999-1', aliases: [], records: ['DLA-9999-1'], upstream: ['CVE-2022-1292', 'CVE-2022-2068'] });
    expect(findingIds(single).has('CVE-2022-1292')).toBe(true);
    expect(findingIds(multi).has('CVE-2022-1292')).toBe(false);
  });
});

describe('VEX', () => {
  const openvex = (statements: unknown[]) =>
    JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'sec', timestamp: '2026-01-01T00:00:00Z', version: 1, statements });

  it('OpenVEX not_affected and fixed suppress, with the justification as the reason', () => {
    const vex = parseVexDocument(
      openvex([
        { vulnerability: { name: 'CVE-2023-0001' }, products: [{ '@id': 'pkg:npm/lodash@4.17.15' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'template() is never called' },
      ]),
      'a.vex.json',
    );
    const out = applySuppressions([finding()], rules({ vex }), NOW).findings[0];
    expect(out).toMatchObject({ suppressed: true, suppression: { by: 'vex', status: 'not_affected', reason: 'vulnerable_code_not_in_execute_path: template() is never called', rule: 'a.vex.json#1' } });
    const fixed = parseVexDocument(openvex([{ vulnerability: { name: 'GHSA-aaaa-bbbb-cccc' }, products: ['pkg:npm/lodash'], status: 'fixed' }]), 'b.json');
    expect(applySuppressions([finding()], rules({ vex: fixed }), NOW).findings[0]?.suppression?.status).toBe('fixed');
  });

  it('affected and under_investigation do not suppress; the latest statement wins', () => {
    const vex = parseVexDocument(
      openvex([
        { vulnerability: { name: 'CVE-2023-0001' }, products: ['pkg:npm/lodash'], status: 'not_affected', justification: 'component_not_present', timestamp: '2026-01-01T00:00:00Z' },
        { vulnerability: { name: 'CVE-2023-0001' }, products: ['pkg:npm/lodash'], status: 'affected', timestamp: '2026-02-01T00:00:00Z' },
      ]),
      'v.json',
    );
    expect(applySuppressions([finding()], rules({ vex }), NOW).findings[0]?.suppressed).toBe(false);
    const investigating = parseVexDocument(openvex([{ vulnerability: 'CVE-2023-0001', products: ['pkg:npm/lodash'], status: 'under_investigation' }]), 'w.json');
    expect(applySuppressions([finding()], rules({ vex: investigating }), NOW).findings[0]?.suppressed).toBe(false);
  });

  it('OpenVEX subcomponents of the image, and the image itself as product', () => {
    const sub = parseVexDocument(
      openvex([{ vulnerability: { name: 'CVE-2023-0001' }, products: [{ '@id': 'pkg:oci/app@sha256%3Aabc', subcomponents: [{ '@id': 'pkg:npm/lodash@4.17.15' }] }], status: 'not_affected', justification: 'vulnerable_code_not_present' }]),
      's.json',
    );
    expect(applySuppressions([finding()], rules({ vex: sub }), NOW).findings[0]?.suppressed).toBe(true);
    expect(applySuppressions([finding({ component: { bomRef: 'x', purl: 'pkg:npm/other@1.0.0', name: 'other' } })], rules({ vex: sub }), NOW).findings[0]?.suppressed).toBe(false);
    const whole = parseVexDocument(openvex([{ vulnerability: { name: 'CVE-2023-0001' }, products: [{ '@id': 'pkg:oci/app?repository_url=r.example%2Fapp' }], status: 'not_affected', justification: 'inline_mitigations_already_exist' }]), 'i.json');
    const subject = { purl: 'pkg:oci/app@sha256%3Aabc?repository_url=r.example%2Fapp' };
    expect(applySuppressions([finding()], rules({ vex: whole }), NOW, subject).findings[0]?.suppressed).toBe(true);
    expect(applySuppressions([finding()], rules({ vex: whole }), NOW, { purl: 'pkg:oci/other@sha256%3Aabc' }).findings[0]?.suppressed).toBe(false);
  });

  it('CycloneDX VEX: analysis states, BOM-Link and plain refs', () => {
    const cdx = (state: string, ref: string) =>
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        vulnerabilities: [{ id: 'CVE-2023-0001', analysis: { state, justification: 'code_not_reachable', detail: 'dead code' }, affects: [{ ref }] }],
      });
    const link = 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg%3Anpm%2Flodash%404.17.15';
    expect(applySuppressions([finding()], rules({ vex: parseVexDocument(cdx('not_affected', link), 'c.json') }), NOW).findings[0]).toMatchObject({
      suppressed: true,
      suppression: { by: 'vex', status: 'not_affected', reason: 'code_not_reachable: dead code' },
    });
    expect(applySuppressions([finding()], rules({ vex: parseVexDocument(cdx('resolved', 'pkg:npm/lodash@4.17.15'), 'c.json') }), NOW).findings[0]?.suppression?.status).toBe('fixed');
    expect(applySuppressions([finding()], rules({ vex: parseVexDocument(cdx('false_positive', 'pkg:npm/lodash@4.17.15'), 'c.json') }), NOW).findings[0]?.suppressed).toBe(true);
    for (const state of ['exploitable', 'in_triage']) {
      expect(applySuppressions([finding()], rules({ vex: parseVexDocument(cdx(state, 'pkg:npm/lodash@4.17.15'), 'c.json') }), NOW).findings[0]?.suppressed).toBe(false);
    }
  });

  it('refuses documents it cannot read, naming the file', () => {
    expect(() => parseVexDocument('{', 'x.json')).toThrow(/x.json: VEX document is not JSON/);
    expect(() => parseVexDocument('{"hello":1}', 'x.json')).toThrow(/neither OpenVEX/);
    expect(() => parseVexDocument(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ products: [] }] }), 'x.json')).toThrow(/x.json#1: statement needs a vulnerability and a status/);
    expect(() => parseVexDocument(JSON.stringify({ bomFormat: 'CycloneDX', vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'maybe' }, affects: [{ ref: 'a' }] }] }), 'x.json')).toThrow(/unknown analysis.state "maybe"/);
  });
});
