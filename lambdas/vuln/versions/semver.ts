/**
 * SemVer 2.0.0 precedence (npm, crates.io, Go, Hex, SwiftURL) on top of the `semver` package in
 * strict mode, plus the spellings OSV data and Go module versions use:
 * - short versions, `1.0` → `1.0.0` and `1` → `1.0.0`, keeping a pre-release/build suffix
 *   (`1.0-beta` → `1.0.0-beta`); Go's `v1.2` shorthand is the same rule;
 * - a leading `v` (accepted by `semver` even in strict mode), Go pseudo-versions
 *   (`v0.0.0-20210101000000-abcdef123456` is an ordinary pre-release) and `+incompatible`
 *   (build metadata, ignored for precedence).
 *
 * Pinned: a numeric pre-release identifier above 2^53−1 is refused, because `semver` compares
 * such identifiers as floating-point numbers and would call `1.0.0-9007199254740993` equal to
 * `1.0.0-9007199254740992`.
 *
 * Pub is different (`pubOrdering`): pub_semver also orders build metadata ("Builds always come
 * after no build string") and compares identifiers that parse as Dart ints numerically.
 */
import { type SemVer, parse } from 'semver';
import { defineOrdering, compareStrings } from './internal';

const MAX_LENGTH = 256; // semver's MAX_LENGTH; longer input is rejected before trimming
const SHORT = /^v?(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))?(?=[-+]|$)/;
const NUMERIC = /^[0-9]+$/;

export function parseSemver(input: string): SemVer | undefined {
  if (input.length > MAX_LENGTH) return undefined;
  let version = parse(input, { loose: false });
  if (version === null) {
    // semver trims before matching; do the same before inserting the missing components.
    const trimmed = input.trim();
    const short = SHORT.exec(trimmed);
    if (short === null) return undefined;
    const head = short[0];
    const missing = head.includes('.') ? '.0' : '.0.0';
    version = parse(head + missing + trimmed.slice(head.length), { loose: false });
    if (version === null) return undefined;
  }
  const imprecise = version.prerelease.some(
    (id) => typeof id === 'string' && NUMERIC.test(id) && Number(id) > Number.MAX_SAFE_INTEGER,
  );
  return imprecise ? undefined : version;
}

export const semverOrdering = defineOrdering('SemVer (npm, crates.io, Go, Hex, SwiftURL)', parseSemver, (a, b) => a.compare(b));

// ---------------------------------------------------------------------------------------------
// Pub (pub_semver `Version.compareTo`)

type DartPart = bigint | string;

const INT64_MAX = 2n ** 63n - 1n;
// Dart's int.tryParse (no radix): optional sign, decimal digits or a 0x hexadecimal literal.
const DART_DECIMAL = /^[+-]?[0-9]+$/;
const DART_HEX = /^([+-]?)0[xX]([0-9a-fA-F]+)$/;

/** A pub_semver identifier: an int where Dart's `int.tryParse` gives one, else the string. */
function dartPart(id: string): DartPart | undefined {
  if (DART_DECIMAL.test(id)) {
    const n = BigInt(id);
    // The Dart VM returns null for a decimal literal outside int64: the part stays a string.
    return n > INT64_MAX || n < -INT64_MAX - 1n ? id : n;
  }
  const hex = DART_HEX.exec(id);
  if (hex) {
    const n = BigInt(`0x${hex[2]}`);
    // Hexadecimal literals above int64 wrap in the Dart VM; refuse rather than guess the wrap.
    if (n > INT64_MAX) return undefined;
    return hex[1] === '-' ? -n : n;
  }
  return id;
}

export interface PubVersion {
  readonly semver: SemVer;
  readonly pre: readonly DartPart[];
  readonly build: readonly DartPart[];
}

function parsePub(input: string): PubVersion | undefined {
  const semver = parseSemver(input);
  if (semver === undefined) return undefined;
  const pre = semver.prerelease.map((id) => dartPart(String(id)));
  const build = semver.build.map(dartPart);
  if (pre.includes(undefined) || build.includes(undefined)) return undefined;
  return { semver, pre: pre as DartPart[], build: build as DartPart[] };
}

/** pub_semver `_compareLists`: missing < present, numbers < strings. */
function compareDartLists(a: readonly DartPart[], b: readonly DartPart[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'bigint') return typeof y === 'bigint' ? (x < y ? -1 : 1) : -1;
    if (typeof y === 'bigint') return 1;
    return compareStrings(x, y);
  }
  return 0;
}

function comparePub(a: PubVersion, b: PubVersion): number {
  const main = a.semver.compareMain(b.semver);
  if (main !== 0) return main;
  // Pre-releases always come before no pre-release string; builds always after no build.
  if (a.pre.length === 0 || b.pre.length === 0) {
    if (a.pre.length !== b.pre.length) return a.pre.length === 0 ? 1 : -1;
  } else {
    const pre = compareDartLists(a.pre, b.pre);
    if (pre !== 0) return pre;
  }
  if (a.build.length === 0 || b.build.length === 0) return Math.sign(a.build.length - b.build.length);
  return compareDartLists(a.build, b.build);
}

export const pubOrdering = defineOrdering('pub_semver (Pub)', parsePub, comparePub);
