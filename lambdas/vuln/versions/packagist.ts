/**
 * Packagist (Composer) ordering: `Composer\Semver\VersionParser::normalize` (composer/semver
 * `src/VersionParser.php`), then PHP's `version_compare` (php-src `ext/standard/versioning.c`:
 * `php_canonicalize_version`, `compare_special_version_forms`, `php_version_compare`) on the
 * normalised strings, which is what Composer's `Comparator`/`Constraint::versionCompare` does.
 *
 * normalize: trims, drops `as` aliases, `@stability` flags and `+build` metadata, strips `v`,
 * pads to four numbers (`1.2` → `1.2.0.0`), keeps date versions (`2010-01-02` → `2010.01.02`),
 * expands `a/b/p/pl/rc` to `alpha/beta/patch/patch/RC` and reads `1.x-dev` as
 * `1.9999999.9999999.9999999-dev`. version_compare orders `dev < alpha < beta < RC < (number)
 * < patch`, by prefix (`patch` counts as `p`), with unknown words (`stable` in `1.0-STABLE`)
 * below `dev`.
 *
 * Refused: branch versions (`dev-main`, `master`), which Composer never orders against
 * versions; strings with control characters (PCRE's newline rules for `$` and `.` would matter);
 * numbers above PHP_INT_MAX, where `strtol` saturates and PHP's answer is arbitrary.
 */
import { defineOrdering, compareDigits, stripZeros } from './internal';

// The originals' possessive `\d++` and `(…)*+` are emulated with `\d+(?!\d)`: a digit run is
// taken whole, as possessively, which also keeps `(?:[.-]?\d+)*` from backtracking
// exponentially over the ways to split a long run of digits.
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+(?!\\d))*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+(?!\\d))?(\\.\\d+(?!\\d))?(\\.\\d+(?!\\d))?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
// Control characters are refused first, so PCRE's ASCII `\s` reduces to a space here.
const ALIAS = /^([^, ]+) +as +([^, ]+)$/;
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)$/i;
const BUILD_METADATA = /^([^, +]+)\+[^ ]+$/;
const DEV_SUFFIX = /^(.*?)[.-]?dev$/i;
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?$/i;
const PHP_TRIM = /^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g;
const NON_DIGIT = /\D/g;
const PHP_INT_MAX = '9223372036854775807';

const STABILITIES: ReadonlyMap<string, string> = new Map([
  ['a', 'alpha'], ['b', 'beta'], ['p', 'patch'], ['pl', 'patch'], ['rc', 'RC'],
]);
const expandStability = (s: string): string => STABILITIES.get(s.toLowerCase()) ?? s.toLowerCase();

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** VersionParser::normalizeBranch, for the numeric branches normalize accepts (`1.x`, `2.1.*`). */
function normalizeNumericBranch(name: string): string | undefined {
  const m = NUMERIC_BRANCH.exec(name.replace(PHP_TRIM, ''));
  if (!m) return undefined;
  const parts = [m[1], m[2] ?? '.x', m[3] ?? '.x', m[4] ?? '.x'];
  return `${parts.join('').replace(/[X*]/g, 'x').replace(/x/g, '9999999')}-dev`;
}

/** VersionParser::normalize; undefined when Composer throws or the result is a branch. */
export function normalizeComposerVersion(input: string): string | undefined {
  let version = input.replace(PHP_TRIM, '');
  if (hasControlCharacter(version)) return undefined;
  version = ALIAS.exec(version)?.[1] ?? version;
  const flag = STABILITY_FLAG.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (['master', 'trunk', 'default'].includes(version) || version.toLowerCase().startsWith('dev-')) {
    return undefined; // a branch: Composer never orders it against versions
  }
  version = BUILD_METADATA.exec(version)?.[1] ?? version;

  const classical = CLASSICAL.exec(version);
  if (classical?.[1] !== undefined) {
    return withModifier(classical[1] + (classical[2] || '.0') + (classical[3] || '.0') + (classical[4] || '.0'), classical, 5);
  }
  const date = DATE.exec(version);
  if (date?.[1] !== undefined) return withModifier(date[1].replace(NON_DIGIT, '.'), date, 2);

  const dev = DEV_SUFFIX.exec(version)?.[1];
  return dev === undefined ? undefined : normalizeNumericBranch(dev);
}

