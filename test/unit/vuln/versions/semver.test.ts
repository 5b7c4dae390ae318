import fc from 'fast-check';
import { pubOrdering, semverOrdering } from '../../../../lambdas/vuln/versions/semver';
import { chainMismatches, describeOrderingProperties, expectUnorderable, mismatches, rows } from './helpers';

// semver.md §11 precedence example.
const SPEC_CHAIN = [
  '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
  '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1',
];

// node-semver test/fixtures/comparisons.js (strict entries), "a > b".
const NODE_SEMVER = rows(`
  0.0.0 > 0.0.0-foo
  0.0.1 > 0.0.0
  1.0.0 > 0.9.9
  0.10.0 > 0.9.0
  0.99.0 > 0.10.0
  2.0.0 > 1.2.3
  v0.0.0 > 0.0.0-foo
  v0.0.1 > 0.0.0
  v1.0.0 > 0.9.9
  1.2.3 > 1.2.3-asdf
  1.2.3 > 1.2.3-4
  1.2.3 > 1.2.3-4-foo
  1.2.3-5-foo > 1.2.3-5
  1.2.3-5 > 1.2.3-4
  1.2.3-5-foo > 1.2.3-5-Foo
  3.0.0 > 2.7.2+asdf
  1.2.3-a.10 > 1.2.3-a.5
  1.2.3-a.b > 1.2.3-a.5
  1.2.3-a.b > 1.2.3-a
  1.2.3-a.b.c.10.d.5 > 1.2.3-a.b.c.5.d.100
  1.2.3-r2 > 1.2.3-r100
  1.2.3-r100 > 1.2.3-R2
  1.0.0+a = 1.0.0+b
  1.2.3+build = 1.2.3
`);

// OSV short versions and Go module versions.
const OSV_AND_GO = rows(`
  1.0 = 1.0.0
  1 = 1.0.0
  1.0-beta = 1.0.0-beta
  1-rc.1+build.5 = 1.0.0-rc.1
  v1.2 = 1.2.0
  v1.2.3 = 1.2.3
  0 < 0.0.1
  v0.0.0-20210101000000-abcdef123456 < v0.0.1
  v0.0.0-20210101000000-abcdef123456 < v0.0.0-20210102000000-000000000000
  v1.2.4-0.20210101000000-abcdef123456 > v1.2.3
  v1.2.4-0.20210101000000-abcdef123456 < v1.2.4
  v1.2.3-pre.0.20210101000000-abcdef123456 > v1.2.3-pre
  v1.2.3-pre.0.20210101000000-abcdef123456 < v1.2.3
  v2.0.0+incompatible = 2.0.0
  v2.0.1+incompatible > v2.0.0
  1.9.0 < v1.10.0
`);

describe('SemVer ordering: reference examples', () => {
  it('orders the semver.md precedence chain', () => {
    expect(chainMismatches(semverOrdering, SPEC_CHAIN)).toEqual([]);
  });

  it('orders node-semver comparison fixtures', () => {
    expect(mismatches(semverOrdering, NODE_SEMVER)).toEqual([]);
  });

  it('reads OSV short versions, Go v-prefixes, pseudo-versions and +incompatible', () => {
    expect(mismatches(semverOrdering, OSV_AND_GO)).toEqual([]);
  });

  it('refuses what strict SemVer refuses', () => {
    const invalid = [
      '', 'v', '01.0.0', '1.01.0', '1.0.0-01', '1.0.0-', '1.0.0+', '1.0.0.0', '1.2.3-beta..1', '=1.0.0',
      'V1.0.0', 'vv1.0.0', '1.0.0 beta', 'a.b.c', '1.x', '1.0.0-alpha_beta', '01', '1.00', '1.0-',
      '9007199254740992.0.0', // beyond Number.MAX_SAFE_INTEGER: semver rejects it
      '1.0.0-9007199254740993', // semver would compare it as a float: refused
      `1.0.0-${'a'.repeat(300)}`,
    ];
    for (const v of invalid) expectUnorderable(semverOrdering, v);
  });
});

// pub_semver test/version_test.dart, compareTo: "each version sorts before the next".
const PUB_CHAIN = [
  '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0-rc.1+build.1',
  '1.0.0', '1.0.0+0.3.7', '1.3.7+build', '1.3.7+build.2.b8f12d7', '1.3.7+build.11.e0f985a', '2.0.0',
  '2.1.0', '2.2.0', '2.11.0', '2.11.1',
];

describe('Pub ordering (pub_semver)', () => {
  it('orders the pub_semver comparison list, build metadata included', () => {
    expect(chainMismatches(pubOrdering, PUB_CHAIN)).toEqual([]);
  });

  it('compares identifiers Dart parses as ints numerically', () => {
    expect(
      mismatches(
        pubOrdering,
        rows(`
          1.0.0+007 = 1.0.0+7
          1.0.0+0x1f > 1.0.0+30
          1.0.0+-1 < 1.0.0+0
          1.0.0--1 < 1.0.0-0
          1.0.0+9223372036854775808 > 1.0.0+9223372036854775807
          1.0.0+1 > 1.0.0
          1.0.0+a.1 > 1.0.0+a
        `),
      ),
    ).toEqual([]);
    expectUnorderable(pubOrdering, '1.0.0+0x8000000000000000');
    // SemVer itself ignores build metadata and treats "-1" as an alphanumeric identifier.
    expect(semverOrdering.compare('1.0.0+1', '1.0.0')).toBe(0);
    expect(semverOrdering.compare('1.0.0--1', '1.0.0-0')).toBeGreaterThan(0);
  });
});

const semverArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', '', 'v'),
        fc.array(fc.constantFrom('0', '1', '2', '10'), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom('alpha', 'beta', 'rc', '0', '1', '2', '10', 'x-1', '-1', 'A', '0x1f'), { maxLength: 3 }),
        fc.array(fc.constantFrom('build', '1', '001', 'sha', '0x1f', '-1', 'incompatible'), { maxLength: 2 }),
      )
      .map(
        ([v, core, pre, build]) =>
          `${v}${core.join('.')}${pre.length ? `-${pre.join('.')}` : ''}${build.length ? `+${build.join('.')}` : ''}`,
      ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

describeOrderingProperties(semverOrdering, semverArb);
describeOrderingProperties(pubOrdering, semverArb);
