/**
 * PyPI (PEP 440) ordering, transcribed from pypa/packaging 26 `packaging/version.py`
 * (`VERSION_PATTERN`, `_parse_letter_version`, `_parse_local_version`, `_cmpkey`).
 *
 * Written rather than built on `@renovatebot/pep440` 4.2.4, which is not exact against
 * packaging 26: it rejects versions with surrounding whitespace that packaging accepts
 * (`" 1.0"`, `"1.0\n"`), and it compares numbers as JS numbers, so `99999999999999999999.0`
 * and `99999999999999999998.0` come out equal. Numbers here are compared as digit strings.
 */
import { defineOrdering, compareDigits, compareStrings, stripZeros } from './internal';

interface LocalSegment {
  readonly numeric: boolean;
  /** Digits without leading zeros when numeric, else the lowercased string. */
  readonly value: string;
}

export interface Pep440Version {
  readonly epoch: string;
  /** Release numbers with trailing zeros removed, so that 1.0 == 1.0.0 == 1. */
  readonly release: readonly string[];
  /** −1 dev-only release, 0 a, 1 b, 2 rc, 3 no pre-release. */
  readonly preRank: number;
  readonly preN: string;
  readonly postRank: number;
  readonly postN: string;
  /** 0 with a dev segment (sorts first), 1 without. */
  readonly devRank: number;
  readonly devN: string;
  readonly local: readonly LocalSegment[] | undefined;
}

// Python's `\s` on str patterns is exactly `str.isspace()`; JS `\s` differs (it lacks
// U+001C–U+001F and U+0085, and adds U+FEFF), so the class is spelled out.
const WS = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

// packaging's VERSION_PATTERN, anchored like `Version._regex.fullmatch` (surrounding `\s*`,
// IGNORECASE). The version body is ASCII-only there (`(?a:…)`); a JS `i` regex without the `u`
// flag never case-folds a non-ASCII character onto ASCII, which matches that. packaging 26's
// possessive quantifiers accept the same strings: nothing after each possessive group can start
// with what the group would give back.
const VERSION = new RegExp(
  `^${WS}*v?` +
    '(?:([0-9]+)!)?' + // epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' + // pre-release
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' + // post-release (implicit "-N" or spelled)
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' + // dev release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local version
    `${WS}*$`,
  'i',
);
const LOCAL_SEPARATORS = /[-_.]/;
const ALL_DIGITS = /^[0-9]+$/;

const PRE_RANK: Readonly<Record<string, number>> = {
  a: 0, alpha: 0, b: 1, beta: 1, c: 2, pre: 2, preview: 2, rc: 2,
};

export function parsePep440(input: string): Pep440Version | undefined {
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = VERSION.exec(input) ?? [];
  if (release === undefined) return undefined;

  const numbers = release.split('.').map(stripZeros);
  let end = numbers.length;
  while (end > 0 && numbers[end - 1] === '0') end--;

  const hasPost = postN1 !== undefined || postL !== undefined;
  const hasDev = devL !== undefined;
  let preRank = 3;
  if (preL !== undefined) {
    const rank = PRE_RANK[preL.toLowerCase()];
    if (rank === undefined) return undefined; // the pattern admits only the labels PRE_RANK ranks
    preRank = rank;
  } else if (!hasPost && hasDev) preRank = -1;

  return {
    epoch: epoch === undefined ? '0' : stripZeros(epoch),
    release: numbers.slice(0, end),
    preRank,
    preN: preN === undefined ? '0' : stripZeros(preN),
    postRank: hasPost ? 1 : 0,
    postN: stripZeros(postN1 ?? postN2 ?? '0'),
    devRank: hasDev ? 0 : 1,
    devN: devN === undefined ? '0' : stripZeros(devN),
    local: local?.split(LOCAL_SEPARATORS).map((part) =>
      ALL_DIGITS.test(part) ? { numeric: true, value: stripZeros(part) } : { numeric: false, value: part.toLowerCase() },
    ),
  };
}

function compareLists<T extends object | string>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): number {
  for (const [i, x] of a.entries()) {
    const y = b[i];
    if (y === undefined) break;
    const c = compare(x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

// packaging keys local segments as (n, "") for numbers and (-1, s) for strings: any string
// sorts before any number, strings compare as str, numbers numerically.
function compareLocalSegments(a: LocalSegment, b: LocalSegment): number {
  if (a.numeric !== b.numeric) return a.numeric ? 1 : -1;
  return a.numeric ? compareDigits(a.value, b.value) : compareStrings(a.value, b.value);
}

export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareLists(a.release, b.release, compareDigits) ||
    a.preRank - b.preRank ||
    compareDigits(a.preN, b.preN) ||
    a.postRank - b.postRank ||
    compareDigits(a.postN, b.postN) ||
    a.devRank - b.devRank ||
    compareDigits(a.devN, b.devN) ||
    (a.local === undefined || b.local === undefined
      ? Number(a.local !== undefined) - Number(b.local !== undefined)
      : compareLists(a.local, b.local, compareLocalSegments))
  );
}

export const pep440Ordering = defineOrdering('PEP 440 (PyPI)', parsePep440, comparePep440);
