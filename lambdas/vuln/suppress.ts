/**
 * Ignore rules and VEX statements. A suppressed finding stays in the report, marked with who
 * suppressed it and why; it no longer counts toward the verdict. Rules with an expiry date stop
 * applying once it has passed (the clock is injected) and are reported as expired, so an
 * exception granted for a month does not silently become permanent.
 *
 * Ignore file (YAML or JSON), a list or `{ ignore: [...] }`:
 *   - id: CVE-2023-1234          the finding id, any alias, or a record id
 *     package: openssl           optional: a package name or a purl (version optional)
 *     reason: not reachable      required: why
 *     expires: 2026-01-31        optional: a date (valid through that day, UTC) or a timestamp
 *
 * VEX: OpenVEX (v0.0.x and v0.2.x) and CycloneDX (vulnerabilities[].analysis). `not_affected`
 * and `fixed` (CycloneDX: not_affected, false_positive, resolved, resolved_with_pedigree)
 * suppress; `affected`, `under_investigation`, `exploitable`, `in_triage` do not. When several
 * statements cover the same finding the most recent one decides, as OpenVEX specifies.
 */
import { parse as parseYaml } from 'yaml';
import { BadInputError } from '../core/errors';
import type { Finding, Suppression } from './findings';
import { purlMatches } from './purl-match';

export interface IgnoreRule {
  readonly id: string;
  readonly package?: string;
  readonly reason: string;
  readonly expires?: string;
  /** `FILE#N` (N from 1), for reports. */
  readonly origin: string;
}

export interface VexStatement {
  /** The vulnerability's name and its aliases. */
  readonly ids: readonly string[];
  /** Package purls or bom-refs the statement covers; empty with `wholeProduct` = every component. */
  readonly components: readonly string[];
  /** Product identifiers without subcomponents: they cover everything when they name the image. */
  readonly products: readonly string[];
  readonly status: string;
  readonly suppresses: boolean;
  readonly reason: string;
  /** Epoch ms; later statements supersede earlier ones. */
  readonly time: number;
  readonly order: number;
  readonly origin: string;
}

export interface SuppressionRules {
  readonly ignore: readonly IgnoreRule[];
  readonly vex: readonly VexStatement[];
}

export interface SubjectIdentity {
  /** The SBOM's `metadata.component` purl and bom-ref (the image), when known. */
  readonly purl?: string;
  readonly bomRef?: string;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

// ---------------------------------------------------------------------------------------------
// Ignore files

/** Expiry instant: a date is valid through the end of that day (UTC); a timestamp is exact. */
export function expiryTime(expires: string): number {
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + 24 * 3600 * 1000;
  return Date.parse(expires);
}

export function parseIgnoreFile(text: string, file: string): IgnoreRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON: one parser reads both.
  } catch (err) {
    throw new BadInputError(`${file}: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) ? (doc.ignore ?? doc.rules) : undefined;
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(list)) throw new BadInputError(`${file}: expected a list of rules or { ignore: [...] }`);
  return list.map((raw, i) => {
    const where = `${file}#${i + 1}`;
    if (!isObject(raw)) throw new BadInputError(`${where}: a rule must be an object with id and reason`);
    const id = str(raw.id);
    const reason = str(raw.reason);
    if (!id) throw new BadInputError(`${where}: missing id`);
    if (!reason) throw new BadInputError(`${where}: missing reason (say why ${id} is ignored)`);
    if (raw.package !== undefined && !str(raw.package)) throw new BadInputError(`${where}: package must be a name or a purl`);
    let expires: string | undefined;
    if (raw.expires !== undefined && raw.expires !== null) {
      expires = raw.expires instanceof Date ? raw.expires.toISOString() : str(raw.expires);
      if (!expires || !Number.isFinite(expiryTime(expires))) throw new BadInputError(`${where}: expires "${String(raw.expires)}" is not a date (YYYY-MM-DD) or timestamp`);
    }
    return { id, reason, origin: where, ...(str(raw.package) ? { package: str(raw.package) } : {}), ...(expires ? { expires } : {}) };
  });
}

// ---------------------------------------------------------------------------------------------
// VEX documents

