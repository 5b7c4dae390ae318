/**
 * Shape checks for OSV records read from files or the API. Data comes from many databases
 * and converters; one bad record must not stop a scan, but neither may a malformed one be
 * half-used (an event with two kinds, a range without `introduced`). `parseOsvRecord` either
 * returns the record, checked in every field the scanner reads, or throws `MalformedRecordError`
 * with the reason; loaders turn that into a warning naming the file and skip the record.
 */
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord, OsvSeverity } from './types';
import { isFixed, isIntroduced, isLastAffected } from './types';

export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, what: string): never {
  throw new MalformedRecordError(`${path} ${what}`);
}

function optionalString(o: Obj, key: string, path: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string') fail(`${path}${key}`, 'is not a string');
}

function optionalStrings(o: Obj, key: string, path: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`${path}${key}`, 'is not a list of strings');
}

function optionalObject(o: Obj, key: string, path: string): void {
  if (o[key] !== undefined && o[key] !== null && !isObject(o[key])) fail(`${path}${key}`, 'is not an object');
}

/** RFC 3339, as the schema requires for `modified` and `withdrawn`. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `modified` picks the copy of a record that wins and `withdrawn` takes a record out of every
 * scan: a value that is not a time must not do either.
 */
function timestamp(o: Obj, key: string, required: boolean): void {
  const v = o[key];
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || !TIMESTAMP.test(v) || !Number.isFinite(Date.parse(v))) fail(key, v === undefined ? 'is missing' : 'is not an RFC 3339 time');
}

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function checkEvent(e: unknown, path: string): asserts e is OsvEvent {
  if (!isObject(e)) fail(path, 'is not an object');
  const kinds = EVENT_KINDS.filter((k) => e[k] !== undefined);
  // The schema: "Only a single type ... is allowed in each event object."
  if (kinds.length !== 1) fail(path, `must have exactly one of ${EVENT_KINDS.join(', ')}`);
  const value = e[kinds[0] as string];
  if (typeof value !== 'string' || value === '') fail(`${path}.${kinds[0]}`, 'is not a non-empty string');
}

function checkRange(r: unknown, path: string): asserts r is OsvRange {
  if (!isObject(r)) fail(path, 'is not an object');
  if (typeof r.type !== 'string') fail(`${path}.type`, 'is missing');
  optionalString(r, 'repo', `${path}.`);
  if (!Array.isArray(r.events)) fail(`${path}.events`, 'is not a list');
  r.events.forEach((e, i) => checkEvent(e, `${path}.events[${i}]`));
  // Every range needs a start; without one the evaluation would silently say "never affected".
  const events = r.events as OsvEvent[]; // each one checked just above
  if (!events.some(isIntroduced)) fail(`${path}.events`, 'has no introduced event');
  const hasFixed = events.some(isFixed);
  const hasLast = events.some(isLastAffected);
  if (hasFixed && hasLast) fail(`${path}.events`, 'mixes fixed and last_affected');
}

function checkSeverities(v: unknown, path: string): asserts v is OsvSeverity[] | undefined {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) fail(path, 'is not a list');
  v.forEach((s, i) => {
    if (!isObject(s) || typeof s.type !== 'string' || typeof s.score !== 'string') fail(`${path}[${i}]`, 'needs string type and score');
  });
}

function checkAffected(a: unknown, path: string): asserts a is OsvAffected {
  if (!isObject(a)) fail(path, 'is not an object');
  const pkg = a.package;
  // The schema lets `package` be absent for GIT-only entries (ranges carry the repo); such
  // entries name no package and cannot match a component, so they are dropped, not fatal.
  if (pkg !== undefined) {
    if (!isObject(pkg)) fail(`${path}.package`, 'is not an object');
    if (typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string') fail(`${path}.package`, 'needs string ecosystem and name');
    optionalString(pkg, 'purl', `${path}.package.`);
  }
  checkSeverities(a.severity, `${path}.severity`);
  if (a.ranges !== undefined && a.ranges !== null) {
    if (!Array.isArray(a.ranges)) fail(`${path}.ranges`, 'is not a list');
    a.ranges.forEach((r, i) => checkRange(r, `${path}.ranges[${i}]`));
  }
  optionalStrings(a, 'versions', `${path}.`);
  optionalObject(a, 'ecosystem_specific', `${path}.`);
  optionalObject(a, 'database_specific', `${path}.`);
}

/** Checks a parsed JSON value and returns it as an OSV record (extra fields kept). */
export function parseOsvRecord(value: unknown): OsvRecord {
  if (!isObject(value)) fail('record', 'is not a JSON object');
  if (typeof value.id !== 'string' || value.id === '') fail('id', 'is missing');
  timestamp(value, 'modified', true);
  timestamp(value, 'withdrawn', false);
  for (const key of ['published', 'summary', 'details']) optionalString(value, key, '');
  for (const key of ['aliases', 'upstream', 'related']) optionalStrings(value, key, '');
  checkSeverities(value.severity, 'severity');
  optionalObject(value, 'database_specific', '');
  if (value.references !== undefined && value.references !== null) {
    if (!Array.isArray(value.references)) fail('references', 'is not a list');
    value.references.forEach((r, i) => {
      if (!isObject(r) || typeof r.url !== 'string' || typeof r.type !== 'string') fail(`references[${i}]`, 'needs string type and url');
    });
  }
  if (value.affected !== undefined && value.affected !== null) {
    if (!Array.isArray(value.affected)) fail('affected', 'is not a list');
    value.affected.forEach((a, i) => checkAffected(a, `affected[${i}]`));
    // Every entry was checked by checkAffected; those without a package are left out.
    const named = (value.affected as OsvAffected[]).filter((a) => a.package !== undefined);
    if (named.length !== value.affected.length) return { ...(value as unknown as OsvRecord), affected: named };
  }
  // Every field OsvRecord declares was checked above; the others stay, unchecked and unused.
  return value as unknown as OsvRecord;
}

/** Parses JSON text as an OSV record; both JSON and shape errors become `MalformedRecordError`. */
export function parseOsvJson(text: string | Buffer): OsvRecord {
  let value: unknown;
  try {
    value = JSON.parse(text.toString());
  } catch (err) {
    throw new MalformedRecordError(`not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseOsvRecord(value);
}
