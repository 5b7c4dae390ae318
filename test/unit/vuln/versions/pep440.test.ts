import fc from 'fast-check';
import { pep440Ordering } from '../../../../lambdas/vuln/versions/pep440';
import { chainMismatches, describeOrderingProperties, expectUnorderable, mismatches, pick, rows, seededRandom, sign } from './helpers';
import { packagingOracle } from './oracles';
import { defined } from '../../../support/defined';

// pypa/packaging tests/test_version.py VERSIONS ("This list must be in the correct sorting order").
const PACKAGING_VERSIONS = [
  '1.0.dev0', '1.0.dev456', '1.0.dev456+local', '1.0a0', '1.0a0.post0.dev0', '1.0a0.post0',
  '1.0a1.dev1', '1.0a1.dev1+local', '1.0a1', '1.0a1+local', '1.0b0', '1.0b1.dev456', '1.0b2',
  '1.0b2.post345.dev456', '1.0b2.post345', '1.0b2-346', '1.0rc0', '1.0rc1.dev1', '1.0c1', '1.0rc2',
  '1.0', '1.0.post0.dev0', '1.0.post0', '1.0.post456.dev34', '1.0.post456', '1.0.post456+local',
  '1.0.1.dev1', '1.0.1a1', '1.0.1', '1.0.1+local', '1.0.1.post1', '1.1.dev1', '1.2+a', '1.2+abc',
  '1.2+abcdef', '1.2+def', '1.2+0', '1.2+1', '1.2+1.abc', '1.2+1.1', '1.2+1.1.0', '1.2+2', '1.2+123',
  '1.2+123456', '1.2.r32+123456', '1.2.rev33+123456',
];
const VERSIONS = [...PACKAGING_VERSIONS, ...PACKAGING_VERSIONS.map((v) => `1!${v}`)];

// test_version.py test_invalid_versions.
const INVALID = [
  'french toast', '1.0+a+', '1.0++', '1.0+_foobar', '1.0+foo&asd', '1.0+1+1', '1. 0', '1 .0', '1. 0a1',
  '1 .0a1', '1.0 a1', '1.0a 1', '٠١٢.٣٤٥.٦٧٨٩', '.', '..', '1..0', '1.0.', '.1.0', '1..2.3', '1.0+\u0130',
  '', ' ', 'v', '1.0-', '1!', '!1.0', '1.0+', '1.0.post.-1', '1.0\ufeff',
];

// test_version.py test_normalized_versions: each spelling equals its normal form.
const NORMALIZED = rows(`
  1.0dev = 1.0.dev0
  1.0-dev1 = 1.0.dev1
  1.0DEV = 1.0.dev0
  1.0.a = 1.0a0
  1.0-alpha1 = 1.0a1
  1.0.ALPHA = 1.0a0
  1.0-beta = 1.0b0
  1.0B1 = 1.0b1
  1.0c = 1.0rc0
  1.0-C1 = 1.0rc1
  1.0.RC = 1.0rc0
  1.0post = 1.0.post0
  1.0-post1 = 1.0.post1
  1.0r = 1.0.post0
  1.0rev = 1.0.post0
  1.0.r1 = 1.0.post1
  1.0-5 = 1.0.post5
  1.0-r5 = 1.0.post5
  1.0-rev5 = 1.0.post5
  1.0+AbC = 1.0+abc
  1.01 = 1.1
  1.0a05 = 1.0a5
  1.0c056 = 1.0rc56
  1.0.post000 = 1.0.post0
  1.1.dev09000 = 1.1.dev9000
  00!1.2 = 1.2
  0100!0.0 = 100!0.0
  v1.0 = 1.0
  1.0rc1 = 1.0c1
  1.0 = 1.0.0
  1.0+0 = 1.0+00
  1.0+a.1 = 1.0+a-1
`);

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
// Oracle: Python packaging.version.Version

const NUMBERS = ['0', '0', '1', '1', '2', '9', '10', '01', '00', '000', '123', '99999999999999999999'];
const SEPS = ['', '', '', '.', '-', '_'];
const PRE = ['a', 'A', 'alpha', 'b', 'beta', 'BETA', 'c', 'rc', 'RC', 'pre', 'preview', 'Preview'];
const POST = ['post', 'POST', 'rev', 'r', 'R'];
const DEV = ['dev', 'DEV', 'Dev'];
const LOCAL = ['abc', 'ABC', '0', '00', '1', '12', 'ubuntu', 'a1', '1a', 'deadbeef', 'z'];
const SPACES = [' ', '\t', '\n', '\u00a0', '\u202f', '\u3000', '\x1c', '\x85', '\u200b', '\ufeff'];
const NOISE = ['.', '-', '_', '+', '!', ' ', 'x', '١', 'İ', '..', '+a', 'v'];

function num(rand: () => number): string {
  return pick(rand, NUMBERS);
}

function genPep440(rand: () => number): string {
  let v = '';
  if (rand() < 0.1) v += pick(rand, ['v', 'V']);
  if (rand() < 0.15) v += `${pick(rand, ['0', '1', '00', '2', '10'])}!`;
  v += num(rand);
  for (let n = Math.floor(rand() * 3); n > 0; n--) v += `.${num(rand)}`;
  if (rand() < 0.35) v += pick(rand, SEPS) + pick(rand, PRE) + pick(rand, SEPS) + (rand() < 0.7 ? num(rand) : '');
  if (rand() < 0.25) {
    v += rand() < 0.3 ? `-${num(rand)}` : pick(rand, SEPS) + pick(rand, POST) + pick(rand, SEPS) + (rand() < 0.7 ? num(rand) : '');
  }
  if (rand() < 0.25) v += pick(rand, SEPS) + pick(rand, DEV) + pick(rand, SEPS) + (rand() < 0.7 ? num(rand) : '');
  if (rand() < 0.25) {
    const parts = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(rand, LOCAL));
    v += `+${parts.map((p, i) => (i === 0 ? p : pick(rand, ['.', '-', '_']) + p)).join('')}`;
  }
  if (rand() < 0.05) v = pick(rand, SPACES) + v;
  if (rand() < 0.05) v += pick(rand, SPACES);
  if (rand() < 0.08) {
    const at = Math.floor(rand() * (v.length + 1));
    v = v.slice(0, at) + pick(rand, NOISE) + v.slice(at);
  }
  return v;
}

/** A small edit, so that pairs often share a release and differ only in their suffixes. */
function nearby(rand: () => number, v: string): string {
  switch (Math.floor(rand() * 8)) {
    case 0:
      return `${v}.0`;
    case 1:
      return v.toUpperCase();
    case 2:
      return `${v}+local.1`;
    case 3:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    case 4:
      return `${v}.dev0`;
    case 5:
      return `${v}-1`;
    case 6:
      return v.replace(/rc|c|pre/i, 'a');
    default:
      return v.replace(/[0-9](?=[^0-9]*$)/, (d) => String((Number(d) + 1) % 10));
  }
}

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

// ---------------------------------------------------------------------------------------------

const pep440Arb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => genPep440(seededRandom(seed))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

describeOrderingProperties(pep440Ordering, pep440Arb);
