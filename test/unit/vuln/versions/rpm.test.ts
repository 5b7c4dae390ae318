import fc from 'fast-check';
import { rpmOrdering } from '../../../../lambdas/vuln/versions/rpm';
import { chainMismatches, describeOrderingProperties, expectUnorderable, joined, mismatches, rows, sign } from './helpers';

// rpm tests/rpmvercmp.at, RPMVERCMP(a, b, result) rewritten as "a op b".
const RPMVERCMP_AT = rows(`
  1.0 = 1.0
  1.0 < 2.0
  2.0 > 1.0
  2.0.1 = 2.0.1
  2.0 < 2.0.1
  2.0.1 > 2.0
  2.0.1a = 2.0.1a
  2.0.1a > 2.0.1
  2.0.1 < 2.0.1a
  5.5p1 = 5.5p1
  5.5p1 < 5.5p2
  5.5p2 > 5.5p1
  5.5p10 = 5.5p10
  5.5p1 < 5.5p10
  5.5p10 > 5.5p1
  10xyz < 10.1xyz
  10.1xyz > 10xyz
  xyz10 = xyz10
  xyz10 < xyz10.1
  xyz10.1 > xyz10
  xyz.4 = xyz.4
  xyz.4 < 8
  8 > xyz.4
  xyz.4 < 2
  2 > xyz.4
  5.5p2 < 5.6p1
  5.6p1 > 5.5p2
  5.6p1 < 6.5p1
  6.5p1 > 5.6p1
  6.0.rc1 > 6.0
  6.0 < 6.0.rc1
  10b2 > 10a1
  10a2 < 10b2
  1.0aa = 1.0aa
  1.0a < 1.0aa
  1.0aa > 1.0a
  10.0001 = 10.0001
  10.0001 = 10.1
  10.1 = 10.0001
  10.0001 < 10.0039
  10.0039 > 10.0001
  4.999.9 < 5.0
  5.0 > 4.999.9
  20101121 = 20101121
  20101121 < 20101122
  20101122 > 20101121
  2_0 = 2_0
  2.0 = 2_0
  2_0 = 2.0
  a = a
  a+ = a+
  a+ = a_
  a_ = a+
  +a = +a
  +a = _a
  _a = +a
  +_ = +_
  _+ = +_
  _+ = _+
  + = _
  _ = +
  1.0~rc1 = 1.0~rc1
  1.0~rc1 < 1.0
  1.0 > 1.0~rc1
  1.0~rc1 < 1.0~rc2
  1.0~rc2 > 1.0~rc1
  1.0~rc1~git123 = 1.0~rc1~git123
  1.0~rc1~git123 < 1.0~rc1
  1.0~rc1 > 1.0~rc1~git123
  1.0^ = 1.0^
  1.0^ > 1.0
  1.0 < 1.0^
  1.0^git1 = 1.0^git1
  1.0^git1 > 1.0
  1.0 < 1.0^git1
  1.0^git1 < 1.0^git2
  1.0^git2 > 1.0^git1
  1.0^git1 < 1.01
  1.01 > 1.0^git1
  1.0^20160101 = 1.0^20160101
  1.0^20160101 < 1.0.1
  1.0.1 > 1.0^20160101
  1.0^20160101^git1 = 1.0^20160101^git1
  1.0^20160102 > 1.0^20160101^git1
  1.0^20160101^git1 < 1.0^20160102
  1.0~rc1^git1 = 1.0~rc1^git1
  1.0~rc1^git1 > 1.0~rc1
  1.0~rc1 < 1.0~rc1^git1
  1.0^git1~pre = 1.0^git1~pre
  1.0^git1 > 1.0^git1~pre
  1.0^git1~pre < 1.0^git1
  # "Oddities" the file documents as current (arguably buggy) behaviour.
  1b.fc17 = 1b.fc17
  1b.fc17 < 1.fc17
  1.fc17 > 1b.fc17
  1g.fc17 = 1g.fc17
  1g.fc17 > 1.fc17
  1.fc17 < 1g.fc17
`);

// EVR rules of rpmver.cc: epoch first (missing = 0), then version, then release, where a
// missing release ranks below a present one.
const EVR = rows(`
  1:1.0-1 > 2.0-1
  0:1.0-1 = 1.0-1
  00:1.0-1 = 1.0-1
  1.0 < 1.0-1
  1.0-1 < 1.0-1.el9
  1.0-1.el9 < 1.0-1.el9_1
  1.0-1.el9_1 < 1.0-2.el9
  2.0-1.el8 > 1.9-5.el9
  1.2.3-150400.3.3.1 > 1.2.3-150400.3.2.99
  3.0.7-24.el9 < 3.0.7-25.el9
  1:3.0.7-24.el9 > 3.0.7-100.el9
  1.0~rc1-1 < 1.0-1
`);

