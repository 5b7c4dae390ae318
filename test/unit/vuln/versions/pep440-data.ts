/** The PEP 440 ordering's test data: packaging's own examples, and a generator of version strings. */
import { pick, rows } from './helpers';

// pypa/packaging tests/test_version.py VERSIONS ("This list must be in the correct sorting order").
export const PACKAGING_VERSIONS = [
  '1.0.dev0', '1.0.dev456', '1.0.dev456+local', '1.0a0', '1.0a0.post0.dev0', '1.0a0.post0',
  '1.0a1.dev1', '1.0a1.dev1+local', '1.0a1', '1.0a1+local', '1.0b0', '1.0b1.dev456', '1.0b2',
  '1.0b2.post345.dev456', '1.0b2.post345', '1.0b2-346', '1.0rc0', '1.0rc1.dev1', '1.0c1', '1.0rc2',
  '1.0', '1.0.post0.dev0', '1.0.post0', '1.0.post456.dev34', '1.0.post456', '1.0.post456+local',
  '1.0.1.dev1', '1.0.1a1', '1.0.1', '1.0.1+local', '1.0.1.post1', '1.1.dev1', '1.2+a', '1.2+abc',
  '1.2+abcdef', '1.2+def', '1.2+0', '1.2+1', '1.2+1.abc', '1.2+1.1', '1.2+1.1.0', '1.2+2', '1.2+123',
  '1.2+123456', '1.2.r32+123456', '1.2.rev33+123456',
];
export const VERSIONS = [...PACKAGING_VERSIONS, ...PACKAGING_VERSIONS.map((v) => `1!${v}`)];

// test_version.py test_invalid_versions.
export const INVALID = [
  'french toast', '1.0+a+', '1.0++', '1.0+_foobar', '1.0+foo&asd', '1.0+1+1', '1. 0', '1 .0', '1. 0a1',
  '1 .0a1', '1.0 a1', '1.0a 1', '٠١٢.٣٤٥.٦٧٨٩', '.', '..', '1..0', '1.0.', '.1.0', '1..2.3', '1.0+\u0130',
  '', ' ', 'v', '1.0-', '1!', '!1.0', '1.0+', '1.0.post.-1', '1.0\ufeff',
];

// test_version.py test_normalized_versions: each spelling equals its normal form.
export const NORMALIZED = rows(`
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

/** A PEP 440-like version, sometimes with noise or surrounding whitespace. */
export function genPep440(rand: () => number): string {
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
export function nearby(rand: () => number, v: string): string {
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
