import { pep440Ordering } from '../../../../lambdas/vuln/versions/pep440';
import { pick, seededRandom, sign } from './helpers';
import { packagingOracle } from './oracles';
import { defined } from '../../../support/defined';
import { genPep440, INVALID, nearby, VERSIONS } from './pep440-data';

/*
 * The PEP 440 ordering against Python's packaging.version: needs python3 with packaging, so it
 * runs in npm run test:integration (which installs python3-packaging where missing), not in the
 * unit run.
 */

describe('PEP 440 ordering: oracle (Python packaging)', () => {
  it('agrees with packaging on validity and order of generated versions and 3,000 pairs', () => {
    const rand = seededRandom(440);
    const versions = [...VERSIONS, ...INVALID];
    while (versions.length < 900) {
      const v = genPep440(rand);
      versions.push(v);
      if (rand() < 0.3) versions.push(nearby(rand, v));
    }
    const at = (i: number): string => defined(versions[i], `version #${i}`);
    const validIdx = versions.flatMap((v, i) => (pep440Ordering.isValid(v) ? [i] : []));
    const pairs: Array<[number, number]> = [];
    while (pairs.length < 3000) {
      if (rand() < 0.5) {
        pairs.push([pick(rand, validIdx), pick(rand, validIdx)]);
      } else {
        const i = pick(rand, validIdx);
        versions.push(nearby(rand, at(i)));
        pairs.push([i, versions.length - 1]);
      }
    }

    const answer = packagingOracle(versions, pairs);

    const validity = versions.flatMap((v, i) =>
      pep440Ordering.isValid(v) === answer.valid[i] ? [] : [`${JSON.stringify(v)}: packaging valid=${answer.valid[i]}`],
    );
    const order = pairs.flatMap(([i, j], k) => {
      const theirs = answer.cmp[k];
      if (theirs === null) return [];
      const ours = sign(pep440Ordering.compare(at(i), at(j)));
      return ours === theirs ? [] : [`${JSON.stringify(at(i))} vs ${JSON.stringify(at(j))}: ours ${ours}, packaging ${theirs}`];
    });
    const oracle = `packaging ${answer.packaging} on Python ${answer.python}`;
    expect({ oracle, validity, order }).toEqual({ oracle, validity: [], order: [] });

    // The generated data must exercise every outcome.
    const compared = answer.cmp.filter((c) => c !== null);
    expect(compared.length).toBeGreaterThan(2000);
    for (const outcome of [-1, 0, 1]) expect(compared.filter((c) => c === outcome).length).toBeGreaterThan(100);
    const invalid = answer.valid.filter((ok) => !ok).length;
    expect(invalid).toBeGreaterThan(50);
  });
});
