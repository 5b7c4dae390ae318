/**
 * Decides, for one package, which OSV records affect it (`IsVulnerable` of the schema):
 * an affected entry naming the package matches when the version is listed in `versions`
 * (string equality, no ordering needed) or lies in one of its SEMVER / ECOSYSTEM ranges.
 * GIT ranges need a commit graph and are ignored, as the schema allows for version matching.
 *
 * A record whose ranges cannot be evaluated for this version (the component's or the record's
 * version is outside the ordering's grammar, or the ecosystem has no ordering here) and that
 * does not match through `versions` is returned as undecidable, never as "not affected".
 * A component without a version (`''`) is undecidable against every record naming it.
 */
import { orderingFor } from '../versions';
import type { VersionOrdering } from '../versions/ordering';
import { UnorderableVersionError } from '../versions/ordering';
import { semverOrdering } from '../versions/semver';
import type { PackageTarget } from './purl-target';
import { inRange, remedies } from './ranges';
import type { IndexedEntry, OsvIndex } from './record-index';
import type { OsvAffected, OsvRange, OsvRecord } from './types';

export interface RecordMatch {
  readonly record: OsvRecord;
  /** The affected entries that matched (their severities and fixes apply). */
  readonly entries: readonly OsvAffected[];
  /** `versions` when an exact listed version matched and no range did. */
  readonly via: 'range' | 'versions';
  readonly fixed: readonly string[];
  readonly lastAffected: readonly string[];
}

export interface Undecidable {
  readonly recordId: string;
  readonly reason: string;
}

export interface PackageMatches {
  readonly matches: readonly RecordMatch[];
  readonly undecidable: readonly Undecidable[];
}

/** The ordering a range is evaluated with: SemVer for SEMVER ranges, else the ecosystem's. */
export function rangeOrdering(range: OsvRange, affected: OsvAffected): VersionOrdering | undefined {
  if (range.type === 'SEMVER') return semverOrdering;
  if (range.type === 'ECOSYSTEM') return orderingFor(affected.package.ecosystem);
  return undefined;
}

// `versions` lists run to thousands of entries (every Debian upload of a package); each entry's
// list becomes a Set once.
const versionSets = new WeakMap<OsvAffected, ReadonlySet<string>>();

function listed(entry: OsvAffected, version: string): boolean {
  if (!entry.versions?.length) return false;
  let set = versionSets.get(entry);
  if (!set) {
    set = new Set(entry.versions);
    versionSets.set(entry, set);
  }
  return set.has(version);
}

type EntryVerdict = { affected: true; via: 'range' | 'versions' } | { affected: false; undecidable?: string };

function entryVerdict(entry: OsvAffected, version: string): EntryVerdict {
  let undecidable: string | undefined;
  for (const range of entry.ranges ?? []) {
    if (range.type === 'GIT') continue;
    const ordering = rangeOrdering(range, entry);
    if (!ordering) {
      undecidable ??= range.type === 'ECOSYSTEM' ? `no version ordering for ecosystem ${entry.package.ecosystem}` : `unknown range type ${range.type}`;
      continue;
    }
    if (!ordering.isValid(version)) {
      // Decided here rather than by catching inRange's error: building an Error per range
      // and component is the costliest thing a scan of odd versions would do.
      undecidable ??= `version "${version}" cannot be ordered (${ordering.name})`;
      continue;
    }
    try {
      if (inRange(range, version, ordering)) return { affected: true, via: 'range' };
    } catch (err) {
      if (!(err instanceof UnorderableVersionError)) throw err;
      undecidable ??= err.version === version ? `version "${version}" cannot be ordered (${err.ordering})` : `record version "${err.version}" cannot be ordered (${err.ordering})`;
    }
  }
  if (listed(entry, version)) return { affected: true, via: 'versions' };
  return undecidable ? { affected: false, undecidable } : { affected: false };
}

function collectRemedies(entries: readonly OsvAffected[], version: string): { fixed: string[]; lastAffected: string[] } {
  const fixed = new Set<string>();
  const lastAffected = new Set<string>();
  for (const entry of entries) {
    for (const range of entry.ranges ?? []) {
      if (range.type === 'GIT') continue;
      const r = remedies(range, version, rangeOrdering(range, entry));
      r.fixed.forEach((v) => fixed.add(v));
      r.lastAffected.forEach((v) => lastAffected.add(v));
    }
  }
  return { fixed: [...fixed], lastAffected: [...lastAffected] };
}

/** Matches one package against the entries the index holds for it. */
export function matchEntries(entries: readonly IndexedEntry[], target: PackageTarget): PackageMatches {
  const byRecord = new Map<OsvRecord, OsvAffected[]>();
  for (const e of entries) {
    const list = byRecord.get(e.record);
    if (list) list.push(e.affected);
    else byRecord.set(e.record, [e.affected]);
  }
  const matches: RecordMatch[] = [];
  const undecidable: Undecidable[] = [];
  for (const [record, recordEntries] of byRecord) {
    if (record.withdrawn) continue;
    if (target.version === '') {
      undecidable.push({ recordId: record.id, reason: 'the component has no version' });
      continue;
    }
    const hit: OsvAffected[] = [];
    let via: 'range' | 'versions' = 'versions';
    let reason: string | undefined;
    for (const entry of recordEntries) {
      const v = entryVerdict(entry, target.version);
      if (v.affected) {
        hit.push(entry);
        if (v.via === 'range') via = 'range';
      } else if (v.undecidable) reason ??= v.undecidable;
    }
    if (hit.length) matches.push({ record, entries: hit, via, ...collectRemedies(hit, target.version) });
    else if (reason) undecidable.push({ recordId: record.id, reason });
  }
  return { matches, undecidable };
}

export function matchPackage(index: OsvIndex, target: PackageTarget): PackageMatches {
  return matchEntries(index.entriesFor(target.ecosystem, target.name), target);
}
