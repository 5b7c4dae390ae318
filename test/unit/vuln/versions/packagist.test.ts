import fc from 'fast-check';
import {
  normalizeComposerVersion,
  packagistOrdering,
  phpVersionCompare,
} from '../../../../lambdas/vuln/versions/packagist';
import { chainMismatches, describeOrderingProperties, expectUnorderable, joined, mismatches, rows, sign } from './helpers';

// composer/semver tests/VersionParserTest.php successfulNormalizedVersions (input → normalised).
const NORMALIZED: ReadonlyArray<readonly [string, string]> = [
  ['1.0.0', '1.0.0.0'],
  ['1.2.3.4', '1.2.3.4'],
  ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
  ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0-rc1', '1.0.0.0-RC1'],
  ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
  ['1.0-dev', '1.0.0.0-dev'],
  ['0', '0.0.0.0'],
  ['10.4.13-beta', '10.4.13.0-beta'],
  ['10.4.13beta2', '10.4.13.0-beta2'],
  ['10.4.13beta.2', '10.4.13.0-beta2'],
  ['v1.13.11-beta.0', '1.13.11.0-beta0'],
  ['1.13.11.0-beta0', '1.13.11.0-beta0'],
  ['10.4.13-b', '10.4.13.0-beta'],
  ['10.4.13-b5', '10.4.13.0-beta5'],
  ['v1.0.0', '1.0.0.0'],
  ['2010.01', '2010.01.0.0'],
  ['2010.01.02', '2010.01.02.0'],
  ['2010.1.555', '2010.1.555.0'],
  ['2010.10.200', '2010.10.200.0'],
  ['v20100102', '20100102'],
  ['2010-01-02', '2010.01.02'],
  ['2010-01-02.5', '2010.01.02.5'],
  ['20100102-203040', '20100102.203040'],
  ['20100102203040-10', '20100102203040.10'],
  ['20100102-203040-p1', '20100102.203040-patch1'],
  ['201903.0', '201903.0'],
  ['201903.0-p2', '201903.0-patch2'],
  ['1.x-dev', '1.9999999.9999999.9999999-dev'],
  ['1.0.0+foo@dev', '1.0.0.0'],
  ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
  ['1.0.0+foo', '1.0.0.0'],
  ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'],
  ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'],
  ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'],
  ['1.0.0+foo as 2.0', '1.0.0.0'],
  ['00.01.03.04', '00.01.03.04'],
  ['000.001.003.004', '000.001.003.004'],
  ['0.000.103.204', '0.000.103.204'],
  ['0700', '0700.0.0.0'],
  ['041.x-dev', '041.9999999.9999999.9999999-dev'],
  [' 1.0.0', '1.0.0.0'],
  ['1.0.0 ', '1.0.0.0'],
  ['\t1.0.0\n', '1.0.0.0'],
];

// Versions Composer normalises but never orders (branches), and strings it rejects
// (VersionParserTest failingNormalizedVersions).
const BRANCHES = ['dev-master', 'master', 'trunk', 'default', 'dev-feature-foo', 'DEV-FOOBAR', 'dev-master as 1.0.0', 'dev-041.003'];
const INVALID = [
  '', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar', '1.0.0-SNAPSHOT', '1.0 .2', 'foo bar-dev', '1.x',
  '1.0\t2', '1.0\n@dev', '1.0.9223372036854775808',
];

// Composer ordering (dev < alpha < beta < RC < stable < patch), through normalisation.
const CHAIN = [
  '1.0.0-dev', '1.0.0-alpha', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-beta', '1.0.0-b2', '1.0.0-beta.10', '1.0.0-RC1',
  '1.0.0-rc2', '1.0.0', '1.0.0-p1', '1.0.0-patch2', '1.0.1-dev', '1.0.1', '1.1.x-dev', '1.2', 'v2.0.0-beta',
  '2.0.0', '2010-01-02', '20100102-203040',
];

const EQUAL = rows(`
  1.0 = 1.0.0.0
  v1.0.0 = 1.0.0
  1.0.0-beta.1 = 1.0.0-beta1
  1.0.0-b1 = 1.0.0-BETA1
  1.0.0-pl1 = 1.0.0-p1
  1.0.0-rc1 = 1.0.0.RC1
  1.0.0+build.1 = 1.0.0
  1.0.0@stable = 1.0.0
  00.01 = 0.1
  1.0.0-stable = 1.0.0
  1.0.0-STABLE < 1.0.0-dev
  1.0.0-beta1-dev < 1.0.0-beta1
  1.0.0-beta1-dev > 1.0.0-beta
  1.25.0 > 1.24.0
  1.2.3 > 1.2.3-RC5
`);

// PHP's version_compare itself (php.net: "any string not found in this list < dev < alpha = a
// < beta = b < RC = rc < # < pl = p"), without Composer normalisation.
const PHP = rows(`
  5.2 < 5.2.0
  1.0rc1 < 1.0
  1.0 < 1.0.0
  1.0-dev < 1.0
  1.0-dev < 1.0a
  1.0a = 1.0alpha
  1.0alpha < 1.0b
  1.0b = 1.0beta
  1.0beta < 1.0RC
  1.0RC = 1.0rc
  1.0rc < 1.0
  1.0 < 1.0pl
  1.0pl = 1.0p
  1.0foo < 1.0dev
  1.0-1 < 1.0-pl1
  1.01 = 1.1
  1.0_1 = 1.0.1
  1.0+1 = 1.0.1
`);

describe('Packagist ordering: Composer normalisation', () => {
  it('normalises like VersionParser::normalize', () => {
    const wrong = NORMALIZED.filter(([input, expected]) => normalizeComposerVersion(input) !== expected).map(
      ([input, expected]) => `${input}: ${normalizeComposerVersion(input)} (expected ${expected})`,
    );
    expect(wrong).toEqual([]);
  });

  it('refuses branches and strings Composer rejects', () => {
    for (const v of [...BRANCHES, ...INVALID]) expectUnorderable(packagistOrdering, v);
  });
});

describe('Packagist ordering: version_compare on normalised versions', () => {
  it('orders stabilities dev < alpha < beta < RC < stable < patch', () => {
    expect(chainMismatches(packagistOrdering, CHAIN)).toEqual([]);
    expect(mismatches(packagistOrdering, EQUAL)).toEqual([]);
  });

  it('reproduces PHP version_compare on raw strings', () => {
    const wrong = PHP.filter(([a, op, b]) => sign(phpVersionCompare(a, b) ?? NaN) !== { '<': -1, '=': 0, '>': 1 }[op]);
    expect(wrong).toEqual([]);
  });
});

const packagistArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', 'v'),
        fc.array(fc.constantFrom('0', '1', '2', '10', '00', '2010'), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', '', '-', '.', '_'),
        fc.constantFrom('', '', 'alpha', 'a', 'beta', 'b', 'RC', 'rc', 'patch', 'pl', 'p', 'stable', 'STABLE'),
        fc.constantFrom('', '', '1', '2', '.1', '-2', '10.1'),
        fc.constantFrom('', '', '', '-dev', '.dev', 'dev'),
        fc.constantFrom('', '', '', '+build', '@dev', '@stable'),
      )
      .map(([v, nums, sep, stab, num, dev, tail]) => `${v}${nums.join('.')}${sep}${stab}${stab ? num : ''}${dev}${tail}`),
  },
  { weight: 1, arbitrary: joined(fc.constantFrom('1', '.', 'x', '-dev', 'dev-', 'master', '*', ' '), 4) },
);

describeOrderingProperties(packagistOrdering, packagistArb);
