/**
 * RPM ordering (RHEL, Rocky, AlmaLinux, SUSE, openSUSE, Fedora, Amazon Linux, Mageia, Photon OS),
 * transcribed from rpm `rpmio/rpmvercmp.cc` (`rpmvercmp`) and `rpmio/rpmver.cc` (`parseEVR`,
 * `rpmverCmp`, `compare_values`).
 *
 * rpmvercmp ignores separators and compares the remaining runs position by position; per
 * position `~` < end of string < `^` < letters < digits (see `compareSegments`). Tokenising each
 * side once and comparing token lists is equivalent, because a run's extent depends only on its
 * own string.
 *
 * Validity: `[epoch:]version[-release]` with a numeric epoch and version/release drawn from the
 * characters rpmbuild accepts (`ALLOWED_CHARS_VERREL`: alphanumerics and `._+%{}~^`). rpmvercmp
 * itself would order any string, treating everything else (non-ASCII included) as a separator.
 */
import { defineOrdering, compareDigits, compareStrings, stripZeros } from './internal';

const enum Seg {
  Tilde,
  End,
  Caret,
  Alpha,
  Numeric,
}

interface Segment {
  readonly kind: Seg;
  /** Letters, or digits without leading zeros. */
  readonly text: string;
}

export interface RpmVersion {
  readonly epoch: string;
  readonly version: readonly Segment[];
  /** undefined when the string has no `-release`; rpm then ranks it below any release. */
  readonly release: readonly Segment[] | undefined;
}

const EVR = /^(?:([0-9]+):)?([A-Za-z0-9._+%{}~^]+)(?:-([A-Za-z0-9._+%{}~^]+))?$/;
const TILDE: Segment = { kind: Seg.Tilde, text: '~' };
const CARET: Segment = { kind: Seg.Caret, text: '^' };
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Splits into `~`, `^`, digit runs and letter runs; every other character only separates. */
function segments(s: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x7e || c === 0x5e) {
      out.push(c === 0x7e ? TILDE : CARET);
      i++;
    } else if (isDigit(c) || isAlpha(c)) {
      const inRun = isDigit(c) ? isDigit : isAlpha;
      let j = i + 1;
      while (j < s.length && inRun(s.charCodeAt(j))) j++;
      const text = s.slice(i, j);
      out.push(inRun === isDigit ? { kind: Seg.Numeric, text: stripZeros(text) } : { kind: Seg.Alpha, text });
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

export function parseRpmVersion(input: string): RpmVersion | undefined {
  const [, epoch, version, release] = EVR.exec(input) ?? [];
  if (version === undefined) return undefined;
  return {
    epoch: epoch === undefined ? '0' : stripZeros(epoch),
    version: segments(version),
    release: release === undefined ? undefined : segments(release),
  };
}

const END: Segment = { kind: Seg.End, text: '' };

/** `rpmvercmp` over pre-split segments. */
export function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; ; i++) {
    const sa = a[i] ?? END;
    const sb = b[i] ?? END;
    if (sa.kind !== sb.kind) return sa.kind < sb.kind ? -1 : 1;
    if (sa.kind === Seg.End) return 0;
    const c = sa.kind === Seg.Numeric ? compareDigits(sa.text, sb.text) : compareStrings(sa.text, sb.text);
    if (c !== 0) return c;
  }
}

export function compareRpmVersions(a: RpmVersion, b: RpmVersion): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareSegments(a.version, b.version) ||
    (a.release === undefined || b.release === undefined
      ? Number(a.release !== undefined) - Number(b.release !== undefined)
      : compareSegments(a.release, b.release))
  );
}

export const rpmOrdering = defineOrdering('rpm (Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, Mageia, Photon OS)', parseRpmVersion, compareRpmVersions);
