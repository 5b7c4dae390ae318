/**
 * RubyGems ordering, transcribed from `Gem::Version` (rubygems `lib/rubygems/version.rb`:
 * `ANCHORED_VERSION_PATTERN`, `initialize`, `_segments`, `canonical_segments`, `<=>`).
 *
 * Segments are runs of digits (Integer, arbitrary precision) or letters (String, compared
 * bytewise and case-sensitively); every `-` reads as `.pre.`. Canonical segments drop trailing
 * zeros from the numeric prefix and from the rest separately, so `1.0.0` == `1` and
 * `1.0.a.0` == `1.a`. A string segment sorts before any number, which makes letters pre-releases.
 */
import { defineOrdering, compareDigits, compareStrings, stripZeros } from './internal';

// ANCHORED_VERSION_PATTERN `\A\s*(VERSION)?\s*\z`, written `\s*(?:VERSION\s*)?` (the same strings)
// so that a long run of blanks cannot be split between the two `\s*` in quadratically many ways.
// Ruby's `\s` is ASCII whitespace only.
const ANCHORED =
  /^[ \t\r\n\f\v]*(?:[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?[ \t\r\n\f\v]*)?$/;
const SEGMENT = /[0-9]+|[a-z]+/gi;

/** A segment is either digits without leading zeros (a number) or letters (a string). */
type Segment = string;
const isNumber = (s: Segment): boolean => s.charCodeAt(0) <= 0x39;

export interface GemVersion {
  readonly canonical: readonly Segment[];
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && segments[end - 1] === '0') end--;
  return segments.slice(0, end);
}

export function parseGemVersion(input: string): GemVersion | undefined {
  if (!ANCHORED.test(input)) return undefined;
  // An empty or blank version is "0"; "-" becomes ".pre.", which only adds a "pre" segment.
  const version = input.trim().replaceAll('-', '.pre.');
  const segments = Array.from(version.matchAll(SEGMENT), ([s]) => (isNumber(s) ? stripZeros(s) : s));
  const firstString = segments.findIndex((s) => !isNumber(s));
  const split = firstString === -1 ? segments.length : firstString;
  return {
    canonical: [...dropTrailingZeros(segments.slice(0, split)), ...dropTrailingZeros(segments.slice(split))],
  };
}

export function compareGemVersions(a: GemVersion, b: GemVersion): number {
  const n = Math.max(a.canonical.length, b.canonical.length);
  for (let i = 0; i < n; i++) {
    const l = a.canonical[i] ?? '0';
    const r = b.canonical[i] ?? '0';
    if (l === r) continue;
    const ln = isNumber(l);
    if (ln !== isNumber(r)) return ln ? 1 : -1;
    return ln ? compareDigits(l, r) : compareStrings(l, r);
  }
  return 0;
}

export const rubygemsOrdering = defineOrdering('RubyGems', parseGemVersion, compareGemVersions);
