import fc from 'fast-check';
import type { Policy } from '../../../lambdas/attest/policy';
import { parsePolicy, policyFrom, policyToDocument } from '../../../lambdas/attest/policy';
import { tightenPolicy } from '../../../lambdas/attest/policy-merge';
import { normalizeRepository, provenanceProblems, vulnerabilityProblem } from '../../../lambdas/attest/policy-rules';
import { PREDICATE_TYPES, predicateTypeFor } from '../../../lambdas/attest/predicate-types';
import { vulnPredicate } from '../../../lambdas/attest/predicates/vuln';
import type { SeverityLevel } from '../../../lambdas/attest/scan-report';
import { SEVERITY_ORDER, severityRank } from '../../../lambdas/attest/scan-report';
import { buildStatement } from '../../../lambdas/attest/statement';

const DIGEST = `sha256:${'34'.repeat(32)}`;
const tighten = (base: string, request: string) => tightenPolicy(parsePolicy(base), parsePolicy(request));
const ages = (p: Policy) => Object.fromEntries(p.attestations.map((a) => [a.name, a.maxAge ?? null]));

describe('tightenPolicy: a request can only add to the base', () => {
  it('signature: required when either requires it (a request saying false changes nothing)', () => {
    expect(tighten('attestations: [vuln]', 'signature: false\nattestations: [slsaprovenance1]')).toMatchObject({ signature: true, attestations: [{ name: 'vuln' }, { name: 'slsaprovenance1' }] });
    expect(tighten('signature: false\nattestations: [vuln]', 'attestations: [vuln]').signature).toBe(true);
    expect(tighten('signature: false\nattestations: [vuln]', 'signature: false\nattestations: [vuln]').signature).toBe(false);
  });

  it('attestations: the union by predicateType, each with the shorter maxAge; a maxAge on one side applies', () => {
    expect(ages(tighten('attestations: [{ type: vuln, maxAge: 7d }]', 'attestations: [{ type: vuln, maxAge: 1d }]'))).toEqual({ vuln: '1d' });
    expect(ages(tighten('attestations: [{ type: vuln, maxAge: 1d }]', 'attestations: [{ type: vuln, maxAge: 2w }]'))).toEqual({ vuln: '1d' });
    expect(ages(tighten('attestations: [vuln, cyclonedx]', 'attestations: [{ type: vuln, maxAge: 12h }]'))).toEqual({ vuln: '12h', cyclonedx: null });
    expect(ages(tighten('attestations: [{ type: vuln, maxAge: 12h }]', 'attestations: [vuln, slsaprovenance1]'))).toEqual({ vuln: '12h', slsaprovenance1: null });
    // The same predicate named two ways is one requirement.
    expect(tighten('attestations: [vuln]', `attestations: [{ type: "${PREDICATE_TYPES.vuln}", maxAge: 1h }]`).attestations).toEqual([
      { name: 'vuln', predicateType: PREDICATE_TYPES.vuln, maxAgeMs: 3_600_000, maxAge: '1h' },
    ]);
  });

  it('failOn: the lower threshold; unknownSeverity: fail when either side fails them', () => {
    expect(tighten('vulnerabilities: { failOn: high }', 'vulnerabilities: { failOn: critical }').failOn).toBe('high');
    expect(tighten('vulnerabilities: { failOn: critical }', 'vulnerabilities: { failOn: low }').failOn).toBe('low');
    expect(tighten('attestations: []', 'vulnerabilities: { failOn: medium }')).toMatchObject({ failOn: 'medium', unknownSeverity: 'fail', attestations: [{ name: 'vuln' }] });
    const warn = 'vulnerabilities: { failOn: critical, unknownSeverity: warn }';
    expect(tighten(warn, 'vulnerabilities: { failOn: critical }').unknownSeverity).toBe('fail');
    expect(tighten('vulnerabilities: { failOn: critical }', warn).unknownSeverity).toBe('fail');
    expect(tighten(warn, 'attestations: [slsaprovenance1]').unknownSeverity).toBe('warn');
    expect(tighten('attestations: [slsaprovenance1]', warn).unknownSeverity).toBe('warn');
    expect(tighten(warn, warn).unknownSeverity).toBe('warn');
    expect(tighten('attestations: [vuln]', 'attestations: [vuln]')).not.toHaveProperty('failOn');
  });

  it('provenance lists: the intersection when both are set (base spelling, normalised compare), else the one set', () => {
    const base = 'provenance: { sourceRepositories: ["git+https://GitHub.com/o/a.git", https://github.com/o/b] }';
    expect(tighten(base, 'provenance: { sourceRepositories: [https://github.com/o/a, https://github.com/o/c] }').sourceRepositories).toEqual(['git+https://GitHub.com/o/a.git']);
    expect(tighten(base, 'provenance: { builders: [b1] }')).toMatchObject({ sourceRepositories: ['git+https://GitHub.com/o/a.git', 'https://github.com/o/b'], builders: ['b1'] });
    expect(tighten('attestations: [vuln]', 'provenance: { builders: [b1, b2] }')).toMatchObject({ builders: ['b1', 'b2'], attestations: [{ name: 'vuln' }, { name: 'slsaprovenance1' }] });
    // Nothing in common: an empty list, which allows nothing (the provenance rule says so).
    const disjoint = tighten('provenance: { builders: [b1] }', 'provenance: { builders: [b2] }');
    expect(disjoint.builders).toEqual([]);
    expect(policyFrom(policyToDocument(disjoint))).toEqual(disjoint);
  });

  it('evidence: any narrows to att or bundle; att against bundle is a bad request', () => {
    expect(tighten('evidence: any', 'evidence: att').evidence).toBe('att');
    expect(tighten('evidence: bundle', 'evidence: any').evidence).toBe('bundle');
    expect(tighten('evidence: att', 'evidence: att').evidence).toBe('att');
    expect(() => tighten('evidence: att', 'evidence: bundle')).toThrow("the request asks for bundle evidence but the gate's policy requires att");
    expect(() => tighten('evidence: bundle', 'evidence: att')).toThrow("the request asks for att evidence but the gate's policy requires bundle");
  });

  it('a rule without its attestation (a policy built in code) still gets the attestation it reads', () => {
    const bare: Policy = { signature: true, evidence: 'any', attestations: [], failOn: 'high', builders: ['b'] };
    expect(tightenPolicy(bare, { signature: true, evidence: 'any', attestations: [] }).attestations.map((a) => a.name)).toEqual(['vuln', 'slsaprovenance1']);
  });

  it('leaves both inputs untouched', () => {
    const base = parsePolicy('attestations: [{ type: vuln, maxAge: 7d }]');
    const request = parsePolicy('attestations: [{ type: vuln, maxAge: 1d }, cyclonedx]');
    const copies = [structuredClone(base), structuredClone(request)];
    tightenPolicy(base, request);
    expect([base, request]).toEqual(copies);
  });
});

