/**
 * Debian/Ubuntu version ordering, transcribed from dpkg 1.21 (`lib/dpkg/parsehelp.c`
 * `parseversion`, `lib/dpkg/version.c` `order`/`verrevcmp`/`dpkg_version_compare`).
 *
 * Validity: a version is valid when `dpkg --compare-versions` accepts it without a
 * "bad syntax" diagnostic. dpkg rejects some strings outright (error) and merely warns about
 * others (upstream not starting with a digit, characters outside Debian Policy's set) while
 * still ordering them; both kinds are invalid here, because Policy forbids them and an OSV
 * record or SBOM carrying one is not a Debian version we can vouch for.
 */
import { defineOrdering, stripZeros, compareDigits } from './internal';

export interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

const HAS_BLANK = /[ \t]/;
// The epoch is read with strtol(…, 10): it skips C isspace, accepts a sign, and must end
// exactly at the colon. Space and tab cannot occur here (trimmed / rejected as embedded).
const EPOCH = /^[\n\v\f\r]*([+-]?)([0-9]+)$/;
const INT_MAX = '2147483647';
// Debian Policy character sets, as enforced by dpkg's strict check.
const UPSTREAM = /^[0-9][0-9A-Za-z.+~:-]*$/;
const REVISION = /^[0-9A-Za-z.+~]*$/;

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

export function parseDpkgVersion(input: string): DpkgVersion | undefined {
  // Leading/trailing blanks are trimmed by dpkg (C isblank: space and tab only).
  let start = 0;
  let end = input.length;
  while (start < end && isBlank(input.charCodeAt(start))) start++;
  while (end > start && isBlank(input.charCodeAt(end - 1))) end--;
  const s = input.slice(start, end);
  if (s === '' || HAS_BLANK.test(s)) return undefined;

  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const [, sign, number] = EPOCH.exec(s.slice(0, colon)) ?? [];
    if (number === undefined) return undefined;
    const digits = stripZeros(number);
    if (sign === '-' && digits !== '0') return undefined; // "epoch in version is negative"
    if (compareDigits(digits, INT_MAX) > 0) return undefined; // "epoch in version is too big"
    epoch = Number(digits);
    rest = s.slice(colon + 1);
    if (rest === '') return undefined; // "nothing after colon in version number"
  }

  // The revision is whatever follows the *last* hyphen; upstream may contain hyphens.
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') return undefined; // "revision number is empty"
  // UPSTREAM also rejects an empty upstream ("version number is empty").
  if (!UPSTREAM.test(upstream) || !REVISION.test(revision)) return undefined;
  return { epoch, upstream, revision };
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** dpkg's `order`: `~` < end of string < letters < everything else; digits never get here. */
function order(c: number): number {
  if (c === 0 || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1;
  return c + 256;
}

/** The character code at `i`, or 0 past the end: C's terminating NUL. */
const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : 0);

/** dpkg's `verrevcmp`: alternating non-digit and digit runs; `0` stands for end of string. */
export function verrevcmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let ca = at(a, i);
    let cb = at(b, j);
    while ((ca !== 0 && !isDigit(ca)) || (cb !== 0 && !isDigit(cb))) {
      const diff = order(ca) - order(cb);
      if (diff !== 0) return diff;
      ca = at(a, ++i);
      cb = at(b, ++j);
    }
    while (at(a, i) === 0x30) i++;
    while (at(b, j) === 0x30) j++;
    let firstDiff = 0;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export function compareDpkgVersions(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const dpkgOrdering = defineOrdering('dpkg (Debian, Ubuntu)', parseDpkgVersion, compareDpkgVersions);
