import { parseDuration, parsePolicy, policyFrom, policyToDocument } from '../../../lambdas/attest/policy';
import { ageProblem, formatAge, normalizeRepository, provenanceProblems, statementTime, vulnerabilityProblem } from '../../../lambdas/attest/policy-rules';
import { PREDICATE_TYPES } from '../../../lambdas/attest/predicate-types';
import { vulnPredicate } from '../../../lambdas/attest/predicates/vuln';
import { readScanReport } from '../../../lambdas/attest/scan-report';
import { buildStatement } from '../../../lambdas/attest/statement';
import type { JsonValue } from '../../../lambdas/signing/strict-json';

const DIGEST = `sha256:${'12'.repeat(32)}`;

describe('policy files', () => {
  it('reads YAML and JSON alike, with defaults (signature required, evidence any)', () => {
    const yaml = parsePolicy('version: 1\nattestations:\n  - slsaprovenance1\n  - type: vuln\n    maxAge: 7d\n');
    const json = parsePolicy('{"version":1,"attestations":["slsaprovenance1",{"type":"vuln","maxAge":"7d"}]}');
    expect(yaml).toEqual(json);
    expect(yaml).toEqual({
      signature: true,
      evidence: 'any',
      attestations: [
        { name: 'slsaprovenance1', predicateType: PREDICATE_TYPES.slsaprovenance1 },
        { name: 'vuln', predicateType: PREDICATE_TYPES.vuln, maxAgeMs: 7 * 86_400_000, maxAge: '7d' },
      ],
    });
  });

  it('rules imply their attestation; maxAge applies to every required type unless overridden', () => {
    const p = parsePolicy('maxAge: 30d\nvulnerabilities: { failOn: HIGH }\nprovenance: { builders: [b] }\nattestations: [{ type: cyclonedx, maxAge: 1h }]');
    expect(p.failOn).toBe('high');
    expect(p.unknownSeverity).toBe('fail');
    expect(p.builders).toEqual(['b']);
    expect(p.attestations.map((a) => [a.name, a.maxAge])).toEqual([
      ['cyclonedx', '1h'],
      ['vuln', '30d'],
      ['slsaprovenance1', '30d'],
    ]);
  });

  it('accepts a predicateType URI as a type', () => {
    expect(parsePolicy('attestations: [https://example.com/custom/v1]').attestations[0]?.predicateType).toBe('https://example.com/custom/v1');
  });

  it.each([
    ['attestations: [slsa]', /must be one of slsaprovenance1, cyclonedx, vuln or a predicate type URI/],
    ['atestations: [vuln]', /unknown key "atestations"/],
    ['attestations: [{ type: vuln, maxAge: 7 days }]', /must be a duration/],
    ['vulnerabilities: { failOn: severe }', /failOn must be one of/],
    ['provenance: {}', /needs sourceRepositories or builders/],
    ['provenance: { builders: [""] }', /must be a list of strings/],
    ['provenance: { builders: b }', /must be a list of strings/],
    ['vulnerabilities: { failOn: high, unknownSeverity: ignore }', /unknownSeverity must be fail or warn/],
    ['vulnerabilities: { unknownSeverity: warn }', /failOn must be one of/],
    ['evidence: registry', /evidence must be att, bundle or any/],
    ['version: 2', /version 2 is not supported/],
    ['signature: false', /requires nothing/],
    ['a: 1\na: 2', /unique|duplicate/i],
    ['[1, 2]', /must be a JSON\/YAML object/],
    ['attestations: [vuln', /.+/],
  ])('refuses %j with a clear error', (text, message) => {
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(message);
  });

  it('vulnerabilities.unknownSeverity: fail by default, warn when asked; absent without failOn', () => {
    expect(parsePolicy('vulnerabilities: { failOn: critical }')).toMatchObject({ failOn: 'critical', unknownSeverity: 'fail' });
    expect(parsePolicy('vulnerabilities: { failOn: critical, unknownSeverity: warn }')).toMatchObject({ failOn: 'critical', unknownSeverity: 'warn' });
    expect(parsePolicy('attestations: [vuln]')).not.toHaveProperty('unknownSeverity');
  });

  it('an empty provenance list is valid and allows no origin (what disjoint lists tighten to)', () => {
    expect(parsePolicy('provenance: { builders: [] }')).toMatchObject({ builders: [], attestations: [{ name: 'slsaprovenance1' }] });
  });

  it('parses durations in s, m, h, d, w', () => {
    expect(['45s', '90m', '12h', '30d', '2w'].map((d) => parseDuration(d, 'x'))).toEqual([45_000, 5_400_000, 43_200_000, 2_592_000_000, 1_209_600_000]);
    expect(formatAge(86_100_000)).toBe('23.9h');
    expect(formatAge(3 * 86_400_000)).toBe('3d');
  });
});

const vuln = (report: JsonValue, at = '2026-01-01T00:00:00Z') => buildStatement('r', DIGEST, PREDICATE_TYPES.vuln, vulnPredicate({ report, scanStartedOn: at, scanFinishedOn: at }));