const OPENVEX_SUPPRESSING = new Set(['not_affected', 'fixed']);
const CDX_STATES: Readonly<Record<string, { status: string; suppresses: boolean }>> = {
  not_affected: { status: 'not_affected', suppresses: true },
  false_positive: { status: 'not_affected', suppresses: true },
  resolved: { status: 'fixed', suppresses: true },
  resolved_with_pedigree: { status: 'fixed', suppresses: true },
  exploitable: { status: 'affected', suppresses: false },
  in_triage: { status: 'under_investigation', suppresses: false },
};

/** An OpenVEX product/subcomponent: a string IRI or `{ "@id", identifiers: { purl } }`. */
function componentIds(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!isObject(v)) return [];
  const ids = [str(v['@id'])];
  if (isObject(v.identifiers)) ids.push(str(v.identifiers.purl));
  return ids.filter((x): x is string => !!x);
}

function openVexStatements(doc: Obj, file: string): VexStatement[] {
  const docTime = Date.parse(str(doc.timestamp) ?? '') || 0;
  if (!Array.isArray(doc.statements)) throw new BadInputError(`${file}: OpenVEX document without statements`);
  return doc.statements.map((s: unknown, i) => {
    const where = `${file}#${i + 1}`;
    if (!isObject(s)) throw new BadInputError(`${where}: statement is not an object`);
    const v = s.vulnerability;
    const ids = typeof v === 'string' ? [v] : isObject(v) ? [str(v.name), str(v['@id']), ...(Array.isArray(v.aliases) ? v.aliases.map(str) : [])] : [];
    const vulnIds = ids.filter((x): x is string => !!x);
    const status = str(s.status);
    if (!vulnIds.length || !status) throw new BadInputError(`${where}: statement needs a vulnerability and a status`);
    const products: string[] = [];
    const components: string[] = (Array.isArray(s.subcomponents) ? s.subcomponents : []).flatMap(componentIds);
    for (const p of Array.isArray(s.products) ? s.products : []) {
      const subs = isObject(p) && Array.isArray(p.subcomponents) ? p.subcomponents.flatMap(componentIds) : [];
      if (subs.length) components.push(...subs);
      else products.push(...componentIds(p));
    }
    const reason = [str(s.justification), str(s.impact_statement), str(s.status_notes), str(s.action_statement)].filter(Boolean).join(': ') || status;
    return {
      ids: vulnIds,
      components,
      products,
      status,
      suppresses: OPENVEX_SUPPRESSING.has(status),
      reason,
      time: Date.parse(str(s.timestamp) ?? '') || docTime,
      order: i,
      origin: where,
    };
  });
}

/** A CycloneDX ref: a plain bom-ref, or a BOM-Link `urn:cdx:<serial>/<version>#<bom-ref>`. */
function refTarget(ref: string): string {
  const m = /^urn:cdx:[^#]*#(.+)$/.exec(ref);
  if (!m) return ref;
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    return m[1] as string;
  }
}

function cycloneDxStatements(doc: Obj, file: string): VexStatement[] {
  if (!Array.isArray(doc.vulnerabilities)) throw new BadInputError(`${file}: CycloneDX VEX without vulnerabilities[]`);
  // Refs point at bom-refs; a VEX BOM that lists its own components lets us resolve them to purls.
  const purlOf = new Map<string, string>();
  for (const c of Array.isArray(doc.components) ? doc.components : []) {
    if (isObject(c) && str(c['bom-ref']) && str(c.purl)) purlOf.set(str(c['bom-ref']) as string, str(c.purl) as string);
  }
  const docTime = Date.parse(str(isObject(doc.metadata) ? doc.metadata.timestamp : undefined) ?? '') || 0;
  return doc.vulnerabilities.flatMap((v: unknown, i) => {
    const where = `${file}#${i + 1}`;
    if (!isObject(v)) throw new BadInputError(`${where}: vulnerability is not an object`);
    const analysis = isObject(v.analysis) ? v.analysis : undefined;
    const state = str(analysis?.state);
    if (!state) return []; // a VDR entry without analysis says nothing about exploitability
    const mapped = CDX_STATES[state];
    if (!mapped) throw new BadInputError(`${where}: unknown analysis.state "${state}"`);
    const id = str(v.id);
    if (!id) throw new BadInputError(`${where}: vulnerability without id`);
    const aliases = (Array.isArray(v.references) ? v.references : []).map((r) => (isObject(r) ? str(r.id) : undefined)).filter((x): x is string => !!x);
    const components = (Array.isArray(v.affects) ? v.affects : []).flatMap((a) => {
      const ref = isObject(a) ? str(a.ref) : undefined;
      if (!ref) return [];
      const target = refTarget(ref);
      return purlOf.has(target) ? [target, purlOf.get(target) as string] : [target];
    });
    if (!components.length) throw new BadInputError(`${where}: vulnerability ${id} has no affects[].ref`);
    const reason = [str(analysis?.justification), str(analysis?.detail)].filter(Boolean).join(': ') || state;
    const time = Date.parse(str(analysis?.lastUpdated) ?? str(v.updated) ?? '') || docTime;
    return [{ ids: [id, ...aliases], components, products: [], status: mapped.status, suppresses: mapped.suppresses, reason, time, order: i, origin: where }];
  });
}

