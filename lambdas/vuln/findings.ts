/**
 * From record matches to findings: one finding per (vulnerability, component). Records that
 * describe the same vulnerability (they share an id through `aliases`) are merged, so a CVE
 * reported by GitHub, PyPA and a distribution appears once, under the CVE id. A distribution's
 * per-CVE record (`ALPINE-CVE-2025-26519`, `DEBIAN-CVE-…`, `UBUNTU-CVE-…`, whose `upstream`
 * names that CVE) counts as an alias of the CVE. Other `upstream` ids (a DLA fixing several
 * CVEs) are listed with the finding but do not merge it: that advisory is not one CVE.
 */
import type { PackageTarget } from './osv/purl-target';
import type { RecordMatch } from './osv/matcher';
import type { OsvRecord } from './osv/types';
import type { Rating, Severity } from './severity';
import { dedupeRatings, maxSeverity, ratingsFor, severityRank } from './severity';

export interface ComponentRef {
  readonly bomRef: string;
  readonly purl?: string;
  readonly name: string;
  readonly version?: string;
}

export interface Suppression {
  /** `sources`: reported by second opinions only, under a policy that counts our own scan alone (`sources: ours`). */
  readonly by: 'ignore' | 'vex' | 'sources';
  /** The rule's or statement's reason, as written. */
  readonly reason: string;
  /** VEX status (`not_affected`, `fixed`) or `ignored` for an ignore rule. */
  readonly status: string;
  /** Where the rule came from: file and rule id / statement index. */
  readonly rule: string;
  readonly expires?: string;
}

export interface Finding {
  /** The record id, or the preferred alias (a CVE) when several records were merged. */
  readonly id: string;
  /** Every other id naming the same vulnerability (record ids and their aliases). */
  readonly aliases: readonly string[];
  /** Upstream ids the records point to (the CVEs a distribution advisory fixes). */
  readonly upstream: readonly string[];
  /** The records that matched this component. */
  readonly records: readonly string[];
  readonly component: ComponentRef;
  /** What was compared: ecosystem, name (source package for distributions) and version. */
  readonly package: PackageTarget;
  readonly severity: Severity;
  readonly score?: number;
  readonly ratings: readonly Rating[];
  readonly fixed: readonly string[];
  readonly lastAffected: readonly string[];
  /**
   * `versions` when only an exact listed version matched (no range evaluated to true); `opinion`
   * when only second opinions report it (no record of ours matched).
   */
  readonly matchedBy: 'range' | 'versions' | 'opinion';
  readonly summary?: string;
  readonly published?: string;
  readonly modified: string;
  /** True when an ignore rule or VEX statement applies (details in `suppression`). */
  readonly suppressed: boolean;
  readonly suppression?: Suppression;
  /**
   * Every scanner that reported it or ruled it out (ours is `artifact-guard`), when second
   * opinions were merged (vuln/imports/merge.ts); absent when our scan was the only source.
   */
  readonly sources?: readonly FindingSource[];
}

/** One scanner's view of a finding: its id for it, its severity, its fix versions and whether it applies. */
export interface FindingSource {
  /** `artifact-guard`, `trivy`, `grype`, `clair`, `amazon-inspector`, or a CycloneDX document's tool. */
  readonly name: string;
  /** The id that source reports it under. */
  readonly id: string;
  readonly severity: Severity;
  readonly fixed: readonly string[];
  /** `not_affected` and `resolved` rule it out; `affected` and `under_investigation` do not. */
  readonly status: 'affected' | 'not_affected' | 'resolved' | 'under_investigation';
  /** The source's own words for its status or ratings (`will_not_fix`, `nvd: high`). */
  readonly detail?: string;
}

export interface ComponentMatches {
  readonly component: ComponentRef;
  readonly target: PackageTarget;
  readonly matches: readonly RecordMatch[];
}

/** Ids that name the same vulnerability as the record. */
export function sameVulnerabilityIds(record: OsvRecord): string[] {
  const mirror = (record.upstream ?? []).filter((u) => record.id.endsWith(`-${u}`));
  return [record.id, ...(record.aliases ?? []), ...mirror];
}

