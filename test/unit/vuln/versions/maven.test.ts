import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { mavenOrdering } from '../../../../lambdas/vuln/versions/maven';
import { chainMismatches, describeOrderingProperties, expectUnorderable, joined, mismatches, rows, sign } from './helpers';

// apache/maven ComparableVersionTest (Maven 3.9): each list is in ascending order.
const VERSIONS_QUALIFIER = [
  '1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2',
  '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot',
  '1-1', '1-2', '1-123',
];
const VERSIONS_NUMBER = [
  '2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2',
  '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m',
];

// ComparableVersionTest testVersionsEqual / testVersionComparing / MNG-5568 / MNG-6572 /
// MNG-6964 / MNG-7644, each row also checked against maven-artifact 3.9.6.
const COMPARABLE_VERSION_TEST = rows(`
  1 = 1.0
  1 = 1.0.0
  1.0 = 1.0.0
  1 = 1-0
  1 = 1.0-0
  1.0 = 1.0-0
  1a = 1.a
  1a = 1-a
  1a = 1.0-a
  1a = 1.0.0-a
  1.0a = 1.0.a
  1.0.0a = 1.0.0.a
  1x = 1.x
  1x = 1-x
  1x = 1.0-x
  1x = 1.0.0-x
  1ga = 1
  1release = 1
  1final = 1
  1cr = 1rc
  1a1 = 1-alpha-1
  1a1 = 1alpha1
  1b2 = 1beta2
  1m3 = 1milestone3
  1X = 1x
  1A = 1a
  1Ga = 1
  1GA = 1
  1RELEASE = 1
  1Final = 1
  1FINAL = 1
  1Cr = 1Rc
  1m3 = 1MILESTONE3
  1-abcdefghijklmnopqrstuvwxyz = 1-ABCDEFGHIJKLMNOPQRSTUVWXYZ
  2.0.a = 2.0.0.a
  1 < 2
  1.5 < 2
  1 < 2.5
  1.0 < 1.1
  1.0.0 < 1.1
  1.0.1 < 1.1
  1.1 < 1.2.0
  1.0-alpha-1 < 1.0
  1.0-alpha-1 < 1.0-alpha-2
  1.0-alpha-1 < 1.0-beta-1
  1.0-beta-1 < 1.0-SNAPSHOT
  1.0-SNAPSHOT < 1.0
  1.0-alpha-1-SNAPSHOT < 1.0-alpha-1
  1.0 < 1.0-1
  1.0-1 < 1.0-2
  1.0.0 < 1.0-1
  2.0-1 < 2.0.1
  2.0.1-klm < 2.0.1-lmn
  2.0.1 < 2.0.1-xyz
  2.0.1 < 2.0.1-123
  2.0.1-xyz < 2.0.1-123
  6.1.0rc3 < 6.1.0
  6.1.0 < 6.1H.5-beta
  20190126.230843 < 1234567890.12345
  1234567890.12345 < 123456789012345.1H.5-beta
  123456789012345.1H.5-beta < 12345678901234567890.1H.5-beta
  1-0.alpha < 1-0.beta
  1-0.beta < 1
  1.0.0.X1 < 1.0.0-X2
  1.0.0.X1 = 1.0.0-X1
  1.0.0-X1 = 1-X-1
  1.0.RC2 < 1.0-RC3
  1.0-RC3 < 1.0.1
`);

// Maven quirks kept on purpose (all confirmed with maven-artifact 3.9.6).
const QUIRKS = rows(`
  1.0000000000.1 > 1.5           # a ten-digit run of zeros is a LongItem, which outranks any IntItem
  1-sp = 1-SP
  1.0.Final = 1.0
  1.0.0.RELEASE = 1.0
`);

// ComparableVersion is not transitive. An item is compared with the padding of a shorter
// version by one rule and with other items by another: a sub-list starting with a pre-release
// qualifier sorts below padding but above any string; a kept 0 equals padding but sorts above
// any sub-list. Maven 3.9.6 answers every row below as written, so each triple is a cycle of
// Maven's own making (1 < 1-xyz < 1-0rc0 < 1, and 2.0.alpha-1 < 2 < 2-1 < 2.0.alpha-1).
const MAVEN_CYCLE = rows(`
  1 < 1-xyz
  1-xyz < 1-0rc0
  1-0rc0 < 1
  2.0.alpha-1 < 2
  2 < 2-1
  2-1 < 2.0.alpha-1
  0 < :
  : < 0rc0
  0rc0 < 0
`);