describe('policy rules', () => {

  it('times come from the signed predicate of each type', () => {
    expect(statementTime(vuln({}, '2026-02-03T04:05:06Z'))?.toISOString()).toBe('2026-02-03T04:05:06.000Z');
    expect(statementTime(buildStatement('r', DIGEST, PREDICATE_TYPES.slsaprovenance1, { runDetails: { metadata: { startedOn: '2026-01-01T00:00:00Z' } } }))?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(statementTime(buildStatement('r', DIGEST, PREDICATE_TYPES.cyclonedx, { metadata: { timestamp: '2026-01-02T00:00:00Z' } }))?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(statementTime(buildStatement('r', DIGEST, 'https://example.com/x', {}))).toBeUndefined();
  });

  it('max age: allowed up to the limit, denied after it and when undated', () => {
    const s = vuln({}, '2026-01-01T00:00:00Z');
    expect(ageProblem(s, 86_400_000, new Date('2026-01-02T00:00:00Z'))).toBeUndefined();
    expect(ageProblem(s, 86_400_000, new Date('2026-01-02T00:00:01Z'), '1d')).toMatch(/is from 2026-01-01T00:00:00.000Z, 1d old, more than the maximum age 1d/);
    expect(ageProblem(buildStatement('r', DIGEST, 'https://example.com/x', {}), 1, new Date())).toMatch(/records no time/);
  });

  it('failOn counts unsuppressed findings at or above the threshold (unknownSeverity: warn ranks unknown below info)', () => {
    const report: JsonValue = { findings: [{ id: 'A', severity: 'critical', suppressed: true }, { id: 'B', severity: 'medium' }, { id: 'C', severity: 'High' }, { id: 'D', severity: 'whatever' }] };
    expect(vulnerabilityProblem(vuln(report), 'critical', 'warn')).toBeUndefined();
    expect(vulnerabilityProblem(vuln(report), 'high', 'warn')).toBe('1 unsuppressed finding at or above high (1 high): C (high); 1 more of unknown severity, not counted (unknownSeverity: warn)');
    expect(vulnerabilityProblem(vuln(report), 'unknown', 'warn')).toBe('3 unsuppressed findings at or above unknown (1 high, 1 medium, 1 unknown): B (medium), C (high), D (unknown)');
    expect(vulnerabilityProblem(vuln('not a report'), 'low')).toMatch(/cannot be judged: scanner.result is not a JSON object/);
  });

  it('unknownSeverity: fail (the default) counts findings of unknown severity at or above any failOn', () => {
    // A Debian OSV record carries no severity: the scan reports it as unknown.
    const debian: JsonValue = { verdict: 'fail', findings: [{ id: 'DEBIAN-CVE-2024-1', severity: 'unknown' }, { id: 'CVE-2024-2', severity: 'low' }] };
    expect(vulnerabilityProblem(vuln(debian), 'critical')).toBe('1 unsuppressed finding at or above critical or of unknown severity (1 unknown): DEBIAN-CVE-2024-1 (unknown)');
    expect(vulnerabilityProblem(vuln(debian), 'critical', 'fail')).toBe(vulnerabilityProblem(vuln(debian), 'critical'));
    expect(vulnerabilityProblem(vuln(debian), 'low', 'fail')).toBe('2 unsuppressed findings at or above low or of unknown severity (1 low, 1 unknown): DEBIAN-CVE-2024-1 (unknown), CVE-2024-2 (low)');
    expect(vulnerabilityProblem(vuln(debian), 'critical', 'warn')).toBeUndefined();
    // Counts without ids (summary.bySeverity) count the same way.
    expect(vulnerabilityProblem(vuln({ summary: { bySeverity: { unknown: 3 } } }), 'high')).toBe('3 unsuppressed findings at or above high or of unknown severity (3 unknown)');
    expect(vulnerabilityProblem(vuln({ summary: { bySeverity: { unknown: 3 } } }), 'high', 'warn')).toBeUndefined();
  });

  it('an empty provenance list denies whatever the provenance says, and says why', () => {
    const prov = buildStatement('r', DIGEST, PREDICATE_TYPES.slsaprovenance1, { buildDefinition: { externalParameters: { source: { repository: 'https://github.com/o/a' } } }, runDetails: { builder: { id: 'b' } } });
    expect(provenanceProblems(prov, ['https://github.com/o/a'], ['b'])).toEqual([]);
    expect(provenanceProblems(prov, [], [])).toEqual([
      expect.stringMatching(/^sourceRepositories is empty: no source repository is allowed, so every artifact is denied/),
      expect.stringMatching(/^builders is empty: no builder is allowed/),
    ]);
  });

  it('repository names are compared without scheme/host case, git+ prefix, .git suffix or trailing slash', () => {
    expect(normalizeRepository('git+HTTPS://GitHub.com/Org/App.git/')).toBe('https://github.com/Org/App');
    expect(normalizeRepository('https://github.com/Org/App')).toBe('https://github.com/Org/App');
  });
});

describe('scan report contract', () => {
  it('reads the scan step report (findings with suppressed flags)', () => {
    const r = readScanReport({ format: 'artifact-guard/scan-report@1', verdict: 'fail', summary: { bySeverity: { high: 9 } }, findings: [{ id: 'X', severity: 'high', suppressed: false }] });
    expect(r).toEqual({ ok: true, findings: { bySeverity: { high: 1 }, ids: [{ id: 'X', severity: 'high' }] } });
  });

  it('reads summary counts when there is no findings list', () => {
    expect(readScanReport({ summary: { bySeverity: { critical: 1, moderate: 2, none: 0 } } })).toEqual({ ok: true, findings: { bySeverity: { critical: 1, medium: 2, none: 0 }, ids: [] } });
    expect(readScanReport({ summary: { counts: { high: -1 } } })).toMatchObject({ ok: false });
  });

  it('reads CycloneDX vulnerabilities (highest rating; not_affected / false_positive / resolved suppress)', () => {
    const r = readScanReport({
      bomFormat: 'CycloneDX',
      vulnerabilities: [
        { id: 'CVE-1', ratings: [{ severity: 'low' }, { severity: 'critical' }] },
        { id: 'CVE-2', ratings: [{ severity: 'critical' }], analysis: { state: 'not_affected' } },
        { id: 'CVE-3' },
      ],
    });
    expect(r).toEqual({ ok: true, findings: { bySeverity: { critical: 1, unknown: 1 }, ids: [{ id: 'CVE-1', severity: 'critical' }, { id: 'CVE-3', severity: 'unknown' }] } });
  });

  it('never reads "no data" as "no findings"', () => {
    expect(readScanReport({ verdict: 'unknown', findings: [] })).toMatchObject({ ok: false, reason: expect.stringMatching(/verdict is "unknown": it had no verified vulnerability data/) });
    expect(readScanReport({ verdict: 42, findings: [] })).toMatchObject({ ok: false, reason: expect.stringMatching(/verdict is 42/) });
    expect(readScanReport({})).toMatchObject({ ok: false });
  });

  it('an incomplete scan is unusable, and the reason quotes its first gaps', () => {
    expect(readScanReport({ verdict: 'incomplete', findings: [] })).toEqual({ ok: false, reason: 'the scan was incomplete (verdict "incomplete"), so its findings are not the whole story' });
    const gaps = ['no OSV data for Alpine', 'layer 3 unreadable', 'go binary without build info', 'fourth'].map((message) => ({ message }));
    const r = readScanReport({ verdict: 'incomplete', gaps: [...gaps, { nope: 1 }], findings: [{ id: 'X', severity: 'low' }] });
    expect(r).toEqual({ ok: false, reason: 'the scan was incomplete (verdict "incomplete"), so its findings are not the whole story: "no OSV data for Alpine"; "layer 3 unreadable"; "go binary without build info"; and 1 more' });
    // Through the policy rule too: an incomplete scan never passes failOn, however clean.
    expect(vulnerabilityProblem(vuln({ verdict: 'incomplete', gaps: gaps.slice(0, 1), findings: [] }), 'critical')).toBe(
      'the vulnerability attestation cannot be judged: the scan was incomplete (verdict "incomplete"), so its findings are not the whole story: "no OSV data for Alpine"',
    );
  });
});

describe('policy documents (policyToDocument)', () => {
  it.each([
    'attestations: [slsaprovenance1]',
    'signature: false\nevidence: bundle\nattestations: [vuln]',
    'maxAge: 30d\nattestations: [cyclonedx, { type: vuln, maxAge: 7d }, https://example.com/custom/v1]',
    'vulnerabilities: { failOn: high }',
    'vulnerabilities: { failOn: medium, unknownSeverity: warn }\nevidence: att',
    'provenance: { sourceRepositories: [https://github.com/o/a, https://github.com/o/b], builders: [] }',
  ])('round-trips %j through policyFrom', (text) => {
    const policy = parsePolicy(text);
    const doc = policyToDocument(policy);
    expect(policyFrom(doc)).toEqual(policy);
    // Plain JSON: what the gate puts in a decision, an alert and a log line.
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('writes implied attestations and per-type maximum ages explicitly', () => {
    expect(policyToDocument(parsePolicy('maxAge: 2d\nvulnerabilities: { failOn: high }'))).toEqual({
      version: 1,
      signature: true,
      evidence: 'any',
      attestations: [{ type: 'vuln', maxAge: '2d' }],
      vulnerabilities: { failOn: 'high', unknownSeverity: 'fail' },
    });
  });

  it('a maximum age built in code without its text is written in whole seconds, rounded down', () => {
    const doc = policyToDocument({ signature: true, evidence: 'any', attestations: [{ name: 'vuln', predicateType: PREDICATE_TYPES.vuln, maxAgeMs: 90_500 }] });
    expect(doc.attestations).toEqual([{ type: 'vuln', maxAge: '90s' }]);
  });
});
