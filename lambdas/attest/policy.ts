import * as fs from 'node:fs';
import { parseDocument } from 'yaml';
import { BadInputError, NotFoundError } from '../core/errors';
import { PREDICATE_TYPES, predicateTypeFor } from './predicate-types';
import type { CountedSources, SeverityLevel } from './scan-report';
import { SEVERITY_ORDER, parseSeverity } from './scan-report';

/**
 * A verification policy for `verify --policy FILE` (JSON or YAML; README "Attestations,
 * bundles and policies"):
 *
 * ```yaml
 * version: 1
 * signature: true              # also require the cosign signature (as verify without a policy); default true
 * evidence: any                # where attestations are read: att (sha256-<hex>.att), bundle (Sigstore bundle referrers), any
 * maxAge: 30d                  # every required attestation at most this old (s, m, h, d, w)
 * attestations:                # required types: slsaprovenance1, cyclonedx, vuln, or a predicateType URI
 *   - type: slsaprovenance1
 *   - type: vuln
 *     maxAge: 7d               # overrides maxAge for this type
 * vulnerabilities:
 *   failOn: high               # deny unsuppressed findings at or above (implies a vuln attestation)
 *   unknownSeverity: fail      # findings of unknown severity: fail (count as at or above failOn; default) or warn
 *   sources: all               # whose findings count: all (default: second opinions too, at the highest severity) or ours
 *   requireSources:            # scanners the vuln attestation must name, each scanned within maxAge (implies a vuln attestation)
 *     - name: artifact-guard
 *     - name: amazon-inspector
 *       maxAge: 7d
 * provenance:                  # implies a slsaprovenance1 attestation; each list, when given, must match
 *   sourceRepositories: [https://github.com/org/app]
 *   builders: [https://github.com/org/app/.github/workflows/build.yml]
 * charts:                      # at the deploy gate, for a Helm chart: the images it deploys
 *   imagesByTag: deny          # an image named by tag, not digest: deny (default) or warn
 * ```
 *
 * An empty `sourceRepositories` or `builders` list allows nothing, so it denies every artifact:
 * it is what a gate policy and a request policy with no entry in common tighten to
 * (`policy-merge.ts`), and a document must be able to say what the gate applied.
 */
export interface RequiredAttestation {
  /** The name as written (`vuln`, or the URI). */
  readonly name: string;
  readonly predicateType: string;
  readonly maxAgeMs?: number;
  /** The maximum age as written (`7d`), for reasons. */
  readonly maxAge?: string;
}

/** A scanner the vuln attestation's report must name (`sources[]`), scanned at most `maxAge` ago. */
export interface RequiredSource {
  readonly name: string;
  readonly maxAgeMs?: number;
  readonly maxAge?: string;
}

export interface Policy {
  readonly signature: boolean;
  readonly evidence: 'att' | 'bundle' | 'any';
  readonly attestations: readonly RequiredAttestation[];
  readonly failOn?: SeverityLevel;
  /**
   * How findings of severity `unknown` (e.g. Debian OSV records, which carry none) meet `failOn`:
   * `fail` counts them as at or above any threshold, `warn` ranks them where SEVERITY_ORDER
   * puts them (below info). Set, to `fail` unless the document says `warn`, whenever `failOn` is.
   */
  readonly unknownSeverity?: UnknownSeverity;
  /** Whose findings count toward `failOn`; undefined means `all` (fail closed: second opinions count). */
  readonly sources?: CountedSources;
  readonly requiredSources?: readonly RequiredSource[];
  readonly sourceRepositories?: readonly string[];
  readonly builders?: readonly string[];
  /**
   * At the deploy gate, a chart naming an image by tag only (which can be moved to other content):
   * `deny` (undefined means deny) or `warn`. Images named by digest are always verified.
   */
  readonly chartImagesByTag?: ChartImagesByTag;
}

export type UnknownSeverity = 'fail' | 'warn';
export type ChartImagesByTag = 'deny' | 'warn';