// ---- Property: for random pairs, the merged policy is at least as strict as each side. ----

const TYPES = ['slsaprovenance1', 'cyclonedx', 'vuln', 'https://example.com/custom/v1'];
const AGES = ['30m', '12h', '1d', '7d', '30d'];
const REPOS = ['https://github.com/o/a', 'git+https://GitHub.com/o/a.git', 'https://github.com/o/b', 'https://github.com/o/c'];
const BUILDERS = ['b1', 'b2', 'b3'];
const DAY = 86_400_000;

/** Absent two times in three: sparse policies, so that some random artifacts pass them. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Random policy documents, read by policyFrom as the gate reads them. */
const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    signature: fc.boolean(),
    evidence: fc.constantFrom('att', 'bundle', 'any'),
    maxAge: sometimes(fc.constantFrom(...AGES)),
    attestations: fc.uniqueArray(fc.record({ type: fc.constantFrom(...TYPES), maxAge: sometimes(fc.constantFrom(...AGES)) }), { selector: (a) => a.type, maxLength: 3 }),
    vulnerabilities: sometimes(fc.record({ failOn: fc.constantFrom(...SEVERITY_ORDER), unknownSeverity: sometimes(fc.constantFrom('fail', 'warn')) })),
    sourceRepositories: sometimes(fc.subarray(REPOS)),
    builders: sometimes(fc.subarray(BUILDERS)),
    charts: sometimes(fc.record({ imagesByTag: fc.constantFrom('deny', 'warn') })),
  })
  .map((d) => {
    const provenance = d.sourceRepositories || d.builders ? defined({ sourceRepositories: d.sourceRepositories, builders: d.builders }) : undefined;
    const doc = defined({
      signature: d.signature,
      evidence: d.evidence,
      maxAge: d.maxAge,
      attestations: d.attestations.map((a) => defined(a)),
      vulnerabilities: d.vulnerabilities && defined(d.vulnerabilities),
      provenance,
      charts: d.charts,
    });
    // A document that requires nothing is refused by policyFrom: require the signature instead.
    const requiresNothing = !d.signature && d.attestations.length === 0 && !d.vulnerabilities && !provenance;
    return policyFrom(requiresNothing ? { ...doc, signature: true } : doc);
  });

