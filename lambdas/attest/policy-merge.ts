import { BadInputError } from '../core/errors';
import type { Policy, RequiredAttestation, RequiredSource, UnknownSeverity } from './policy';
import { normalizeRepository } from './policy-rules';
import { PREDICATE_TYPES } from './predicate-types';
import type { SeverityLevel } from './scan-report';
import { severityRank } from './scan-report';

/**
 * Merging a caller's policy into one an operator set, so that the caller can only add
 * requirements (fail closed): the deploy gate applies `tightenPolicy(gate policy, request policy)`
 * and never the request policy alone. Every field of the result is at least as strict as the
 * same field of either side, so anything the result allows, each side allows too.
 */
export function tightenPolicy(base: Policy, request: Policy): Policy {
  const failOn = stricterSeverity(base.failOn, request.failOn);
  const sourceRepositories = intersection(base.sourceRepositories, request.sourceRepositories, normalizeRepository);
  const builders = intersection(base.builders, request.builders, (b) => b);
  const attestations = unionAttestations(base.attestations, request.attestations);
  const requiredSources = unionSources(base.requiredSources, request.requiredSources);
  // A rule requires its predicate (as policyFrom implies it), even if neither side listed it.
  if (failOn || requiredSources) requireType(attestations, 'vuln');
  if (sourceRepositories || builders) requireType(attestations, 'slsaprovenance1');
  return {
    signature: base.signature || request.signature,
    evidence: narrowEvidence(base.evidence, request.evidence),
    attestations,
    ...(failOn ? { failOn, unknownSeverity: stricterUnknownSeverity(base, request) } : {}),
    ...countedSourcesOf(base, request),
    ...(requiredSources ? { requiredSources } : {}),
    ...(sourceRepositories ? { sourceRepositories } : {}),
    ...(builders ? { builders } : {}),
    ...chartImagesByTagOf(base, request),
  };
}

/**
 * `warn` only when the base says warn and the request does not say deny. The base saying nothing
 * means deny (the default), which a request's `warn` cannot loosen; a request saying nothing adds
 * nothing.
 */
function chartImagesByTagOf(base: Policy, request: Policy): Pick<Policy, 'chartImagesByTag'> {
  if (base.chartImagesByTag === 'warn' && request.chartImagesByTag !== 'deny') return { chartImagesByTag: 'warn' };
  return base.chartImagesByTag === 'deny' || request.chartImagesByTag === 'deny' ? { chartImagesByTag: 'deny' } : {};
}

/**
 * `ours` only when the base says ours and the request does not say all: the base saying nothing
 * means all (second opinions count), which a request's `ours` cannot loosen.
 */
function countedSourcesOf(base: Policy, request: Policy): Pick<Policy, 'sources'> {
  if (base.sources === 'ours' && request.sources !== 'all') return { sources: 'ours' };
  return base.sources || request.sources ? { sources: 'all' } : {};
}

/** Every source either side requires (by name), each with the shorter maxAge. */
function unionSources(a: readonly RequiredSource[] | undefined, b: readonly RequiredSource[] | undefined): RequiredSource[] | undefined {
  if (!a && !b) return undefined;
  const merged = new Map<string, RequiredSource>();
  for (const r of [...(a ?? []), ...(b ?? [])]) {
    const seen = merged.get(r.name);
    const shorter = !seen || (r.maxAgeMs !== undefined && (seen.maxAgeMs === undefined || r.maxAgeMs < seen.maxAgeMs)) ? r : seen;
    merged.set(r.name, { ...shorter });
  }
  return [...merged.values()];
}

/** `any` narrows to the other side's place; `att` against `bundle` has no common ground. */
function narrowEvidence(base: Policy['evidence'], request: Policy['evidence']): Policy['evidence'] {
  if (base === request || request === 'any') return base;
  if (base === 'any') return request;
  throw new BadInputError(`the request asks for ${request} evidence but the gate's policy requires ${base}`);
}

/** Union by predicateType (base order first); a type both sides require gets the shorter maxAge. */
function unionAttestations(base: readonly RequiredAttestation[], request: readonly RequiredAttestation[]): RequiredAttestation[] {
  const merged = base.map((a) => ({ ...a }));
  for (const r of request) {
    const i = merged.findIndex((a) => a.predicateType === r.predicateType);
    if (i < 0) merged.push({ ...r });
    else merged[i] = withShorterMaxAge(merged[i] as RequiredAttestation, r);
  }
  return merged;
}

function withShorterMaxAge(a: RequiredAttestation, b: RequiredAttestation): RequiredAttestation {
  // maxAgeMs and its text travel together, so the reasons quote the age that was applied.
  const shorter = b.maxAgeMs !== undefined && (a.maxAgeMs === undefined || b.maxAgeMs < a.maxAgeMs) ? b : a;
  const { maxAgeMs, maxAge } = shorter;
  return { name: a.name, predicateType: a.predicateType, ...(maxAgeMs !== undefined ? { maxAgeMs, ...(maxAge !== undefined ? { maxAge } : {}) } : {}) };
}

function requireType(attestations: RequiredAttestation[], type: keyof typeof PREDICATE_TYPES): void {
  if (!attestations.some((a) => a.predicateType === PREDICATE_TYPES[type])) attestations.push({ name: type, predicateType: PREDICATE_TYPES[type] });
}

/** The lower threshold denies more. */
function stricterSeverity(a: SeverityLevel | undefined, b: SeverityLevel | undefined): SeverityLevel | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return severityRank(b) < severityRank(a) ? b : a;
}

/** What a side says about unknown severities: with a failOn and nothing said, the default `fail`. */
function unknownSeverityOf(p: Policy): UnknownSeverity | undefined {
  return p.unknownSeverity ?? (p.failOn ? 'fail' : undefined);
}

/** `fail` if either side says so; `warn` only when a side says warn and the other says nothing. */
function stricterUnknownSeverity(base: Policy, request: Policy): UnknownSeverity {
  const said = [unknownSeverityOf(base), unknownSeverityOf(request)];
  return said.includes('warn') && !said.includes('fail') ? 'warn' : 'fail';
}

/**
 * Both lists set: the entries both allow (base spelling; repositories compared normalised, as
 * the provenance rule compares them). An empty result is kept: it allows nothing, and the
 * provenance rule says so in its reason. One list set: that list.
 */
function intersection(a: readonly string[] | undefined, b: readonly string[] | undefined, key: (s: string) => string): string[] | undefined {
  if (a === undefined) return b && [...b];
  if (b === undefined) return [...a];
  const keys = new Set(b.map(key));
  return a.filter((s) => keys.has(key(s)));
}
