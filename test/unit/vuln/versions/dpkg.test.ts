import fc from 'fast-check';
import { dpkgOrdering } from '../../../../lambdas/vuln/versions/dpkg';
import {
  chainMismatches,
  describeOrderingProperties,
  expectUnorderable,
  joined,
  mismatches,
  pick,
  rows,
  seededRandom,
  sign,
} from './helpers';
import { dpkgCompareBatch, dpkgCompareOne, dpkgVersionString } from './oracles';
import { defined } from '../../../support/defined';

// dpkg scripts/t/Dpkg_Version.t __DATA__ (a b expected), rewritten as "a op b".
const DPKG_VERSION_T = rows(`
  1.0-1 < 2.0-2
  2.2~rc-4 < 2.2-1
  2.2-1 > 2.2~rc-4
  1.0000-1 = 1.0-1
  1 = 0:1
  0 = 0:0-0
  2:2.5 > 1:7.5
  1:0foo > 0foo
  0:0foo = 0foo
  0foo = 0foo
  0foo > 0fo
  0foo~1 < 0foo
  0foo~foo+Bar < 0foo~foo+bar
  0foo~~ < 0foo~
  1~ < 1
  12345+that-really-is-some-ver-0 < 12345+that-really-is-some-ver-10
  0foo-0 < 0foo-01
  0foo.bar > 0foobar
  0foo.bar > 0foo1bar
  0foo.bar > 0foo0bar
  0foo1bar-1 < 0foobar-1
  0foo2.0 > 0foo2
  0foo2.0.0 < 0foo2.10.0
  0foo2.0 < 0foo2.0.0
  0foo2.0 < 0foo2.10
  0foo2.1 < 0foo2.10
  1.09 = 1.9
  1.0.8+nmu1 > 1.0.8
  3.11 > 3.10+nmu1
  0.9j-20080306-4 > 0.9i-20070324-2
  1.2.0~b7-1 > 1.2.0~b6-1
  1.011-1 > 1.06-2
  0.0.9+dfsg1-1 > 0.0.8+dfsg1-3
  4.6.99+svn6582-1 > 4.6.99+svn6496-1
  53 > 52
  0.9.9~pre122-1 > 0.9.9~pre111-1
  2:2.3.2-2+lenny2 > 2:2.3.2-2
  1:3.8.1-1 > 3.8.GA-1
  1.0.1+gpl-1 > 1.0.1-2
  1a < 1000a
`);

// Rows of the same data set whose versions dpkg 1.21 itself rejects ("revision number is empty",
// "version number is empty"): they must be refused, not ordered.
const REJECTED_BY_DPKG = ['0foo-', '-0.6.5'];

