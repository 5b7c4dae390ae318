/**
 * Alpine/Wolfi/Chainguard version ordering, transcribed from apk-tools `src/version.c`
 * (`token_first`, `token_next`, `token_cmp`, `apk_version_compare_fuzzy` without fuzziness)
 * and `src/ctype.c` (suffix letters `a-z`, commit hash `0-9a-f`).
 *
 * Grammar: `digits{.digits}…{letter}{_suffix{digits}}…{~hexhash}{-r digits}`. apk orders even
 * strings `apk_version_validate` rejects (version.data has `1.0 < 1.0bc`, "invalid. do string
 * sort"); here those are refused instead.
 *
 * Pinned deviation: apk reads numbers into a uint64 that silently wraps; a numeric token above
 * 2^64−1 is refused here rather than ordered by its wrapped value.
 */
import { defineOrdering, compareDigits, compareStrings, stripZeros } from './internal';

// Token types in apk's order; the order matters when two versions differ in structure.
const enum Tok {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  CommitHash,
  RevisionNo,
  End,
}

interface Token {
  readonly type: Tok;
  /** The token's text: digits, the letter, the suffix word or the hash. */
  readonly text: string;
  /** Digits without leading zeros, for numeric comparison. */
  readonly number: string;
  /** Suffix rank; below SUFFIX_NONE means a pre-release suffix. */
  readonly suffix: number;
}

// apk's suffix enum: alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p.
// A Map, not an object literal: suffix words like "constructor" must not hit Object.prototype.
const SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['alpha', 1], ['beta', 2], ['pre', 3], ['rc', 4], ['cvs', 6], ['svn', 7], ['git', 8], ['hg', 9], ['p', 10],
]);
const SUFFIX_NONE = 5;
const UINT64_MAX = '18446744073709551615';

const DIGITS = /[0-9]*/y;
const SUFFIX_WORD = /[a-z]*/y;
const HEX = /[0-9a-f]*/y;

function span(re: RegExp, s: string, at: number): string {
  re.lastIndex = at;
  return re.exec(s)?.[0] ?? '';
}

const token = (type: Tok, text: string, number = '', suffix = 0): Token => ({ type, text, number, suffix });

/** Tokenises like `token_first`/`token_next`; undefined where apk's tokeniser says INVALID. */
export function tokenizeApk(v: string): Token[] | undefined {
  const tokens: Token[] = [];
  let pos = 0;
  // The type of the last token pushed: which token may come next depends on it, as in token_next.
  // (Typed as any Tok: push() changes it, which the compiler's narrowing does not see.)
  let prev = Tok.InitialDigit as Tok;
  const push = (t: Token): void => {
    tokens.push(t);
    prev = t.type;
  };

  const pushDigits = (type: Tok): boolean => {
    const d = span(DIGITS, v, pos);
    const number = stripZeros(d);
    if (d === '' || compareDigits(number, UINT64_MAX) > 0) return false;
    pos += d.length;
    push(token(type, d, number));
    return true;
  };

  if (!pushDigits(Tok.InitialDigit)) return undefined;
  while (pos < v.length) {
    const c = v.charAt(pos);
    if (c >= 'a' && c <= 'z') {
      if (prev > Tok.Digit) return undefined;
      push(token(Tok.Letter, c));
      pos++;
    } else if (c === '.' || (c >= '0' && c <= '9')) {
      if (c === '.') {
        if (prev > Tok.Digit) return undefined;
        pos++;
      }
      // A digit run may follow a dot (component) or a suffix word (its number), nothing else.
      const next = prev <= Tok.Digit ? Tok.Digit : prev === Tok.Suffix ? Tok.SuffixNo : undefined;
      if (next === undefined || !pushDigits(next)) return undefined;
    } else if (c === '_') {
      if (prev > Tok.SuffixNo) return undefined;
      const word = span(SUFFIX_WORD, v, pos + 1);
      const rank = SUFFIXES.get(word);
      if (rank === undefined) return undefined;
      pos += 1 + word.length;
      push(token(Tok.Suffix, word, '', rank));
    } else if (c === '~') {
      if (prev >= Tok.CommitHash) return undefined;
      const hash = span(HEX, v, pos + 1);
      if (hash === '') return undefined;
      pos += 1 + hash.length;
      push(token(Tok.CommitHash, hash));
    } else if (c === '-') {
      if (prev >= Tok.RevisionNo || v[pos + 1] !== 'r') return undefined;
      pos += 2;
      if (!pushDigits(Tok.RevisionNo)) return undefined;
    } else {
      return undefined;
    }
  }
  return tokens;
}

const END: Token = token(Tok.End, '');

function compareTokens(a: Token, b: Token): number {
  switch (a.type) {
    case Tok.Digit:
      // "if either of the digits have a leading zero, use raw string comparison"
      if (a.text[0] === '0' || b.text[0] === '0') return compareStrings(a.text, b.text);
      return compareDigits(a.number, b.number);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return compareDigits(a.number, b.number);
    case Tok.Suffix:
      return a.suffix - b.suffix;
    default:
      // Letter (one character) and CommitHash: apk_blob_sort, i.e. memcmp then length.
      return compareStrings(a.text, b.text);
  }
}

export function compareApkTokens(a: readonly Token[], b: readonly Token[]): number {
  for (let i = 0; ; i++) {
    const ta = a[i] ?? END;
    const tb = b[i] ?? END;
    if (ta.type !== tb.type) {
      // Equal so far and one side has a different kind of component next: that side is newer,
      // unless the component is a pre-release suffix; otherwise the "later" kind is older.
      if (ta.type === Tok.Suffix && ta.suffix < SUFFIX_NONE) return -1;
      if (tb.type === Tok.Suffix && tb.suffix < SUFFIX_NONE) return 1;
      return ta.type > tb.type ? -1 : 1;
    }
    if (ta.type === Tok.End) return 0;
    const c = compareTokens(ta, tb);
    if (c !== 0) return c;
  }
}

export const apkOrdering = defineOrdering('apk (Alpine, Wolfi, Chainguard)', tokenizeApk, compareApkTokens);
