/**
 * Maven ordering, transcribed from Maven 3.9's `ComparableVersion` (apache/maven
 * `maven-artifact/.../versioning/ComparableVersion.java`, commit 1a3de98).
 *
 * Pinned behaviour (Maven 3.9.x, not Maven 4's `compat/maven-artifact`):
 * - a letter→digit transition opens a sub-list and `.X1` is read like `-X-1` (MNG-7644), so
 *   `1.0.0.X1 == 1-X-1`;
 * - `ga`, `final` and `release` are aliases of the empty qualifier and compare *equal* to a
 *   release (Maven 4 keeps them "same order but not equal");
 * - a list is compared with padding element by element (MNG-6964);
 * - numbers are typed by their length after Maven's `stripLeadingZeroes` (≤ 9 digits int,
 *   ≤ 18 long, else BigInteger) and a longer type always outranks a shorter one, exactly as in
 *   Maven, where an all-zero run keeps its length (`0000000000` is a LongItem 0).
 * No Maven 4 `CombinationItem`. Checked against maven-artifact 3.9.6 (recorded verdicts in the
 * tests).
 *
 * Like Maven's, this ordering is not transitive on every input: an item is compared with the
 * padding of a shorter version by one rule and with other items by another, so
 * `2.0.alpha-1 < 2 < 2-1 < 2.0.alpha-1`. It is reproduced, not repaired, because a repaired
 * order would disagree with Maven; conventional versions (`1.2.3`, `1.2.3-rc1`, `1.2.3-beta-2`,
 * `1.2.3.Final`) are not affected.
 *
 * Validity: Maven orders any string. Here a version must be non-empty printable ASCII without
 * spaces, which every Maven Central version is; anything else is refused rather than ordered.
 */
import { defineOrdering, compareDigits } from './internal';

const enum Kind {
  Int,
  Str,
  List,
}

interface IntItem {
  readonly kind: Kind.Int;
  /** 0 int, 1 long, 2 BigInteger: the Java item class, which decides mixed comparisons. */
  readonly size: number;
  /** Value as digits without leading zeros. */
  readonly digits: string;
}
interface StrItem {
  readonly kind: Kind.Str;
  /** `comparableQualifier`: "0".."6" for known qualifiers, "7-<qualifier>" otherwise. */
  readonly rank: string;
}
interface ListItem {
  readonly kind: Kind.List;
  readonly items: Item[];
}
type Item = IntItem | StrItem | ListItem;

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_RANK = '5'; // index of "" in QUALIFIERS
const ALIASES: ReadonlyMap<string, string> = new Map([['ga', ''], ['final', ''], ['release', ''], ['cr', 'rc']]);
const SHORT_QUALIFIERS: ReadonlyMap<string, string> = new Map([['a', 'alpha'], ['b', 'beta'], ['m', 'milestone']]);
const VALID = /^[\x21-\x7e]+$/;

function intItem(buf: string): IntItem {
  // Maven's stripLeadingZeroes leaves an all-zero run as it is; its length picks the class.
  const stripped = buf.replace(/^0+(?=[^0])/, '');
  const digits = stripped.replace(/^0+(?=0)/, '');
  return { kind: Kind.Int, size: stripped.length <= 9 ? 0 : stripped.length <= 18 ? 1 : 2, digits };
}

function strItem(value: string, followedByDigit: boolean): StrItem {
  // "a1 = alpha-1, b1 = beta-1, m1 = milestone-1"
  let q = followedByDigit ? (SHORT_QUALIFIERS.get(value) ?? value) : value;
  q = ALIASES.get(q) ?? q;
  const i = QUALIFIERS.indexOf(q);
  return { kind: Kind.Str, rank: i === -1 ? `${QUALIFIERS.length}-${q}` : String(i) };
}

const ZERO: IntItem = intItem('0');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

function isNull(item: Item): boolean {
  if (item.kind === Kind.Int) return item.digits === '0';
  if (item.kind === Kind.Str) return item.rank === RELEASE_RANK;
  return item.items.length === 0;
}

/** ListItem.normalize: drop trailing null items, looking through non-null sub-lists. */
function normalize(list: ListItem): void {
  // From the end; a splice at i leaves the indices below it, still to visit, as they were.
  for (const [i, last] of [...list.items.entries()].reverse()) {
    if (isNull(last)) list.items.splice(i, 1);
    else if (last.kind !== Kind.List) break;
  }
}

/** ComparableVersion.parseVersion, step for step. */
export function parseMavenVersion(input: string): ListItem | undefined {
  if (!VALID.test(input)) return undefined;
  const version = input.toLowerCase();
  const root: ListItem = { kind: Kind.List, items: [] };
  const lists = [root];
  let list = root;
  const openList = (): void => {
    const sub: ListItem = { kind: Kind.List, items: [] };
    list.items.push(sub);
    list = sub;
    lists.push(sub);
  };
  const parseItem = (digit: boolean, buf: string): Item => (digit ? intItem(buf) : strItem(buf, false));

  let digit = false;
  let start = 0;
  for (let i = 0; i < version.length; i++) {
    const c = version.charAt(i);
    if (c === '.' || c === '-') {
      list.items.push(i === start ? ZERO : parseItem(digit, version.slice(start, i)));
      start = i + 1;
      if (c === '-') openList();
    } else if (isDigit(c)) {
      if (!digit && i > start) {
        // "1.0.0.X1 < 1.0.0-X2": treat .X as -X for any string qualifier X
        if (list.items.length > 0) openList();
        list.items.push(strItem(version.slice(start, i), true));
        start = i;
        openList();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list.items.push(parseItem(true, version.slice(start, i)));
        start = i;
        openList();
      }
      digit = false;
    }
  }
  if (version.length > start) {
    if (!digit && list.items.length > 0) openList();
    list.items.push(parseItem(digit, version.slice(start)));
  }
  // Innermost lists first, as Maven pops its stack.
  for (const l of [...lists].reverse()) normalize(l);
  return root;
}

/** Item.compareTo(null): how an item compares with the padding of a shorter list. */
function compareWithNull(item: Item): number {
  if (item.kind === Kind.Int) return item.digits === '0' ? 0 : 1;
  if (item.kind === Kind.Str) return item.rank < RELEASE_RANK ? -1 : item.rank === RELEASE_RANK ? 0 : 1;
  for (const i of item.items) {
    const c = compareWithNull(i);
    if (c !== 0) return c;
  }
  return 0;
}

/** Item.compareTo(item) of the three Maven item classes. */
function compareItems(a: Item, b: Item): number {
  switch (a.kind) {
    case Kind.Int:
      if (b.kind !== Kind.Int) return 1; // 1.1 > 1-sp, 1.1 > 1-1
      return a.size !== b.size ? a.size - b.size : compareDigits(a.digits, b.digits);
    case Kind.Str:
      if (b.kind !== Kind.Str) return -1; // 1.any < 1.1, 1.any < 1-1
      return a.rank === b.rank ? 0 : a.rank < b.rank ? -1 : 1;
    case Kind.List:
      if (b.kind === Kind.Int) return -1; // 1-1 < 1.0.x
      if (b.kind === Kind.Str) return 1; // 1-1 > 1-sp
      return compareLists(a, b);
  }
}

export function compareLists(a: ListItem, b: ListItem): number {
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const l = a.items[i];
    const r = b.items[i];
    // A shorter list is padded with nulls.
    const c = l && r ? compareItems(l, r) : l ? compareWithNull(l) : r ? -compareWithNull(r) : 0;
    if (c !== 0) return c;
  }
  return 0;
}

export const mavenOrdering = defineOrdering('Maven', parseMavenVersion, compareLists);