export function parseVexDocument(text: string, file: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`${file}: VEX document is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) throw new BadInputError(`${file}: VEX document is not a JSON object`);
  const context = str(doc['@context']) ?? '';
  if (context.startsWith('https://openvex.dev/ns')) return openVexStatements(doc, file);
  if (doc.bomFormat === 'CycloneDX') return cycloneDxStatements(doc, file);
  throw new BadInputError(`${file}: neither OpenVEX (@context https://openvex.dev/ns/…) nor CycloneDX VEX`);
}

// ---------------------------------------------------------------------------------------------
// Applying rules

/**
 * Ids a rule may name to mean this finding: its id, aliases and record ids, plus its upstream
 * CVE when the records fix exactly one (a DLA for one CVE is that CVE's fix; a DLA fixing five
 * is not suppressed by an exception for one of them).
 */
export function findingIds(f: Finding): Set<string> {
  const ids = new Set([f.id, ...f.aliases, ...f.records]);
  const cves = new Set(f.upstream.filter((u) => u.startsWith('CVE-')));
  if (cves.size === 1) {
    const cve = [...cves][0] as string;
    for (const u of f.upstream) if (u === cve || u.endsWith(`-${cve}`)) ids.add(u);
  }
  return ids;
}

function packageMatches(pattern: string, f: Finding): boolean {
  if (pattern.startsWith('pkg:')) return purlMatches(pattern, f.component.purl);
  return pattern === f.component.name || pattern === f.package.name;
}

function vexCovers(s: VexStatement, f: Finding, subject: SubjectIdentity): boolean {
  const c = f.component;
  const names = (id: string): boolean => id === c.bomRef || (id.startsWith('pkg:') && purlMatches(id, c.purl));
  if (s.components.some(names)) return true;
  // A product without subcomponents covers the whole image when it names the image itself,
  // or just this component when it names the component.
  return s.products.some((p) => names(p) || p === subject.bomRef || (!!subject.purl && p.startsWith('pkg:') && purlMatches(p, subject.purl)));
}

export interface SuppressionOutcome {
  readonly findings: Finding[];
  /** Every ignore rule whose expiry has passed, for the report: it no longer applies. */
  readonly expired: readonly IgnoreRule[];
}

export function applySuppressions(findings: readonly Finding[], rules: SuppressionRules, now: Date, subject: SubjectIdentity = {}): SuppressionOutcome {
  if (!rules.ignore.length && !rules.vex.length) return { findings: [...findings], expired: [] };
  const isExpired = (rule: IgnoreRule): boolean => !!rule.expires && now.getTime() >= expiryTime(rule.expires);
  const out = findings.map((f) => {
    const ids = findingIds(f);
    const statements = rules.vex.filter((s) => s.ids.some((i) => ids.has(i)) && vexCovers(s, f, subject));
    if (statements.length) {
      const latest = statements.reduce((a, b) => (b.time > a.time || (b.time === a.time && b.order >= a.order) ? b : a));
      if (latest.suppresses) {
        const suppression: Suppression = { by: 'vex', status: latest.status, reason: latest.reason, rule: latest.origin };
        return { ...f, suppressed: true, suppression };
      }
    }
    for (const rule of rules.ignore) {
      if (!ids.has(rule.id) || (rule.package && !packageMatches(rule.package, f))) continue;
      if (isExpired(rule)) continue;
      const suppression: Suppression = { by: 'ignore', status: 'ignored', reason: rule.reason, rule: rule.origin, ...(rule.expires ? { expires: rule.expires } : {}) };
      return { ...f, suppressed: true, suppression };
    }
    return f;
  });
  return { findings: out, expired: rules.ignore.filter(isExpired) };
}
