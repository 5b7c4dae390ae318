import fc from 'fast-check';
import { pep440Ordering } from '../../../../lambdas/vuln/versions/pep440';
import { chainMismatches, describeOrderingProperties, expectUnorderable, mismatches, seededRandom } from './helpers';
import { genPep440, INVALID, NORMALIZED, VERSIONS } from './pep440-data';

describe('PEP 440 ordering: reference examples', () => {
  it('orders packaging VERSIONS (with and without epoch 1) strictly', () => {
    expect(chainMismatches(pep440Ordering, VERSIONS)).toEqual([]);
  });

  it('treats normalised spellings as equal', () => {
    expect(mismatches(pep440Ordering, NORMALIZED)).toEqual([]);
  });

  it('accepts surrounding Python whitespace, including non-ASCII whitespace', () => {
    for (const v of ['   v1.0\t\n', '\u202f1.0\t\u2029\n ', '\x1c1.0\x85']) {
      expect(pep440Ordering.compare(v, '1.0')).toBe(0);
    }
  });

  it('refuses invalid versions', () => {
    for (const v of INVALID) expectUnorderable(pep440Ordering, v);
  });

  it('compares huge numbers exactly', () => {
    expect(pep440Ordering.compare('1.99999999999999999999999', '1.99999999999999999999998')).toBeGreaterThan(0);
    expect(pep440Ordering.compare('1.0+99999999999999999999', '1.0+099999999999999999999')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

const pep440Arb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => genPep440(seededRandom(seed))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

describeOrderingProperties(pep440Ordering, pep440Arb);
