/**
 * OSV range evaluation, as the schema's `IncludedInRanges` / `BeforeLimits` pseudo-code says
 * (ossf/osv-schema docs/schema.md §Evaluation), with the ecosystem's exact ordering:
 *
 *   if the range has limit events and v is not below one of them → not in this range
 *   vulnerable = false
 *   for evt in sorted(events):   introduced  v >= x → true
 *                                fixed       v >= x → false
 *                                last_affected v > x → false
 *
 * Special values: `"introduced": "0"` sorts before every version and is never handed to the
 * ordering (several orderings place versions below "0", e.g. `0~` or `0.0.0-alpha`); a `limit`
 * containing `*` is infinity. Events at equal versions keep the record's order (a stable sort):
 * the schema leaves ties open, and the record's order is its author's timeline.
 *
 * Any comparison the ordering cannot make throws `UnorderableVersionError`; callers report
 * that component as unorderable instead of guessing either way.
 */
import type { VersionOrdering } from '../versions/ordering';
import { UnorderableVersionError } from '../versions/ordering';
import type { OsvEvent, OsvRange } from './types';
import { eventVersion, isFixed, isIntroduced, isLastAffected, isLimit } from './types';

const MINUS_INFINITY = -1;
const PLUS_INFINITY = 1;

/** -1 for `introduced: "0"`, +1 for a `*` limit, 0 for an ordinary version. */
function special(e: OsvEvent): number {
  if (isIntroduced(e) && e.introduced === '0') return MINUS_INFINITY;
  if (isLimit(e) && e.limit.includes('*')) return PLUS_INFINITY;
  return 0;
}

function compareEvents(a: OsvEvent, b: OsvEvent, ordering: VersionOrdering): number {
  const sa = special(a);
  const sb = special(b);
  if (sa !== 0 || sb !== 0) return sa - sb;
  return ordering.compare(eventVersion(a), eventVersion(b));
}

// Sorted events per range (or the error sorting raised), so that matching thousands of
// components against the same record sorts each range once. A range is always evaluated with
// the same ordering (its type and its package's ecosystem fix it).
const sortedCache = new WeakMap<OsvRange, readonly OsvEvent[] | UnorderableVersionError>();

export function sortedEvents(range: OsvRange, ordering: VersionOrdering): readonly OsvEvent[] {
  let sorted = sortedCache.get(range);
  if (sorted === undefined) {
    try {
      sorted = [...range.events].sort((a, b) => compareEvents(a, b, ordering));
    } catch (err) {
      if (!(err instanceof UnorderableVersionError)) throw err;
      sorted = err;
    }
    sortedCache.set(range, sorted);
  }
  if (sorted instanceof UnorderableVersionError) throw sorted;
  return sorted;
}

// Limit versions per range (almost always none: the schema discourages limits outside GIT).
const limitCache = new WeakMap<OsvRange, readonly string[]>();

/** `BeforeLimits`: true without limit events, else when v is below at least one limit. */
export function beforeLimits(range: OsvRange, version: string, ordering: VersionOrdering): boolean {
  let limits = limitCache.get(range);
  if (!limits) {
    limits = range.events.filter(isLimit).map((e) => e.limit);
    limitCache.set(range, limits);
  }
  if (!limits.length) return true;
  return limits.some((l) => l.includes('*') || ordering.compare(version, l) < 0);
}

/** Whether `version` lies in the range (`IncludedInRanges` for one range). */
export function inRange(range: OsvRange, version: string, ordering: VersionOrdering): boolean {
  // Checked first so that an invalid component version is reported even for a range whose
  // only event is `introduced: "0"` (which would otherwise never consult the ordering).
  if (!ordering.isValid(version)) throw new UnorderableVersionError(ordering.name, version);
  if (!beforeLimits(range, version, ordering)) return false;
  let vulnerable = false;
  // The kind checks are written inline (not the type guards of ./types): this loop is the
  // innermost of a scan.
  for (const e of sortedEvents(range, ordering)) {
    if ('introduced' in e) {
      if (e.introduced === '0' || ordering.compare(version, e.introduced) >= 0) vulnerable = true;
    } else if ('fixed' in e) {
      if (ordering.compare(version, e.fixed) >= 0) vulnerable = false;
    } else if ('last_affected' in e) {
      if (ordering.compare(version, e.last_affected) > 0) vulnerable = false;
    }
  }
  return vulnerable;
}

/**
 * The versions that end the vulnerability for `version` in this range: the lowest `fixed`
 * above it, and the lowest `last_affected` at or above it (for ranges that only know that).
 * When the component version cannot be ordered (a match through the `versions` list), every
 * fixed version of the range is returned: which branch applies is unknowable.
 */
export function remedies(range: OsvRange, version: string, ordering: VersionOrdering | undefined): { fixed: string[]; lastAffected: string[] } {
  if (!ordering || !ordering.isValid(version)) {
    return { fixed: range.events.filter(isFixed).map((e) => e.fixed), lastAffected: range.events.filter(isLastAffected).map((e) => e.last_affected) };
  }
  const lowest = (current: string | undefined, candidate: string, inclusive: boolean): string | undefined => {
    if (!ordering.isValid(candidate)) return current;
    const c = ordering.compare(candidate, version);
    if (c < 0 || (c === 0 && !inclusive)) return current;
    return current === undefined || ordering.compare(candidate, current) < 0 ? candidate : current;
  };
  let fixed: string | undefined;
  let lastAffected: string | undefined;
  for (const e of range.events) {
    if (isFixed(e)) fixed = lowest(fixed, e.fixed, false);
    else if (isLastAffected(e)) lastAffected = lowest(lastAffected, e.last_affected, true);
  }
  return { fixed: fixed === undefined ? [] : [fixed], lastAffected: lastAffected === undefined ? [] : [lastAffected] };
}
