/**
 * Severity for findings whose own records rate nothing. Distribution records rarely carry a
 * severity (no Debian OSV record does), while another record of the same vulnerability often
 * does: the CVE's own record, a GitHub or PyPA advisory for the upstream package. Those are
 * looked up by the finding's id and aliases, and their ratings are added with their origin
 * (`<record id> via alias <id>`), so a reader sees where the severity came from.
 */
import type { VulnerabilitySource } from './vulnerability-source';
import { sameVulnerabilityIds, type Finding } from './findings';
import type { OsvRecord } from './osv/types';
import type { Rating } from './severity';
import { allRatings, dedupeRatings, maxSeverity } from './severity';

/** The ids that may name other records of the finding's vulnerability (its own records excluded: they rated nothing). */
function lookupIds(f: Finding): string[] {
  const own = new Set(f.records);
  return [f.id, ...f.aliases].filter((id) => !own.has(id));
}

/** The returned records by every id that names them, so each finding looks up only its own ids. */
function byName(records: readonly OsvRecord[]): Map<string, OsvRecord[]> {
  const out = new Map<string, OsvRecord[]>();
  for (const record of records) {
    if (record.withdrawn) continue;
    for (const id of new Set(sameVulnerabilityIds(record))) {
      const list = out.get(id);
      if (list) list.push(record);
      else out.set(id, [record]);
    }
  }
  return out;
}

function aliasRatings(f: Finding, named: ReadonlyMap<string, readonly OsvRecord[]>): Rating[] {
  const own = new Set(f.records);
  const seen = new Set<OsvRecord>();
  const out: Rating[] = [];
  // Ids in the finding's order (its id first), so each record is credited to the first id that names it.
  for (const via of lookupIds(f)) {
    for (const record of named.get(via) ?? []) {
      if (own.has(record.id) || seen.has(record)) continue;
      seen.add(record);
      for (const r of allRatings(record)) out.push({ ...r, source: `${record.id} via alias ${via}` });
    }
  }
  return dedupeRatings(out);
}

function rated(f: Finding, extra: readonly Rating[]): Finding {
  const ratings = [...f.ratings, ...extra];
  let score = f.score;
  for (const r of extra) if (r.score !== undefined && (score === undefined || r.score > score)) score = r.score;
  return { ...f, ratings, severity: maxSeverity(ratings.map((r) => r.severity)), ...(score !== undefined ? { score } : {}) };
}

/** The findings, those of unknown severity rated from other records of their vulnerability where the data has any. */
export async function rateFromAliases(findings: readonly Finding[], source: VulnerabilitySource): Promise<Finding[]> {
  const unknown = findings.filter((f) => f.severity === 'unknown');
  const ids = [...new Set(unknown.flatMap(lookupIds))];
  if (!ids.length) return [...findings];
  const named = byName(await source.recordsById(ids));
  if (!named.size) return [...findings];
  return findings.map((f) => {
    if (f.severity !== 'unknown') return f;
    const extra = aliasRatings(f, named);
    return extra.length ? rated(f, extra) : f;
  });
}
