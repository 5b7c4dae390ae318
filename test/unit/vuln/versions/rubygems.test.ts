import fc from 'fast-check';
import { rubygemsOrdering } from '../../../../lambdas/vuln/versions/rubygems';
import { chainMismatches, describeOrderingProperties, expectUnorderable, joined, mismatches, rows } from './helpers';

// rubygems test/rubygems/test_gem_version.rb (test_spaceship, test_equals2, test_semver and
// the canonical-segment cases), as "a op b".
const TEST_GEM_VERSION = rows(`
  1.0 = 1.0.0
  1.0 > 1.0.a
  1.8.2 > 0.0.0
  1.8.2 > 1.8.2.a
  1.8.2.b > 1.8.2.a
  1.8.2.a < 1.8.2
  1.8.2.a10 > 1.8.2.a9
  0.beta.1 = 0.0.beta.1
  0.0.beta < 0.0.beta.1
  5.a < 5.0.0.rc2
  5.x > 5.0.0.rc2
  1.2 = 1.2
  1.2 < 1.3
  1.2.b1 = 1.2.b.1
  1.0.0-rc1 < 1.0.0
  1.0.0-1 < 1
`);
const SEMVER_CHAIN = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];

// Consequences of the algorithm worth pinning (Integer segments, bytewise strings).
const DERIVED = rows(`
  1.0.a.0 = 1.a
  1.a = 1.0.a
  1.A < 1.a
  1.0.0.pre.1 = 1.0.0-1
  1.99999999999999999999 > 1.99999999999999999998
  1.01 = 1.1
  2.0.0.rc1 < 2.0.0
  2.0.0.rc1 > 2.0.0.beta3
  3.2.22.5 < 3.2.22.10
`);

describe('RubyGems ordering: reference examples', () => {
  it('matches test_gem_version.rb', () => {
    expect(mismatches(rubygemsOrdering, TEST_GEM_VERSION)).toEqual([]);
    expect(chainMismatches(rubygemsOrdering, SEMVER_CHAIN)).toEqual([]);
  });

  it('follows canonical segments and Integer/String comparison', () => {
    expect(mismatches(rubygemsOrdering, DERIVED)).toEqual([]);
  });

  it('accepts what Gem::Version.correct? accepts, blank meaning 0', () => {
    for (const v of ['1.0', '1.0 ', ' 1.0 ', '1.0\n', '\n1.0\n', '1.0.0--', '1.0.0-x-y']) {
      expect({ v, valid: rubygemsOrdering.isValid(v) }).toEqual({ v, valid: true });
    }
    expect(rubygemsOrdering.compare('', '0')).toBe(0);
    expect(rubygemsOrdering.compare('  ', '0.0')).toBe(0);
    expect(rubygemsOrdering.compare('\n1.0\n', '1')).toBe(0);
  });

  it('refuses malformed versions (test_initialize_bad and more)', () => {
    const invalid = ['junk', '1.0\n2.0', '1..2', '1.2 3.4', 'v1.0', '1.0.', '.1', '1.0-', '1.0+build', '1.0_1', '1.0\u00a0', 'a.1'];
    for (const v of invalid) expectUnorderable(rubygemsOrdering, v);
  });
});

const gemArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('0', '1', '2', '10', '01'),
        joined(fc.constantFrom('.0', '.1', '.2', '.10', '.a', '.b', '.A', '.rc', '.rc1', '.pre', '.0a1', '.x'), 4),
        fc.option(joined(fc.constantFrom('alpha', 'beta', 'rc', '1', '0', '.', '-', 'A'), 3).filter((s) => /^[0-9A-Za-z-]/.test(s) && !s.endsWith('.') && !s.includes('..'))),
      )
      .map(([n, rest, pre]) => `${n}${rest}${pre === null ? '' : `-${pre}`}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

describeOrderingProperties(rubygemsOrdering, gemArb);
