/**
 * Severity of a finding. CVSS vectors are scored with ae-cvss-calculator (FIRST's formulas for
 * v2, v3.0, v3.1 and v4.0) and banded as their specifications say; records without a vector
 * fall back to the severity words their databases write (GitHub's `database_specific.severity`,
 * Ubuntu priorities, Debian tracker urgencies). A finding's severity is the highest of its
 * ratings: when sources disagree, the scan errs toward telling people.
 */
import { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } from 'ae-cvss-calculator';
import type { JsonObject, OsvAffected, OsvRecord, OsvSeverity } from './osv/types';
import { ownEntry } from '../core/own-entry';

/** CycloneDX 1.6 severity values, lowest rank first (`unknown` ranks below every known level). */
export const SEVERITIES = ['none', 'unknown', 'info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: ReadonlyMap<Severity, number> = new Map(SEVERITIES.map((s, i) => [s, i]));
export const severityRank = (s: Severity): number => RANK.get(s) ?? 0;

export function maxSeverity(values: Iterable<Severity>): Severity {
  let best: Severity = 'unknown';
  let seen = false;
  for (const v of values) {
    if (!seen || severityRank(v) > severityRank(best)) best = v;
    seen = true;
  }
  return best;
}

/** CycloneDX `ratings[].method` values. */
export type RatingMethod = 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'other';

export interface Rating {
  /** Where the rating comes from: the record id, and the field when it is not `severity[]`. */
  readonly source: string;
  readonly method: RatingMethod;
  readonly severity: Severity;
  readonly score?: number;
  readonly vector?: string;
}

// Base metrics every vector must carry; the calculator scores a partial vector as 0.0 instead
// of refusing it, so completeness is checked here.
const REQUIRED = {
  CVSSv2: ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  CVSSv3: ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  CVSSv31: ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  CVSSv4: ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
} as const;

function hasBaseMetrics(method: keyof typeof REQUIRED, metrics: string): boolean {
  const seen = new Set<string>();
  for (const part of metrics.split('/')) {
    const metric = /^([A-Za-z]+):([A-Za-z0-9]+)$/.exec(part)?.[1];
    if (metric === undefined || seen.has(metric)) return false;
    seen.add(metric);
  }
  return REQUIRED[method].every((k) => seen.has(k));
}

/** CVSS v3.x and v4.0 qualitative bands (v3.1 spec §5, v4.0 spec §6): 0.0 none … 9.0+ critical. */
export function cvssBand(score: number): Severity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** CVSS v2 defines no bands; NVD's are the convention: 0–3.9 low, 4–6.9 medium, 7–10 high. */
export function cvss2Band(score: number): Severity {
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  return 'high';
}

/**
 * Scores a CVSS vector (`CVSS:3.1/…`, `CVSS:3.0/…`, `CVSS:4.0/…`, or a bare or `CVSS:2.0/`
 * v2 vector). The score covers every metric group the vector carries (a v3 vector with temporal
 * metrics yields its temporal score, as the specification's "final" score). Undefined when the
 * vector is not a complete, valid vector of a known version.
 */
export function scoreCvss(vector: string, source: string): Rating | undefined {
  // Scoring parses the vector through the calculator's metric tables; a scan meets the same
  // few hundred vectors thousands of times, so each distinct vector is scored once.
  let scored = scoreCache.get(vector);
  if (scored === undefined) {
    scored = scoreVector(vector) ?? null;
    if (scoreCache.size >= 4096) scoreCache.clear();
    scoreCache.set(vector, scored);
  }
  return scored ? { source, ...scored } : undefined;
}

const scoreCache = new Map<string, Omit<Rating, 'source'> | null>();

function scoreVector(vector: string): Omit<Rating, 'source'> | undefined {
  const v = vector.trim();
  let method: keyof typeof REQUIRED;
  let metrics: string;
  let calc: { calculateScores(): { overall?: number } };
  try {
    if (v.startsWith('CVSS:4.0/')) {
      method = 'CVSSv4';
      metrics = v.slice(9);
      if (!hasBaseMetrics(method, metrics)) return undefined;
      calc = new Cvss4P0(v);
    } else if (v.startsWith('CVSS:3.1/') || v.startsWith('CVSS:3.0/')) {
      method = v.startsWith('CVSS:3.1/') ? 'CVSSv31' : 'CVSSv3';
      metrics = v.slice(9);
      if (!hasBaseMetrics(method, metrics)) return undefined;
      calc = method === 'CVSSv31' ? new Cvss3P1(v) : new Cvss3P0(v);
    } else {
      method = 'CVSSv2';
      metrics = v.replace(/^\((.*)\)$/, '$1').replace(/^CVSS:2\.0\//, '');
      if (!hasBaseMetrics(method, metrics)) return undefined;
      calc = new Cvss2(metrics);
    }
    const score = calc.calculateScores().overall;
    if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    return { method, score, severity: method === 'CVSSv2' ? cvss2Band(score) : cvssBand(score), vector: v };
  } catch {
    // The calculator throws on unknown metric values ("AV:Q"): not a vector we can vouch for.
    return undefined;
  }
}

// Severity words as databases write them: GitHub (LOW, MODERATE, HIGH, CRITICAL), Ubuntu
// priorities (negligible … critical, untriaged), Debian tracker urgencies (unimportant … high,
// "not yet assigned"), and plain CVSS band names.
const WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical', high: 'high', important: 'high', moderate: 'medium', medium: 'medium', low: 'low',
  negligible: 'info', unimportant: 'info', info: 'info', informational: 'info', none: 'none',
  untriaged: 'unknown', unknown: 'unknown', 'not yet assigned': 'unknown',
};

export function severityWord(word: string): Severity | undefined {
  return ownEntry(WORDS, word.trim().toLowerCase());
}

function fromSeverityList(list: readonly OsvSeverity[] | undefined, source: string): Rating[] {
  const out: Rating[] = [];
  for (const s of list ?? []) {
    if (s.type === 'CVSS_V2' || s.type === 'CVSS_V3' || s.type === 'CVSS_V4') {
      const r = scoreCvss(s.score, source);
      if (r) out.push(r);
    } else if (s.type === 'Ubuntu') {
      const severity = severityWord(s.score);
      if (severity) out.push({ source: `${source} (Ubuntu priority)`, method: 'other', severity });
    }
  }
  return out;
}

function fromObject(obj: JsonObject | undefined, source: string): Rating[] {
  if (!obj) return [];
  const out: Rating[] = [];
  for (const field of ['severity', 'urgency'] as const) {
    const value = obj[field];
    const severity = typeof value === 'string' ? severityWord(value) : undefined;
    if (severity) out.push({ source: `${source} (${field})`, method: 'other', severity });
  }
  // RustSec puts its CVSS vector in affected[].database_specific.cvss.
  if (typeof obj.cvss === 'string') {
    const r = scoreCvss(obj.cvss, source);
    if (r) out.push(r);
  }
  return out;
}

/**
 * Every rating a record gives the matched package: CVSS vectors first (top-level, then the
 * matched entries'), then the databases' own words. Duplicates (same method and vector, or same
 * word) are dropped so a vector repeated in `database_specific` does not count twice.
 */
export function ratingsFor(record: OsvRecord, entries: readonly OsvAffected[]): Rating[] {
  if (entries.length === 1) return entryRatings(record, entries[0] as OsvAffected);
  return dedupeRatings(entries.flatMap((e) => entryRatings(record, e)));
}

/**
 * Every rating a record gives, whichever package it names: for a record found through an
 * alias, whose affected entries describe other packages than the one that matched.
 */
export function allRatings(record: OsvRecord): Rating[] {
  const entries = record.affected ?? [];
  if (entries.length) return ratingsFor(record, entries);
  const own = recordRatings(record);
  return dedupeRatings([...own.vectors, ...own.words]);
}

// A record's ratings are the same for every component it matches: computed once per record
// and per affected entry (records are immutable once loaded).
const recordCache = new WeakMap<OsvRecord, { vectors: Rating[]; words: Rating[] }>();
const entryCache = new WeakMap<OsvAffected, Rating[]>();

function recordRatings(record: OsvRecord): { vectors: Rating[]; words: Rating[] } {
  let r = recordCache.get(record);
  if (!r) {
    r = { vectors: fromSeverityList(record.severity, record.id), words: fromObject(record.database_specific, `${record.id} database_specific`) };
    recordCache.set(record, r);
  }
  return r;
}

/** The record's ratings as they apply to one affected entry (top-level ones included). */
function entryRatings(record: OsvRecord, entry: OsvAffected): Rating[] {
  let r = entryCache.get(entry);
  if (!r) {
    const own = recordRatings(record);
    r = dedupeRatings([
      ...own.vectors,
      ...fromSeverityList(entry.severity, record.id),
      ...own.words,
      ...fromObject(entry.ecosystem_specific, `${record.id} ecosystem_specific`),
      ...fromObject(entry.database_specific, `${record.id} database_specific`),
    ]);
    entryCache.set(entry, r);
  }
  return r;
}

/** Drops repeated ratings: the same vector from any source, or the same word from one source. */
export function dedupeRatings(ratings: readonly Rating[]): Rating[] {
  const seen = new Set<string>();
  return ratings.filter((r) => {
    const key = r.vector ? `${r.method}|${r.vector}` : `${r.source}|${r.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
