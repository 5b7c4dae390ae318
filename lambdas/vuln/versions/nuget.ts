/**
 * NuGet ordering, transcribed from NuGet.Client `NuGet.Versioning` (`NuGetVersion.TryParse`,
 * `SemanticVersion.ParseSections`/`IsValidPart`, `VersionComparer.Compare` in Default mode).
 *
 * `1` to `4` numeric parts (missing ones are 0, leading zeros allowed), then `-labels` and
 * `+metadata`. Labels compare one by one: an int-parsable label (.NET `int.TryParse`, so `-1`
 * counts) sorts numerically and before any other label, which compares ordinally ignoring case;
 * fewer labels sort first; no labels sorts after any. Metadata is validated and ignored.
 *
 * Pinned (stricter than NuGet, where its versions disagree or wrap): surrounding whitespace,
 * which NuGet trims, is refused; empty numeric parts (`1..2`, `1.`), which current NuGet.Client
 * reads as 0 and older NuGet (System.Version) rejected, are refused; numeric parts above
 * 2^31−1, which System.Version rejected and the current parser wraps, are refused.
 */
import { defineOrdering, compareStrings } from './internal';

interface Label {
  /** The label's value when .NET `int.TryParse` accepts it. */
  readonly number: number | undefined;
  readonly folded: string;
}

export interface NuGetVersion {
  readonly parts: readonly number[];
  readonly labels: readonly Label[] | undefined;
}

const SECTIONS = /^([0-9]+(?:\.[0-9]+){0,3})(?:-([^+]*))?(?:\+(.*))?$/s;
const PART = /^[0-9A-Za-z-]+$/;
const LEADING_ZERO_NUMBER = /^0[0-9]+$/;
const INT = /^-?[0-9]+$/;
const INT32_MAX = 2 ** 31 - 1;

function parseLabel(label: string): Label | undefined {
  // IsValidPart(allowLeadingZeros: false): non-empty, [0-9A-Za-z-], no "01".
  if (!PART.test(label) || LEADING_ZERO_NUMBER.test(label)) return undefined;
  const n = INT.test(label) ? Number(label) : NaN;
  const number = n >= -INT32_MAX - 1 && n <= INT32_MAX ? n : undefined;
  return { number, folded: label.toLowerCase() };
}

export function parseNuGetVersion(input: string): NuGetVersion | undefined {
  const [, numbers, release, metadata] = SECTIONS.exec(input) ?? [];
  if (numbers === undefined) return undefined;
  const parts = numbers.split('.').map(Number);
  if (parts.some((p) => p > INT32_MAX)) return undefined;
  while (parts.length < 4) parts.push(0);
  if (metadata !== undefined && !metadata.split('.').every((p) => PART.test(p))) return undefined;
  if (release === undefined) return { parts, labels: undefined };
  const labels: Label[] = [];
  for (const part of release.split('.')) {
    const label = parseLabel(part);
    if (label === undefined) return undefined;
    labels.push(label);
  }
  return { parts, labels };
}

function compareLabels(a: Label, b: Label): number {
  if (a.number !== undefined && b.number !== undefined) return a.number - b.number;
  if (a.number !== undefined) return -1; // numeric labels come before alpha labels
  if (b.number !== undefined) return 1;
  // StringComparer.OrdinalIgnoreCase; over [0-9A-Za-z-] folding either way orders the same.
  return compareStrings(a.folded, b.folded);
}

export function compareNuGetVersions(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    // Parsing pads to four parts; a part that is not there is 0 all the same.
    const x = a.parts[i] ?? 0;
    const y = b.parts[i] ?? 0;
    if (x !== y) return x - y;
  }
  if (a.labels === undefined || b.labels === undefined) {
    return Number(a.labels === undefined) - Number(b.labels === undefined);
  }
  for (let i = 0; ; i++) {
    const x = a.labels[i];
    const y = b.labels[i];
    // Equal so far: the side with more labels is newer; neither has more, they are equal.
    if (x === undefined || y === undefined) return Number(x !== undefined) - Number(y !== undefined);
    const c = compareLabels(x, y);
    if (c !== 0) return c;
  }
}

export const nugetOrdering = defineOrdering('NuGet', parseNuGetVersion, compareNuGetVersions);