interface Artifact {
  readonly signed: boolean;
  /** `both`: the workflow stores each attestation as a .att layer and as a bundle referrer. */
  readonly attestations: readonly { readonly type: string; readonly via: 'att' | 'bundle' | 'both'; readonly ageMs: number }[];
  readonly findings: readonly SeverityLevel[];
  readonly source: string;
  readonly builder: string;
}

// Mostly complete, mostly fresh, mostly clean artifacts: random ones would almost never be allowed.
const artifactArb: fc.Arbitrary<Artifact> = fc.record({
  signed: fc.boolean(),
  attestations: fc
    .tuple(
      ...TYPES.map((type) =>
        fc.option(
          fc.record({
            type: fc.constant(type),
            via: fc.constantFrom<'att' | 'bundle' | 'both'>('both', 'both', 'att', 'bundle'),
            ageMs: fc.oneof(fc.constantFrom(0, 20 * 60_000, 6 * 3_600_000, 2 * DAY), fc.integer({ min: 0, max: 40 * DAY })),
          }),
          { freq: 8 },
        ),
      ),
    )
    .map((list) => list.filter((a) => a !== null)),
  findings: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(fc.constantFrom(...SEVERITY_ORDER), { maxLength: 2 }), weight: 1 }),
  source: fc.constantFrom(...REPOS),
  builder: fc.constantFrom(...BUILDERS),
});

/**
 * What verifyWithPolicy decides, reduced to the policy's fields, with the real rule functions
 * for findings and provenance: signature, each required type stored where `evidence` looks and
 * young enough, then failOn (with unknownSeverity) and the provenance lists.
 */
function allows(policy: Policy, a: Artifact): boolean {
  if (policy.signature && !a.signed) return false;
  for (const required of policy.attestations) {
    const found = a.attestations.find((x) => predicateTypeFor(x.type) === required.predicateType && (policy.evidence === 'any' || x.via === 'both' || policy.evidence === x.via));
    if (!found) return false;
    if (required.maxAgeMs !== undefined && found.ageMs > required.maxAgeMs) return false;
    if (required.predicateType === PREDICATE_TYPES.vuln && policy.failOn) {
      const report = { verdict: 'pass', findings: a.findings.map((severity, i) => ({ id: `F${i}`, severity })) };
      const statement = buildStatement('r', DIGEST, PREDICATE_TYPES.vuln, vulnPredicate({ report, scanStartedOn: '2026-01-01T00:00:00Z', scanFinishedOn: '2026-01-01T00:00:00Z' }));
      if (vulnerabilityProblem(statement, policy.failOn, policy.unknownSeverity)) return false;
    }
    if (required.predicateType === PREDICATE_TYPES.slsaprovenance1) {
      const statement = buildStatement('r', DIGEST, PREDICATE_TYPES.slsaprovenance1, { buildDefinition: { externalParameters: { source: { repository: a.source } } }, runDetails: { builder: { id: a.builder } } });
      if (provenanceProblems(statement, policy.sourceRepositories, policy.builders).length > 0) return false;
    }
  }
  return true;
}

