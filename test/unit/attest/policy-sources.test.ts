import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { parsePolicy, policyFrom, policyToDocument } from '../../../lambdas/attest/policy';
import { tightenPolicy } from '../../../lambdas/attest/policy-merge';
import { sourcesProblems, vulnerabilityProblem } from '../../../lambdas/attest/policy-rules';
import { PREDICATE_TYPES } from '../../../lambdas/attest/predicate-types';
import { vulnPredicate } from '../../../lambdas/attest/predicates/vuln';
import { buildStatement } from '../../../lambdas/attest/statement';
import type { JsonValue } from '../../../lambdas/signing/strict-json';
import { parseOpinion } from '../../../lambdas/vuln/imports/parse';
import { reportJson } from '../../../lambdas/vuln/report';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { parseScanSbom } from '../../../lambdas/vuln/sbom-input';
import { fixtureSource } from '../vuln/helpers';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'second-opinions');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');
const A = 'sha256:f2a61ba65c935c5868393b3ed04e77361ceb199befab765a91a4a7d4456da6d2';
const SCANNED = new Date('2026-12-01T00:00:00Z');

/** A vuln statement over the scan of the fixture image with these second opinions merged. */
async function statementWith(files: readonly string[]) {
  const report = await scanSbom(parseScanSbom(read('app.cdx.json'), 'app.cdx.json'), fixtureSource(), { now: SCANNED, threshold: 'high', opinions: files.map((f) => parseOpinion(read(f), f)) });
  const predicate = vulnPredicate({ report: JSON.parse(reportJson(report)) as JsonValue, scanStartedOn: SCANNED.toISOString(), scanFinishedOn: SCANNED.toISOString() });
  return buildStatement('localhost:5000/app', A, PREDICATE_TYPES.vuln, predicate);
}

describe('policy vulnerabilities.sources and requireSources', () => {
  it('parses both, implies a vuln attestation, and writes them back', () => {
    const p = parsePolicy('vulnerabilities:\n  failOn: high\n  sources: ours\n  requireSources:\n    - artifact-guard\n    - name: amazon-inspector\n      maxAge: 7d\n');
    expect(p.sources).toBe('ours');
    expect(p.requiredSources).toEqual([{ name: 'artifact-guard' }, { name: 'amazon-inspector', maxAgeMs: 7 * 86_400_000, maxAge: '7d' }]);
    expect(p.attestations.map((a) => a.name)).toEqual(['vuln']);
    expect(policyFrom(policyToDocument(p))).toEqual(p);
    // requireSources alone needs no failOn.
    expect(parsePolicy('vulnerabilities:\n  requireSources: [amazon-inspector]\n').failOn).toBeUndefined();
  });

  it('refuses bad values with one clear error', () => {
    expect(() => parsePolicy('vulnerabilities:\n  failOn: high\n  sources: theirs\n')).toThrow(/vulnerabilities.sources must be all or ours/);
    expect(() => parsePolicy('vulnerabilities:\n  failOn: high\n  requireSources: []\n')).toThrow(BadInputError);
    expect(() => parsePolicy('vulnerabilities:\n  requireSources: [{ name: trivy, age: 7d }]\n')).toThrow(/unknown key "age"/);
    expect(() => parsePolicy('vulnerabilities:\n  sources: ours\n')).toThrow(/failOn must be one of/);
  });

  it('a request cannot weaken the operator: ours only when the base says ours; the shorter maxAge wins', () => {
    const unset = parsePolicy('vulnerabilities: { failOn: high }');
    const ours = parsePolicy('vulnerabilities: { failOn: high, sources: ours }');
    const all = parsePolicy('vulnerabilities: { failOn: high, sources: all }');
    expect(tightenPolicy(unset, ours).sources).toBe('all');
    expect(tightenPolicy(ours, unset).sources).toBe('ours');
    expect(tightenPolicy(ours, all).sources).toBe('all');
    const base = parsePolicy('vulnerabilities: { requireSources: [{ name: amazon-inspector, maxAge: 7d }] }');
    const request = parsePolicy('vulnerabilities: { requireSources: [{ name: amazon-inspector, maxAge: 2d }, trivy] }');
    expect(tightenPolicy(base, request).requiredSources).toEqual([
      { name: 'amazon-inspector', maxAgeMs: 2 * 86_400_000, maxAge: '2d' },
      { name: 'trivy' },
    ]);
    expect(tightenPolicy(request, base).requiredSources?.[0]?.maxAge).toBe('2d');
  });

  it('counts second opinions by default, at the highest severity; ours counts our scan alone', async () => {
    const s = await statementWith(['trivy.json', 'grype.json']);
    expect(vulnerabilityProblem(s, 'high')).toMatch(/^2 unsuppressed findings at or above high \(2 high\): (?=.*CVE-2021-23337 \(high\))(?=.*GHSA-vh95-rmgr-6w4m \(high\))/);
    expect(vulnerabilityProblem(s, 'high', 'fail', 'ours')).toBeUndefined();
    expect(vulnerabilityProblem(s, 'medium', 'fail', 'ours')).toMatch(/^1 unsuppressed finding at or above medium \(1 medium\): GHSA-vh95-rmgr-6w4m \(medium\)/);
  });

  it('a report scanned with sources: ours still fails a policy that counts all', async () => {
    const report = await scanSbom(parseScanSbom(read('app.cdx.json'), 'app.cdx.json'), fixtureSource(), { now: SCANNED, threshold: 'high', sources: 'ours', opinions: [parseOpinion(read('trivy.json'), 'trivy.json')] });
    expect(report.verdict).toBe('pass');
    const s = buildStatement('r', A, PREDICATE_TYPES.vuln, vulnPredicate({ report: JSON.parse(reportJson(report)) as JsonValue, scanStartedOn: 'a', scanFinishedOn: 'b' }));
    expect(vulnerabilityProblem(s, 'high')).toMatch(/CVE-2021-23337 \(high\)/);
  });

  it('requires each named source in the attestation, scanned within its maxAge', async () => {
    const policy = parsePolicy('vulnerabilities:\n  requireSources:\n    - { name: artifact-guard, maxAge: 7d }\n    - { name: amazon-inspector, maxAge: 7d }\n');
    const required = policy.requiredSources ?? [];
    const without = await statementWith(['grype.json']);
    expect(without.predicate.scanner).toMatchObject({ sources: [{ name: 'artifact-guard' }, { name: 'grype', version: '0.84.0', database: { updated: '2026-11-29T01:31:42Z' } }] });
    expect(sourcesProblems(without, required, new Date('2026-12-02T00:00:00Z'))).toEqual(['no scan by amazon-inspector in the vulnerability attestation (it names artifact-guard, grype)']);
    const withInspector = await statementWith(['inspector-findings.json']);
    expect(sourcesProblems(withInspector, required, new Date('2026-12-02T00:00:00Z'))).toEqual([]);
    expect(sourcesProblems(withInspector, required, new Date('2026-12-09T00:00:00Z'))).toEqual([
      'the scan by artifact-guard is from 2026-12-01T00:00:00.000Z, 8d old, more than 7d',
      'the scan by amazon-inspector is from 2026-11-30T09:40:02.000Z, 8.6d old, more than 7d',
    ]);
  });
});