describe('Maven ordering: reference examples', () => {
  it('orders ComparableVersionTest VERSIONS_QUALIFIER and VERSIONS_NUMBER', () => {
    expect(chainMismatches(mavenOrdering, VERSIONS_QUALIFIER)).toEqual([]);
    expect(chainMismatches(mavenOrdering, VERSIONS_NUMBER)).toEqual([]);
  });

  it('matches the ComparableVersionTest equalities and orderings (MNG-5568, 6572, 6964, 7644)', () => {
    expect(mismatches(mavenOrdering, [...COMPARABLE_VERSION_TEST, ...QUIRKS])).toEqual([]);
  });

  it('reproduces Maven\'s own non-transitive verdicts instead of repairing them', () => {
    expect(mismatches(mavenOrdering, MAVEN_CYCLE)).toEqual([]);
  });

  it('refuses strings no Maven repository would hold', () => {
    for (const v of ['', ' ', '1.0 beta', '1.0\n', '1.0\u00e9', '\u0661.0']) expectUnorderable(mavenOrdering, v);
  });
});

describe('Maven ordering: verdicts recorded from maven-artifact 3.9.6', () => {
  it('agrees on every recorded pair', () => {
    const recorded = fs
      .readFileSync(path.join(__dirname, 'fixtures', 'maven-3.9.6-oracle.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t'));
    expect(recorded.length).toBe(2500);
    const disagreements = recorded.flatMap(([a, b, verdict]) => {
      if (a === undefined || b === undefined) return [`a recorded line without two versions: ${a}`];
      const ours = sign(mavenOrdering.compare(a, b));
      return String(ours) === verdict ? [] : [`${a} vs ${b}: ours ${ours}, Maven ${verdict}`];
    });
    expect(disagreements).toEqual([]);
  });
});

const mavenArb = fc.oneof(
  {
    weight: 5,
    arbitrary: joined(
      fc.constantFrom(
        '0', '1', '2', '10', '00', '0000000000', '1234567890', '.', '.', '-', '-',
        'a', 'b', 'm', 'alpha', 'beta', 'rc', 'cr', 'SNAPSHOT', 'ga', 'final', 'sp', 'x', 'abc',
      ),
      7,
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

// ComparableVersion is transitive only on part of its domain (see MAVEN_CYCLE; a dotted
// qualifier followed by more items, as in 2.0.alpha-1, keeps a 0 that sorts like padding against
// numbers but above sub-lists). Transitivity is therefore checked on the conventional Maven
// shapes: numbers, then at most one qualifier introduced by "-" (optionally numbered, as in
// -beta-2, -rc1, -1) or a final dotted qualifier (.Final, .RELEASE).
const num = fc.constantFrom('0', '1', '2', '10', '123', '1234567890', '12345678901234567890');
const qualifier = fc.constantFrom(
  'alpha', 'a', 'beta', 'b', 'milestone', 'm', 'rc', 'cr', 'RC', 'snapshot', 'SNAPSHOT', 'ga', 'GA', 'final',
  'Final', 'release', 'RELEASE', 'sp', 'jre', 'android', 'xyz',
);
const tail = fc.oneof(
  fc.constant(''),
  qualifier.map((q) => `-${q}`),
  fc.tuple(qualifier, fc.constantFrom('', '-'), num).map(([q, s, n]) => `-${q}${s}${n}`),
  num.map((n) => `-${n}`),
  qualifier.map((q) => `.${q}`),
);
const conventionalMaven = fc
  .tuple(fc.array(num, { minLength: 1, maxLength: 4 }), tail)
  .map(([core, t]) => core.join('.') + t);

describeOrderingProperties(mavenOrdering, mavenArb, { numRuns: 4000, transitiveArb: conventionalMaven });
