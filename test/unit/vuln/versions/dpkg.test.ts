import fc from 'fast-check';
import { dpkgOrdering } from '../../../../lambdas/vuln/versions/dpkg';
import { chainMismatches, describeOrderingProperties, expectUnorderable, joined, mismatches } from './helpers';
import { DPKG_VERSION_T, REVISION_PIECES, UPSTREAM_PIECES, UPSTREAM_START } from './dpkg-data';

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