type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` → milliseconds. */
export function parseDuration(value: unknown, where: string): number {
  const m = typeof value === 'string' ? /^\s*(\d+)\s*([smhdw])\s*$/.exec(value) : undefined;
  if (!m) throw new BadInputError(`policy ${where} must be a duration such as 30d, 12h, 90m, 45s or 2w (got ${JSON.stringify(value)})`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

function only(obj: Json, where: string, keys: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new BadInputError(`policy ${where}: unknown key "${k}" (known: ${keys.join(', ')})`);
  }
}

/** A list of non-empty strings; an empty list is valid and allows nothing (see the policy format). */
function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !s)) throw new BadInputError(`policy ${where} must be a list of strings`);
  return v as string[];
}

interface MaxAge {
  readonly maxAgeMs: number;
  readonly maxAge: string;
}

function maxAgeOf(value: unknown, where: string): MaxAge | undefined {
  return value === undefined ? undefined : { maxAgeMs: parseDuration(value, where), maxAge: String(value).trim() };
}

function attestation(v: unknown, i: number, defaultMaxAge: MaxAge | undefined): RequiredAttestation {
  const entry = typeof v === 'string' ? { type: v } : v;
  if (!isObject(entry) || typeof entry.type !== 'string') throw new BadInputError(`policy attestations[${i}] must be a type name or { type, maxAge }`);
  only(entry, `attestations[${i}]`, ['type', 'maxAge']);
  const maxAge = maxAgeOf(entry.maxAge, `attestations[${i}].maxAge`) ?? defaultMaxAge;
  return { name: entry.type, predicateType: predicateTypeFor(entry.type, `policy attestations[${i}].type`), ...maxAge };
}

/** Validates a parsed policy document; unknown keys are errors, so a typo never weakens a policy. */
export function policyFrom(doc: unknown): Policy {
  if (!isObject(doc)) throw new BadInputError('policy must be a JSON/YAML object');
  only(doc, 'top level', ['version', 'signature', 'evidence', 'maxAge', 'attestations', 'vulnerabilities', 'provenance', 'charts']);
  if (doc.version !== undefined && doc.version !== 1) throw new BadInputError(`policy version ${JSON.stringify(doc.version)} is not supported (1)`);
  if (doc.signature !== undefined && typeof doc.signature !== 'boolean') throw new BadInputError('policy signature must be true or false');
  const evidence = doc.evidence ?? 'any';
  if (evidence !== 'att' && evidence !== 'bundle' && evidence !== 'any') throw new BadInputError('policy evidence must be att, bundle or any');
  const maxAge = maxAgeOf(doc.maxAge, 'maxAge');
  if (doc.attestations !== undefined && !Array.isArray(doc.attestations)) throw new BadInputError('policy attestations must be a list');
  const attestations = ((doc.attestations as unknown[] | undefined) ?? []).map((a, i) => attestation(a, i, maxAge));

  let failOn: SeverityLevel | undefined;
  let unknownSeverity: UnknownSeverity | undefined;
  let sources: CountedSources | undefined;
  let requiredSources: RequiredSource[] | undefined;
  if (doc.vulnerabilities !== undefined) {
    if (!isObject(doc.vulnerabilities)) throw new BadInputError('policy vulnerabilities must be an object');
    only(doc.vulnerabilities, 'vulnerabilities', ['failOn', 'unknownSeverity', 'sources', 'requireSources']);
    const v = doc.vulnerabilities;
    if (v.requireSources !== undefined) requiredSources = requireSourcesOf(v.requireSources, maxAge);
    // failOn may be left out only by a policy that asks for sources alone.
    if (v.failOn !== undefined || !requiredSources) {
      failOn = parseSeverity(v.failOn);
      if (!failOn) throw new BadInputError(`policy vulnerabilities.failOn must be one of ${SEVERITY_ORDER.join(', ')}`);
      const unknown = v.unknownSeverity ?? 'fail';
      if (unknown !== 'fail' && unknown !== 'warn') throw new BadInputError('policy vulnerabilities.unknownSeverity must be fail or warn');
      unknownSeverity = unknown;
    }
    if (v.sources !== undefined && v.sources !== 'all' && v.sources !== 'ours') throw new BadInputError('policy vulnerabilities.sources must be all or ours');
    sources = v.sources;
  }
  let sourceRepositories: string[] | undefined;
  let builders: string[] | undefined;
  if (doc.provenance !== undefined) {
    if (!isObject(doc.provenance)) throw new BadInputError('policy provenance must be an object');
    only(doc.provenance, 'provenance', ['sourceRepositories', 'builders']);
    if (doc.provenance.sourceRepositories !== undefined) sourceRepositories = stringList(doc.provenance.sourceRepositories, 'provenance.sourceRepositories');
    if (doc.provenance.builders !== undefined) builders = stringList(doc.provenance.builders, 'provenance.builders');
    if (!sourceRepositories && !builders) throw new BadInputError('policy provenance needs sourceRepositories or builders');
  }
  let chartImagesByTag: ChartImagesByTag | undefined;
  if (doc.charts !== undefined) {
    if (!isObject(doc.charts)) throw new BadInputError('policy charts must be an object');
    only(doc.charts, 'charts', ['imagesByTag']);
    const v = doc.charts.imagesByTag;
    if (v !== undefined && v !== 'deny' && v !== 'warn') throw new BadInputError('policy charts.imagesByTag must be deny or warn');
    chartImagesByTag = v;
  }
  // A rule on a predicate requires that predicate, even when attestations does not list it.
  const implied = (type: keyof typeof PREDICATE_TYPES) => {
    if (!attestations.some((a) => a.predicateType === PREDICATE_TYPES[type])) attestations.push({ name: type, predicateType: PREDICATE_TYPES[type], ...maxAge });
  };
  if (failOn || requiredSources) implied('vuln');
  if (sourceRepositories || builders) implied('slsaprovenance1');
  const signature = doc.signature !== false;
  if (!signature && attestations.length === 0) throw new BadInputError('policy requires nothing: with signature: false, list attestations or rules');
  return {
    signature,
    evidence,
    attestations,
    ...(failOn ? { failOn, unknownSeverity } : {}),
    ...(sources ? { sources } : {}),
    ...(requiredSources ? { requiredSources } : {}),
    ...(sourceRepositories ? { sourceRepositories } : {}),
    ...(builders ? { builders } : {}),
    ...(chartImagesByTag ? { chartImagesByTag } : {}),
  };
}

/** `requireSources: [name | { name, maxAge }]`; a source without its own maxAge takes the top-level one. */
function requireSourcesOf(v: unknown, defaultMaxAge: MaxAge | undefined): RequiredSource[] {
  if (!Array.isArray(v) || v.length === 0) throw new BadInputError('policy vulnerabilities.requireSources must be a non-empty list of names or { name, maxAge }');
  return v.map((entry: unknown, i) => {
    const e = typeof entry === 'string' ? { name: entry } : entry;
    if (!isObject(e) || typeof e.name !== 'string' || !e.name) throw new BadInputError(`policy vulnerabilities.requireSources[${i}] must be a name or { name, maxAge }`);
    only(e, `vulnerabilities.requireSources[${i}]`, ['name', 'maxAge']);
    const maxAge = maxAgeOf(e.maxAge, `vulnerabilities.requireSources[${i}].maxAge`) ?? defaultMaxAge;
    return { name: e.name, ...maxAge };
  });
}

/**
 * The policy as a `verify --policy` document (plain JSON): what the gate reports it applied, so
 * the decision can be read, audited and replayed with the CLI. `policyFrom(policyToDocument(p))`
 * equals `p` for every policy `policyFrom` or `tightenPolicy` returns. Each attestation carries
 * its own maxAge (no top-level maxAge), and implied attestations are listed explicitly.
 */
export function policyToDocument(policy: Policy): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    version: 1,
    signature: policy.signature,
    evidence: policy.evidence,
    attestations: policy.attestations.map((a) => (a.maxAgeMs === undefined ? { type: a.name } : { type: a.name, maxAge: a.maxAge ?? wholeSeconds(a.maxAgeMs) })),
  };
  if (policy.failOn || policy.sources || policy.requiredSources) {
    doc.vulnerabilities = {
      ...(policy.failOn ? { failOn: policy.failOn, unknownSeverity: policy.unknownSeverity ?? 'fail' } : {}),
      ...(policy.sources ? { sources: policy.sources } : {}),
      ...(policy.requiredSources ? { requireSources: policy.requiredSources.map((r) => (r.maxAgeMs === undefined ? { name: r.name } : { name: r.name, maxAge: r.maxAge ?? wholeSeconds(r.maxAgeMs) })) } : {}),
    };
  }
  if (policy.sourceRepositories || policy.builders) {
    doc.provenance = { ...(policy.sourceRepositories ? { sourceRepositories: [...policy.sourceRepositories] } : {}), ...(policy.builders ? { builders: [...policy.builders] } : {}) };
  }
  if (policy.chartImagesByTag) doc.charts = { imagesByTag: policy.chartImagesByTag };
  return doc;
}

/** A maximum age without its text (a policy built in code): whole seconds, rounded down so it never loosens. */
function wholeSeconds(ms: number): string {
  return `${Math.floor(ms / 1000)}s`;
}

/** Parses policy text (YAML 1.2, of which JSON is a subset; duplicate keys refused). */
export function parsePolicy(text: string, name = 'policy'): Policy {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new BadInputError(`${name}: ${doc.errors[0]?.message.split('\n')[0]}`);
  try {
    return policyFrom(doc.toJS());
  } catch (err) {
    if (err instanceof BadInputError) throw new BadInputError(`${name}: ${err.message}`);
    throw err;
  }
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`policy file ${file} not found`);
    throw new BadInputError(`cannot read policy file ${file}: ${code ?? (err as Error).message}`);
  }
  return parsePolicy(text, file);
}