class DisjointSet {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root) as string;
    // Path compression keeps later finds flat.
    let cur = x;
    while (cur !== root) {
      const next = this.parent.get(cur) as string;
      this.parent.set(cur, root);
      cur = next;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** Preference when records merge: a CVE, then a GitHub advisory, then any id (each sorted). */
function preferredId(ids: readonly string[]): string {
  const sorted = [...ids].sort();
  return sorted.find((i) => i.startsWith('CVE-')) ?? sorted.find((i) => i.startsWith('GHSA-')) ?? (sorted[0] as string);
}

interface Group {
  readonly id: string;
  readonly ids: ReadonlySet<string>;
  /** `ids` without `id`, sorted: shared by every finding of the group. */
  readonly aliases: readonly string[];
}

/** Groups every matched record by alias connectivity and names each group. */
function groupRecords(records: Iterable<OsvRecord>): Map<OsvRecord, Group> {
  const dsu = new DisjointSet();
  const all = [...new Set(records)];
  for (const r of all) {
    const ids = sameVulnerabilityIds(r);
    for (const id of ids) dsu.union(r.id, id);
  }
  const members = new Map<string, OsvRecord[]>();
  for (const r of all) {
    const root = dsu.find(r.id);
    const list = members.get(root);
    if (list) list.push(r);
    else members.set(root, [r]);
  }
  const out = new Map<OsvRecord, Group>();
  for (const list of members.values()) {
    const ids = new Set(list.flatMap(sameVulnerabilityIds));
    const id = list.length === 1 ? (list[0] as OsvRecord).id : preferredId([...ids]);
    const group = { id, ids, aliases: [...ids].filter((i) => i !== id).sort() };
    for (const r of list) out.set(r, group);
  }
  return out;
}

function earliest(values: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const v of values) if (v && (best === undefined || Date.parse(v) < Date.parse(best))) best = v;
  return best;
}

function latest(values: readonly string[]): string {
  let best = values[0] as string;
  for (const v of values) if (Date.parse(v) > Date.parse(best)) best = v;
  return best;
}

const uniqueSorted = (values: readonly string[]): string[] => (values.length < 2 ? [...values] : [...new Set(values)].sort());

function findingFor(component: ComponentMatches, group: Group, matches: readonly RecordMatch[]): Finding {
  const first = matches[0] as RecordMatch;
  const single = matches.length === 1;
  const records = single ? [first.record] : matches.map((m) => m.record);
  const ratings = single ? ratingsFor(first.record, first.entries) : dedupeRatings(matches.flatMap((m) => ratingsFor(m.record, m.entries)));
  let score: number | undefined;
  for (const r of ratings) if (r.score !== undefined && (score === undefined || r.score > score)) score = r.score;
  const upstream = records.flatMap((r) => r.upstream ?? []).filter((u) => !group.ids.has(u));
  const summary = records.find((r) => r.id === group.id && r.summary)?.summary ?? records.find((r) => r.summary)?.summary;
  const published = single ? first.record.published : earliest(records.map((r) => r.published));
  // Built field by field: this runs once per finding, tens of thousands of times in a large scan.
  const finding: Mutable<Finding> = {
    id: group.id,
    aliases: group.aliases,
    upstream: uniqueSorted(upstream),
    records: single ? [first.record.id] : uniqueSorted(records.map((r) => r.id)),
    component: component.component,
    package: component.target,
    severity: ratings.length ? maxSeverity(ratings.map((r) => r.severity)) : 'unknown',
    ratings,
    fixed: uniqueSorted(single ? first.fixed : matches.flatMap((m) => m.fixed)),
    lastAffected: uniqueSorted(single ? first.lastAffected : matches.flatMap((m) => m.lastAffected)),
    matchedBy: matches.some((m) => m.via === 'range') ? 'range' : 'versions',
    modified: single ? first.record.modified : latest(records.map((r) => r.modified)),
    suppressed: false,
  };
  if (score !== undefined) finding.score = score;
  if (summary) finding.summary = summary;
  if (published) finding.published = published;
  return finding;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Most severe first, then by id and component, so reports are stable and readable. */
export function compareFindings(a: Finding, b: Finding): number {
  const s = severityRank(b.severity) - severityRank(a.severity);
  if (s !== 0) return s;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  const pa = a.component.purl ?? a.component.bomRef;
  const pb = b.component.purl ?? b.component.bomRef;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

export function buildFindings(components: readonly ComponentMatches[]): Finding[] {
  const groups = groupRecords(components.flatMap((c) => c.matches.map((m) => m.record)));
  const findings: Finding[] = [];
  for (const c of components) {
    const byGroup = new Map<Group, RecordMatch[]>();
    for (const m of c.matches) {
      const g = groups.get(m.record) as Group;
      const list = byGroup.get(g);
      if (list) list.push(m);
      else byGroup.set(g, [m]);
    }
    for (const [group, matches] of byGroup) findings.push(findingFor(c, group, matches));
  }
  return findings.sort(compareFindings);
}
