import { dpkgOrdering } from '../../../../lambdas/vuln/versions/dpkg';
import { pick, seededRandom, sign } from './helpers';
import { dpkgCompareBatch, dpkgCompareOne, dpkgVersionString } from './oracles';
import { defined } from '../../../support/defined';
import { DPKG_VERSION_T, genVersion, nearby } from './dpkg-data';

/*
 * The dpkg ordering against `dpkg --compare-versions` itself: needs the dpkg program, so it runs
 * in npm run test:integration (which installs it where missing), not in the unit run.
 */

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