/** The `MODIFIER` groups of a match, from `index` on (stability, its number, `dev`), appended. */
function withModifier(version: string, m: RegExpExecArray, index: number): string {
  const stability = m[index];
  const number = m[index + 1];
  let out = version;
  if (stability) {
    if (stability === 'stable') return out; // case-sensitive, as in Composer
    out += `-${expandStability(stability)}${number ? number.replace(/^[.-]+/, '') : ''}`;
  }
  if (m[index + 2]) out += '-dev';
  return out;
}

// ---------------------------------------------------------------------------------------------
// version_compare

/** A canonicalised component: digits, or a word ranked by compare_special_version_forms. */
interface Component {
  readonly digits: string | undefined;
  readonly rank: number;
}

// compare_special_version_forms matches by prefix, in this order; a number counts as "#" (4).
const SPECIAL_FORMS: ReadonlyArray<readonly [string, number]> = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];
const NUMBER_RANK = 4;

function specialRank(word: string): number {
  for (const [form, rank] of SPECIAL_FORMS) if (word.startsWith(form)) return rank;
  return -1;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** php_canonicalize_version, then split at the dots. */
function canonicalComponents(version: string): Component[] | undefined {
  // charAt, as C's indexing: code units, and '' past either end (never read here).
  let out = version.charAt(0);
  for (let i = 1; i < version.length; i++) {
    const c = version.charAt(i);
    const prev = version.charAt(i - 1);
    const last = out.charAt(out.length - 1);
    if (c === '-' || c === '_' || c === '+') {
      if (last !== '.') out += '.';
    } else if ((prev !== '.' && !isDigit(prev) && isDigit(c)) || (isDigit(prev) && c !== '.' && !isDigit(c))) {
      if (last !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (last !== '.') out += '.';
    } else {
      out += c;
    }
  }
  const components: Component[] = [];
  for (const part of out.split('.')) {
    if (isDigit(part[0] ?? '')) {
      const digits = stripZeros(part);
      if (compareDigits(digits, PHP_INT_MAX) > 0) return undefined; // strtol would saturate
      components.push({ digits, rank: NUMBER_RANK });
    } else {
      components.push({ digits: undefined, rank: specialRank(part) });
    }
  }
  return components;
}

export function parsePackagistVersion(input: string): Component[] | undefined {
  const normalized = normalizeComposerVersion(input);
  return normalized === undefined ? undefined : canonicalComponents(normalized);
}

/**
 * php_version_compare over components. When one side runs out, each further component of the
 * longer side is compared with "#N#": a number makes the longer side newer outright, a word
 * by its rank against "#" (so `1.0-dev` < `1.0` < `1.0-patch1`).
 */
export function comparePackagistVersions(a: readonly Component[], b: readonly Component[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const c = x && y ? compareComponents(x, y) : x ? againstNumber(x) : y ? -againstNumber(y) : 0;
    if (c !== 0) return c;
  }
  return 0;
}

function compareComponents(x: Component, y: Component): number {
  return x.digits !== undefined && y.digits !== undefined ? compareDigits(x.digits, y.digits) : Math.sign(x.rank - y.rank);
}

/** A component of the longer side against the "#N#" the shorter one is padded with. */
function againstNumber(x: Component): number {
  return x.digits !== undefined ? 1 : Math.sign(x.rank - NUMBER_RANK);
}

export const packagistOrdering = defineOrdering('Packagist', parsePackagistVersion, comparePackagistVersions);

/** PHP's version_compare on raw strings (no Composer normalisation); exported for tests. */
export function phpVersionCompare(a: string, b: string): number | undefined {
  if (a === '' || b === '') return undefined;
  const ca = canonicalComponents(a);
  const cb = canonicalComponents(b);
  return ca && cb ? comparePackagistVersions(ca, cb) : undefined;
}
