/**
 * Merging second opinions into our findings, per component and vulnerability. A report's finding
 * joins ours when it is about the same component (match.ts) and shares an id with it: the id,
 * an alias, a record id (OSV aliases: a GHSA and its CVE are one vulnerability). What no finding
 * of ours covers becomes a finding of its own (`matchedBy: opinion`); a package the report names
 * that our SBOM does not hold is kept too, on a component named after it: another scanner saw it
 * in the image, which is not evidence of anything being clean.
 *
 * Severity (documented rule): the highest of the severities the sources give that report it as
 * affected, each source's own (ours from our ratings; Trivy's `Severity`, Grype's
 * `vulnerability.severity`, Clair's `normalized_severity`, Inspector's `severity`); vendors'
 * ratings are listed beside it. A second opinion adds findings and can raise a severity; it never
 * removes or lowers one. A source that rules a finding out (VEX `not_affected`, vendor status)
 * while another reports it is a disagreement: listed, and the finding still counts. Accepting
 * that ruling is an explicit decision: the same statement given as `--vex` (our own rules).
 */
import type { ComponentRef, Finding, FindingSource } from '../findings';
import { purlTarget, type PackageTarget } from '../osv/purl-target';
import { dedupeRatings, maxSeverity, type Rating, type Severity } from '../severity';
import { RULES_OUT, type OpinionFinding, type OpinionReport } from './imported-report';
import { ComponentIndex } from './match';

/** Our own scan, as sources are named in reports and policies. */
export const OURS = 'artifact-guard';

/** Which sources' findings count toward the verdict: ours alone, or every source (the default: fail closed). */
export type SourcesCounted = 'ours' | 'all';

export interface Disagreement {
  readonly id: string;
  /** The component's purl, or its name and version. */
  readonly component: string;
  readonly reportedBy: readonly { readonly source: string; readonly severity: Severity }[];
  readonly ruledOutBy: readonly { readonly source: string; readonly status: string; readonly detail?: string }[];
}

export interface OpinionPlacement {
  readonly origin: string;
  readonly tool: string;
  readonly findings: number;
  /** Packages the report names that our SBOM does not hold (`name@version`). */
  readonly unplaced: readonly string[];
}

export interface MergeOutcome {
  readonly findings: Finding[];
  readonly disagreements: Disagreement[];
  readonly placement: OpinionPlacement[];
}

interface Entry {
  readonly finding: OpinionFinding;
  readonly report: OpinionReport;
}

class Groups {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while ((this.parent.get(root) ?? root) !== root) root = this.parent.get(root) as string;
    this.parent.set(x, root);
    return root;
  }
  union(ids: readonly string[]): void {
    const [first, ...rest] = ids;
    if (first === undefined) return;
    const root = this.find(first);
    for (const id of rest) {
      const r = this.find(id);
      if (r !== root) this.parent.set(r, root);
    }
  }
}

const oursIds = (f: Finding): string[] => [f.id, ...f.aliases, ...f.records];
const entryIds = (e: Entry): string[] => [e.finding.id, ...e.finding.aliases];
const label = (c: ComponentRef): string => c.purl ?? `${c.name}${c.version ? `@${c.version}` : ''}`;
const unique = (values: readonly string[]): string[] => [...new Set(values)].sort();

function preferredId(ids: readonly string[]): string {
  const sorted = [...new Set(ids)].sort();
  return sorted.find((i) => i.startsWith('CVE-')) ?? sorted.find((i) => i.startsWith('GHSA-')) ?? (sorted[0] as string);
}

function sourceOf(e: Entry): FindingSource {
  const f = e.finding;
  const vendors = f.vendorSeverities.map((v) => `${v.source}: ${v.severity}`).join(', ');
  const detail = [f.statusDetail, vendors].filter(Boolean).join('; ');
  return { name: e.report.tool.name, id: f.id, severity: f.severity, fixed: f.fixed, status: f.status, ...(detail ? { detail } : {}) };
}

function oursSource(f: Finding): FindingSource {
  return { name: OURS, id: f.id, severity: f.severity, fixed: f.fixed, status: 'affected' };
}

