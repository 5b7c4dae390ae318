/**
 * Applying ignore rules and VEX statements. A suppressed finding stays in the report, marked
 * with who suppressed it and why; it no longer counts toward the verdict. Rules with an expiry
 * date stop applying once it has passed (the clock is injected) and are reported as expired, so
 * an exception granted for a month does not silently become permanent. When several VEX
 * statements cover the same finding the most recent one decides, as OpenVEX specifies.
 */
import type { Finding, Suppression } from './findings';
import { expiryTime, type IgnoreRule } from './ignore-file';
import { purlMatches } from './purl-match';
import type { VexStatement } from './vex';

export { expiryTime, parseIgnoreFile, type IgnoreRule } from './ignore-file';
export { parseVexDocument, type VexStatement } from './vex';

export interface SuppressionRules {
  readonly ignore: readonly IgnoreRule[];
  readonly vex: readonly VexStatement[];
}

export interface SubjectIdentity {
  /** The SBOM's `metadata.component` purl and bom-ref (the image), when known. */
  readonly purl?: string;
  readonly bomRef?: string;
}

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