describe('rpm ordering: reference examples', () => {
  it('orders the rpmvercmp.at cases', () => {
    expect(mismatches(rpmOrdering, RPMVERCMP_AT)).toEqual([]);
  });

  it('compares epoch, version and release like rpmverCmp', () => {
    expect(mismatches(rpmOrdering, EVR)).toEqual([]);
  });

  it('orders a RHEL security-update chain', () => {
    const chain = ['1:1.1.1k-5.el8_5', '1:1.1.1k-6.el8_5', '1:1.1.1k-7.el8_6', '1:1.1.1k-12.el8_9', '1:3.0.1-1.el9'];
    expect(chainMismatches(rpmOrdering, chain)).toEqual([]);
  });

  it('refuses strings rpmbuild would not produce', () => {
    const invalid = ['', ':1.0', 'a:1.0', '1:', '1.0-', '-1', '1.0-1-2', '1.0 ', '1.1.α', 'v1.0@2', '1:2:3'];
    for (const v of invalid) expectUnorderable(rpmOrdering, v);
  });
});

/**
 * rpmvercmp.cc transliterated line by line (pointer walking, in-place segment ends), as an
 * independent reference for the segment-list implementation.
 */
function rpmvercmpLiteral(a: string, b: string): number {
  if (a === b) return 0;
  const at = (s: string, i: number): string => s.charAt(i); // '' past the end, as C's NUL
  const isdigit = (c: string): boolean => c >= '0' && c <= '9';
  const isalpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const isalnum = (c: string): boolean => isdigit(c) || isalpha(c);
  let one = 0;
  let two = 0;
  while (at(a, one) || at(b, two)) {
    while (at(a, one) && !isalnum(at(a, one)) && at(a, one) !== '~' && at(a, one) !== '^') one++;
    while (at(b, two) && !isalnum(at(b, two)) && at(b, two) !== '~' && at(b, two) !== '^') two++;
    if (at(a, one) === '~' || at(b, two) === '~') {
      if (at(a, one) !== '~') return 1;
      if (at(b, two) !== '~') return -1;
      one++;
      two++;
      continue;
    }
    if (at(a, one) === '^' || at(b, two) === '^') {
      if (!at(a, one)) return -1;
      if (!at(b, two)) return 1;
      if (at(a, one) !== '^') return 1;
      if (at(b, two) !== '^') return -1;
      one++;
      two++;
      continue;
    }
    if (!(at(a, one) && at(b, two))) break;
    let str1 = one;
    let str2 = two;
    const isnum = isdigit(at(a, str1));
    const inRun = isnum ? isdigit : isalpha;
    while (at(a, str1) && inRun(at(a, str1))) str1++;
    while (at(b, str2) && inRun(at(b, str2))) str2++;
    if (two === str2) return isnum ? 1 : -1;
    let s1 = a.slice(one, str1);
    let s2 = b.slice(two, str2);
    if (isnum) {
      s1 = s1.replace(/^0+/, '');
      s2 = s2.replace(/^0+/, '');
      if (s1.length !== s2.length) return s1.length > s2.length ? 1 : -1;
    }
    if (s1 !== s2) return s1 < s2 ? -1 : 1;
    one = str1;
    two = str2;
  }
  if (!at(a, one) && !at(b, two)) return 0;
  return !at(a, one) ? -1 : 1;
}

describe('rpm ordering: differential check against a literal rpmvercmp transliteration', () => {
  const piece = fc.constantFrom('1', '0', '00', '01', '9', '10', '.', '_', '+', '%', 'a', 'B', 'rc', 'z', '~', '^', '~~', '^~');
  const ver = joined(piece, 7);

  it('agrees on the rpmvercmp.at cases', () => {
    for (const [a, op, b] of RPMVERCMP_AT) expect([a, op, b, sign(rpmvercmpLiteral(a, b))]).toEqual([a, op, b, { '<': -1, '=': 0, '>': 1 }[op]]);
  });

  it('agrees on random version strings', () => {
    fc.assert(
      fc.property(ver, ver, (a, b) => sign(rpmOrdering.compare(a, b)) === sign(rpmvercmpLiteral(a, b))),
      { numRuns: 20000 },
    );
  });
});

const rpmArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', '0:', '1:', '01:'),
        joined(fc.constantFrom('1', '0', '01', '10', '.', '.', '_', '+', 'a', 'b', 'rc', 'A', '~', '^', 'git'), 6),
        fc.option(joined(fc.constantFrom('1', '0', '2', '.', 'el', '9', '_', '~', '^'), 4)),
      )
      .map(([e, v, r]) => `${e}${v}${r === null ? '' : `-${r}`}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

describeOrderingProperties(rpmOrdering, rpmArb);
