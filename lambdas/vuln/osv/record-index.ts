/**
 * OSV records indexed by (ecosystem key, normalised package name), built once per data set so
 * that matching a component is a map lookup, not a walk over every record. Withdrawn records
 * are counted but not indexed: the schema says a withdrawn entry no longer applies.
 */
import { lookupKeys, packageKey } from './ecosystems';
import { recordPurlPackage } from './purl-target';
import type { OsvAffected, OsvRecord } from './types';

export interface IndexedEntry {
  readonly record: OsvRecord;
  readonly affected: OsvAffected;
}

// Index keys per affected entry. Every scan builds a small index over the records its source
// returned, and an offline source returns the same record objects each time: their keys
// (name normalisation, purl parsing) are computed once.
const keyCache = new WeakMap<OsvAffected, readonly string[]>();

function entryKeys(affected: OsvAffected): readonly string[] {
  let keys = keyCache.get(affected);
  if (!keys) {
    const set = new Set([packageKey(affected.package.ecosystem, affected.package.name)]);
    const viaPurl = affected.package.purl ? recordPurlPackage(affected.package.purl) : undefined;
    if (viaPurl) set.add(packageKey(viaPurl.ecosystem, viaPurl.name));
    keys = [...set];
    keyCache.set(affected, keys);
  }
  return keys;
}

export class OsvIndex {
  private readonly byKey = new Map<string, IndexedEntry[]>();
  private count = 0;
  private withdrawnCount = 0;
  private newest: string | undefined;
  private newestTime = -Infinity;

  static build(records: Iterable<OsvRecord>): OsvIndex {
    const index = new OsvIndex();
    for (const r of records) index.add(r);
    return index;
  }

  /** Adds one record; callers dedupe ids first (`latestById`). */
  add(record: OsvRecord): void {
    this.count += 1;
    const t = Date.parse(record.modified);
    if (t > this.newestTime) {
      this.newestTime = t;
      this.newest = record.modified;
    }
    if (record.withdrawn) {
      this.withdrawnCount += 1;
      return;
    }
    for (const affected of record.affected ?? []) {
      for (const key of entryKeys(affected)) {
        const list = this.byKey.get(key);
        if (list) list.push({ record, affected });
        else this.byKey.set(key, [{ record, affected }]);
      }
    }
  }

  /** Affected entries naming this package (each entry once, whichever keys found it). */
  entriesFor(ecosystem: string, name: string): readonly IndexedEntry[] {
    const keys = lookupKeys(ecosystem, name);
    if (keys.length === 1) return this.byKey.get(keys[0] as string) ?? [];
    const seen = new Set<OsvAffected>();
    const out: IndexedEntry[] = [];
    for (const key of keys) {
      for (const e of this.byKey.get(key) ?? []) {
        if (!seen.has(e.affected)) {
          seen.add(e.affected);
          out.push(e);
        }
      }
    }
    return out;
  }

  /** Records with at least one entry naming this package. */
  recordsFor(ecosystem: string, name: string): OsvRecord[] {
    return [...new Set(this.entriesFor(ecosystem, name).map((e) => e.record))];
  }

  get recordCount(): number {
    return this.count;
  }

  get withdrawn(): number {
    return this.withdrawnCount;
  }

  /** The newest `modified` time among the records, as written in the record. */
  get newestModified(): string | undefined {
    return this.newest;
  }
}

/**
 * Keeps one record per id, the most recently modified: a directory holding two copies (an old
 * export next to a new one) must not report a vulnerability twice or with stale ranges.
 */
export function latestById(records: Iterable<OsvRecord>, onDuplicate?: (id: string) => void): OsvRecord[] {
  const byId = new Map<string, OsvRecord>();
  for (const r of records) {
    const prev = byId.get(r.id);
    if (prev) {
      onDuplicate?.(r.id);
      if (!(Date.parse(r.modified) > Date.parse(prev.modified))) continue;
    }
    byId.set(r.id, r);
  }
  return [...byId.values()];
}