describe('dpkg ordering: reference examples', () => {
  it('orders the Dpkg_Version.t data set', () => {
    expect(mismatches(dpkgOrdering, DPKG_VERSION_T)).toEqual([]);
  });

  it('orders a typical Debian/Ubuntu security-update chain', () => {
    const chain = [
      '1.1.1n-0+deb11u3',
      '1.1.1n-0+deb11u4',
      '1.1.1n-0+deb11u5',
      '1.1.1w-0+deb11u1',
      '3.0.11-1~deb12u1',
      '3.0.11-1~deb12u2',
      '3.0.11-1',
      '3.0.11-1ubuntu1',
      '3.0.11-1ubuntu1.1',
      '1:1.0-1',
    ];
    expect(chainMismatches(dpkgOrdering, chain)).toEqual([]);
  });

  it('refuses what dpkg refuses or warns about', () => {
    const invalid = [
      ...REJECTED_BY_DPKG,
      '',
      ' ',
      '10a:5.2', // epoch is not a number
      '5.2@3-2', // invalid character
      'foo5.2', // does not start with a digit
      '0:foo5.2',
      ':1.0', // empty epoch
      '1:', // nothing after the colon
      '-1:1.0', // negative epoch
      '2147483648:1', // epoch too big
      '1.0 2', // embedded space
      '1.0-a_b', // invalid revision character
      '1.0-1:2', // ':' is only allowed in the upstream part
    ];
    for (const v of invalid) expectUnorderable(dpkgOrdering, v);
  });

  it('accepts what dpkg accepts, including its lenient epoch and blank trimming', () => {
    for (const v of ['0', '1:2:3', '1.0-a-b', '+1:2', '-0:2', '2147483647:1', ' 1.0 ', '\t1.0', '1.0~']) {
      expect(dpkgOrdering.isValid(v)).toBe(true);
    }
    expect(dpkgOrdering.compare('+1:2', '1:2')).toBe(0);
    expect(dpkgOrdering.compare('-0:2', '2')).toBe(0);
    expect(dpkgOrdering.compare(' 1.0 ', '1.0')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Oracle: dpkg --compare-versions

const UPSTREAM_START = ['0', '1', '2', '9', '10', '01', '00', '1.0', '2.30'];
const UPSTREAM_PIECES = [
  '.', '.', '+', '~', '~~', '-', ':', 'a', 'b', 'z', 'A', 'Z', 'rc', 'dfsg', 'GA',
  '0', '1', '9', '10', '01', '00', '000', '12345678901234567890',
];
const REVISION_PIECES = ['0', '1', '2', '10', '01', 'a', 'b', 'B', '.', '+', '~', 'deb12u', 'ubuntu', 'build'];
const EPOCHS = ['', '', '', '', '0:', '1:', '2:', '00:', '10:'];
const NOISE = ['_', '@', ' ', '!', '', ':', '-', 'é'];

function genVersion(rand: () => number): string {
  const epoch = pick(rand, EPOCHS);
  let upstream = pick(rand, UPSTREAM_START);
  for (let n = Math.floor(rand() * 6); n > 0; n--) upstream += pick(rand, UPSTREAM_PIECES);
  let revision = '';
  if (rand() < 0.5) {
    revision = '-';
    for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) revision += pick(rand, REVISION_PIECES);
  }
  let v = epoch + upstream + revision;
  // Some strings get a stray character so the validity rules are exercised too.
  if (rand() < 0.08) {
    const at = Math.floor(rand() * (v.length + 1));
    v = v.slice(0, at) + pick(rand, NOISE) + v.slice(at);
  }
  return v;
}

/** A small edit of `v`, so that pairs share prefixes and often tie. */
function nearby(rand: () => number, v: string): string {
  switch (Math.floor(rand() * 9)) {
    case 0:
      return `${v}~`;
    case 1:
      return `${v}.0`;
    case 2:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    case 3:
      return v.replace(/[a-z]/, (c) => c.toUpperCase());
    case 4:
      return v.includes(':') ? v.replace(/^[0-9]+:/, '') : `0:${v}`;
    case 5:
      return `${v}${v.includes('-') ? '+b1' : '-0'}`;
    case 6:
      return v.replace('.', '+');
    case 7:
      return v.replace(/[0-9](?=[^0-9]*$)/, (d) => String((Number(d) + 1) % 10));
    default:
      return v;
  }
}

describe('dpkg ordering: oracle (dpkg --compare-versions)', () => {
  const rand = seededRandom(0x0d9c);
  const pool = Array.from({ length: 500 }, () => genVersion(rand));

  it(`agrees with dpkg on the validity of ${pool.length} generated versions`, () => {
    const version = dpkgVersionString();
    const verdicts = dpkgCompareBatch(pool.map((v) => ['0', v] as const));
    const disagreements = pool.flatMap((v, i) => {
      const dpkgValid = !defined(verdicts[i], `dpkg's verdict on ${JSON.stringify(v)}`).complained;
      return dpkgOrdering.isValid(v) === dpkgValid ? [] : [`${JSON.stringify(v)}: dpkg valid=${dpkgValid}`];
    });
    expect({ version, disagreements }).toEqual({ version, disagreements: [] });
    // The pool must exercise both sides of the validity rules.
    const valid = pool.filter((v) => dpkgOrdering.isValid(v)).length;
    expect(valid).toBeGreaterThan(pool.length * 0.6);
    expect(valid).toBeLessThan(pool.length);
  });

  it('orders 2,400 generated pairs exactly like dpkg', () => {
    const valid = pool.filter((v) => dpkgOrdering.isValid(v));
    const pairs: Array<readonly [string, string]> = DPKG_VERSION_T.map(([a, , b]) => [a, b] as const);
    while (pairs.length < 2400) {
      const a = pick(rand, valid);
      const b = rand() < 0.5 ? pick(rand, valid) : nearby(rand, a);
      if (dpkgOrdering.isValid(b)) pairs.push([a, b]);
    }
    const verdicts = dpkgCompareBatch(pairs);
    const disagreements = pairs.flatMap(([a, b], i) => {
      const ours = sign(dpkgOrdering.compare(a, b));
      const theirs = defined(verdicts[i], `dpkg's verdict on ${a} vs ${b}`);
      return theirs.complained || theirs.order !== ours ? [`${a} vs ${b}: ours ${ours}, dpkg ${theirs.order}`] : [];
    });
    expect(disagreements).toEqual([]);
    const ties = pairs.filter(([a, b]) => dpkgOrdering.compare(a, b) === 0).length;
    expect(ties).toBeGreaterThan(50);
  });

  it('agrees with dpkg on versions the line protocol cannot carry', () => {
    const odd = ['\n1:2', '\v1:2', '\r0:1.0', '1.0\n', '1\n2', '1.0\f', '\t1.0\t', '1.0\t-1'];
    for (const v of odd) {
      const verdict = dpkgCompareOne(v, '1:2');
      expect([v, dpkgOrdering.isValid(v)]).toEqual([v, !verdict.complained]);
      if (!verdict.complained) expect([v, sign(dpkgOrdering.compare(v, '1:2'))]).toEqual([v, verdict.order]);
    }
  });
});

// ---------------------------------------------------------------------------------------------

const dpkgArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
    .tuple(
      fc.constantFrom('', '', '0:', '1:', '10:'),
      fc.constantFrom(...UPSTREAM_START),
      joined(fc.constantFrom(...UPSTREAM_PIECES.filter((p) => p !== ':')), 5),
      fc.option(joined(fc.constantFrom(...REVISION_PIECES), 3)),
    )
    .map(([e, s, u, r]) => `${e}${s}${u}${r === null ? '' : `-${r}`}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

describeOrderingProperties(dpkgOrdering, dpkgArb);