const conflicting = (a: Policy, b: Policy) => a.evidence !== 'any' && b.evidence !== 'any' && a.evidence !== b.evidence;
const effectiveUnknown = (p: Policy) => p.unknownSeverity ?? (p.failOn ? 'fail' : undefined);

/** Every field of `merged` at least as strict as the same field of `side`. */
function expectAtLeastAsStrict(merged: Policy, side: Policy, role: 'base' | 'request'): void {
  if (side.signature) expect(merged.signature).toBe(true);
  if (side.evidence !== 'any') expect(merged.evidence).toBe(side.evidence);
  for (const s of side.attestations) {
    const m = merged.attestations.find((a) => a.predicateType === s.predicateType);
    expect(m).toBeDefined();
    if (s.maxAgeMs !== undefined) expect(m?.maxAgeMs).toBeLessThanOrEqual(s.maxAgeMs);
  }
  if (side.failOn) {
    expect(merged.failOn).toBeDefined();
    expect(severityRank(merged.failOn as SeverityLevel)).toBeLessThanOrEqual(severityRank(side.failOn));
  }
  if (effectiveUnknown(side) === 'fail') expect(merged.unknownSeverity).toBe('fail');
  if (side.sourceRepositories) {
    const allowed = side.sourceRepositories.map(normalizeRepository);
    expect(merged.sourceRepositories?.every((r) => allowed.includes(normalizeRepository(r)))).toBe(true);
  }
  if (side.builders) expect(merged.builders?.every((b) => side.builders?.includes(b))).toBe(true);
  // Unset means deny for the operator's policy; a request that says nothing adds nothing.
  if (side.chartImagesByTag === 'deny' || (role === 'base' && side.chartImagesByTag === undefined)) expect(merged.chartImagesByTag ?? 'deny').toBe('deny');
}

describe('tightenPolicy: properties over random policy pairs', () => {
  it('refuses exactly the pairs whose evidence conflicts (att against bundle)', () => {
    fc.assert(
      fc.property(policyArb, policyArb, (base, request) => {
        if (conflicting(base, request)) expect(() => tightenPolicy(base, request)).toThrow(/evidence but the gate's policy requires/);
        else expect(() => tightenPolicy(base, request)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('each field of the merged policy is at least as strict as the base\'s and the request\'s', () => {
    fc.assert(
      fc.property(policyArb, policyArb, (base, request) => {
        fc.pre(!conflicting(base, request));
        const merged = tightenPolicy(base, request);
        expectAtLeastAsStrict(merged, base, 'base');
        expectAtLeastAsStrict(merged, request, 'request');
        // Whatever the gate applies can be reported as a document and read back unchanged.
        expect(policyFrom(policyToDocument(merged))).toEqual(merged);
      }),
      { numRuns: 500 },
    );
  });

  it('anything the merged policy allows, the base and the request allow too', () => {
    let allowedByMerged = 0;
    fc.assert(
      fc.property(policyArb, policyArb, artifactArb, (base, request, artifact) => {
        fc.pre(!conflicting(base, request));
        if (!allows(tightenPolicy(base, request), artifact)) return;
        allowedByMerged += 1;
        expect(allows(base, artifact)).toBe(true);
        expect(allows(request, artifact)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // The implication must have been exercised, not only vacuously true.
    expect(allowedByMerged).toBeGreaterThan(20);
  });

  it('the model is not trivially permissive: a weaker request alone would allow what the merged policy denies', () => {
    const base = parsePolicy('vulnerabilities: { failOn: high }');
    const request = parsePolicy('signature: false\nattestations: [slsaprovenance1]');
    const unsignedWithHigh: Artifact = { signed: false, attestations: [{ type: 'slsaprovenance1', via: 'att', ageMs: 0 }, { type: 'vuln', via: 'att', ageMs: 0 }], findings: ['high'], source: REPOS[0] as string, builder: 'b1' };
    expect(allows(request, unsignedWithHigh)).toBe(true);
    expect(allows(tightenPolicy(base, request), unsignedWithHigh)).toBe(false);
  });
});