function dedupeSources(sources: readonly FindingSource[]): FindingSource[] {
  const seen = new Set<string>();
  return sources.filter((s) => {
    const key = `${s.name}|${s.id}|${s.status}|${s.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The severity the verdict uses: the highest among sources that report it as affected. */
function usedSeverity(sources: readonly FindingSource[]): Severity {
  const reporting = sources.filter((s) => !RULES_OUT.has(s.status));
  return reporting.length ? maxSeverity(reporting.map((s) => s.severity)) : 'unknown';
}

function disagreement(id: string, component: ComponentRef, sources: readonly FindingSource[]): Disagreement | undefined {
  const ruling = sources.filter((s) => RULES_OUT.has(s.status));
  const reporting = sources.filter((s) => !RULES_OUT.has(s.status));
  if (!ruling.length || !reporting.length) return undefined;
  return {
    id,
    component: label(component),
    reportedBy: reporting.map((s) => ({ source: s.name, severity: s.severity })),
    ruledOutBy: ruling.map((s) => ({ source: s.name, status: s.status, ...(s.detail ? { detail: s.detail } : {}) })),
  };
}

function packageTarget(component: ComponentRef, entry: Entry): PackageTarget {
  const placed = component.purl ? purlTarget(component.purl, component.version) : undefined;
  if (placed && 'target' in placed) return placed.target;
  const p = entry.finding.package;
  return { ecosystem: p.type ?? 'unknown', name: p.name, version: p.version };
}

function opinionRatings(entries: readonly Entry[]): Rating[] {
  return dedupeRatings(
    entries.flatMap((e) => [
      { source: e.report.tool.name, method: 'other' as const, severity: e.finding.severity },
      ...e.finding.vendorSeverities.map((v) => ({ source: `${e.report.tool.name} (${v.source})`, method: 'other' as const, severity: v.severity })),
    ]),
  );
}

function newFinding(component: ComponentRef, entries: readonly Entry[], now: Date): { finding: Finding; sources: FindingSource[] } | undefined {
  const sources = dedupeSources(entries.map(sourceOf));
  if (!sources.some((s) => !RULES_OUT.has(s.status))) return undefined; // only rulings: nobody reports it
  const ids = entries.flatMap(entryIds);
  const id = preferredId(ids);
  const first = entries[0] as Entry;
  const title = entries.map((e) => e.finding.title).find(Boolean);
  const finding: Finding = {
    id,
    aliases: unique(ids.filter((i) => i !== id)),
    upstream: [],
    records: [],
    component,
    package: packageTarget(component, first),
    severity: usedSeverity(sources),
    ratings: opinionRatings(entries),
    fixed: unique(entries.flatMap((e) => e.finding.fixed)),
    lastAffected: [],
    matchedBy: 'opinion',
    modified: now.toISOString(),
    suppressed: false,
    sources,
    ...(title ? { summary: title } : {}),
  };
  return { finding, sources };
}

function joined(f: Finding, entries: readonly Entry[]): Finding {
  const sources = dedupeSources([oursSource(f), ...entries.map(sourceOf)]);
  const extra = entries.flatMap(entryIds).filter((i) => i !== f.id);
  return {
    ...f,
    aliases: unique([...f.aliases, ...extra]),
    severity: usedSeverity(sources),
    ratings: entries.length ? dedupeRatings([...f.ratings, ...opinionRatings(entries)]) : f.ratings,
    fixed: unique([...f.fixed, ...entries.flatMap((e) => e.finding.fixed)]),
    sources,
  };
}

export function mergeOpinions(ours: readonly Finding[], components: readonly ComponentRef[], opinions: readonly OpinionReport[], now: Date): MergeOutcome {
  if (!opinions.length) return { findings: [...ours], disagreements: [], placement: [] };
  const index = new ComponentIndex(components);
  const byComponent = new Map<string, { component: ComponentRef; entries: Entry[] }>();
  const placement: OpinionPlacement[] = opinions.map((report) => {
    const unplaced = new Set<string>();
    for (const finding of report.findings) {
      let placed = index.componentsFor(finding.package);
      if (!placed.length) {
        const p = finding.package;
        const name = p.purl ?? `${p.name}@${p.version}`;
        unplaced.add(`${p.name}@${p.version}`);
        placed = [{ bomRef: `opinion:${name}`, name: p.name, version: p.version, ...(p.purl ? { purl: p.purl } : {}) }];
      }
      for (const component of placed) {
        const slot = byComponent.get(component.bomRef) ?? { component, entries: [] };
        slot.entries.push({ finding, report });
        byComponent.set(component.bomRef, slot);
      }
    }
    return { origin: report.origin, tool: report.tool.name, findings: report.findings.length, unplaced: [...unplaced].sort() };
  });

  const oursByComponent = new Map<string, Finding[]>();
  for (const f of ours) oursByComponent.set(f.component.bomRef, [...(oursByComponent.get(f.component.bomRef) ?? []), f]);

  const findings: Finding[] = [];
  const disagreements: Disagreement[] = [];
  const handled = new Set<Finding>();
  for (const [bomRef, { component, entries }] of byComponent) {
    const mine = oursByComponent.get(bomRef) ?? [];
    const groups = new Groups();
    for (const f of mine) groups.union(oursIds(f));
    for (const e of entries) groups.union(entryIds(e));
    const byRoot = new Map<string, { mine: Finding[]; entries: Entry[] }>();
    const slot = (id: string) => {
      const root = groups.find(id);
      const s = byRoot.get(root) ?? { mine: [], entries: [] };
      byRoot.set(root, s);
      return s;
    };
    for (const f of mine) slot(f.id).mine.push(f);
    for (const e of entries) slot(e.finding.id).entries.push(e);
    for (const group of byRoot.values()) {
      if (group.mine.length) {
        for (const f of group.mine) {
          const merged = joined(f, group.entries);
          handled.add(f);
          findings.push(merged);
          const d = disagreement(merged.id, component, merged.sources ?? []);
          if (d) disagreements.push(d);
        }
      } else {
        const made = newFinding(component, group.entries, now);
        if (!made) continue;
        findings.push(made.finding);
        const d = disagreement(made.finding.id, component, made.sources);
        if (d) disagreements.push(d);
      }
    }
  }
  // Ours that no opinion mentions: still listed with their one source, so a reader sees who reported what.
  for (const f of ours) if (!handled.has(f)) findings.push({ ...f, sources: [oursSource(f)] });
  return { findings, disagreements, placement };
}

/**
 * The verdict's view under `sources`: with `ours`, a finding only second opinions report is
 * listed but not counted (suppressed, by `sources`), and a merged one counts at our severity.
 */
export function countSources(findings: readonly Finding[], counted: SourcesCounted): Finding[] {
  if (counted === 'all') return [...findings];
  return findings.map((f) => {
    if (!f.sources) return f;
    const mine = f.sources.find((s) => s.name === OURS);
    if (mine) return { ...f, severity: mine.severity };
    if (f.suppressed) return f;
    return { ...f, suppressed: true, suppression: { by: 'sources', status: 'not_counted', reason: 'reported by second opinions only; the policy counts our own scan alone (sources: ours)', rule: 'sources: ours' } };
  });
}
