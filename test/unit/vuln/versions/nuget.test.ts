import fc from 'fast-check';
import { nugetOrdering } from '../../../../lambdas/vuln/versions/nuget';
import { chainMismatches, describeOrderingProperties, expectUnorderable, mismatches, rows } from './helpers';

// NuGet.Client test/NuGet.Core.Tests/NuGet.Versioning.Test: VersionComparerTests (Default
// comparer) and SemVer201SpecTests (sorting), as "a op b".
const NUGET_TESTS = rows(`
  1.0.0 = 1.0.0
  1.0.0-BETA = 1.0.0-beta
  1.0.0-BETA+AA = 1.0.0-beta+aa
  1.0.0-BETA.X.y.5.77.0+AA = 1.0.0-beta.x.y.5.77.0+aa
  0.0.0 < 1.0.0
  1.0.0 < 1.1.0
  1.0.0 < 1.0.1
  1.999.9999 < 2.1.1
  1.0.0-BETA < 1.0.0-beta2
  1.0.0-beta+AA < 1.0.0+aa
  1.0.0-BETA < 1.0.0-beta.1+AA
  1.0.0-BETA.X.y.5.77.0+AA < 1.0.0-beta.x.y.5.79.0+aa
  1.0.0-BETA.X.y.5.79.0+AA < 1.0.0-beta.x.y.5.790.0+abc
  1.2.3 < 1.2.4
  1.2.3 < 2.0.0
  9.9.9 < 10.1.1
  1.2.3-alpha < 1.2.3
  1.2.3-2 < 1.2.3-3
  1.2.3-1.9 < 1.2.3-1.50
  1.2.3-2A < 1.2.3-3A
  1.2.3-1.50A < 1.2.3-1.9A
  1.2.3-999999 < 1.2.3-Z
  1.2.3-A.999999 < 1.2.3-A.56-2
  1.2.3-a < 1.2.3-a.2
  1.2.3-a.2.3.4 < 1.2.3-a.2.3.4.5
  1.2.3-a = 1.2.3-A
  1.2.3-A-b2-C = 1.2.3-a-B2-c
`);

// NuGetVersion specifics: 1 to 4 parts, leading zeros in parts, the fourth part, metadata ignored.
const NUGET_VERSION = rows(`
  1 = 1.0.0.0
  1.2 = 1.2.0
  1.0.0.0 = 1.0.0
  01.02.03 = 1.2.3
  1.0.0.1 > 1.0.0
  1.0.0.1 < 1.0.1
  1.0.0.1-beta > 1.0.0
  1.0.0+githash = 1.0.0
  1.0.0-beta+1 = 1.0.0-beta+2
  1.0.0-1 < 1.0.0-a
  1.0.0--1 < 1.0.0-0
  1.0.0-2147483647 < 1.0.0-2147483648
  1.0.0-2147483648 < 1.0.0-a
  2147483647.0 > 1.0
`);

// docs.microsoft.com NuGet "Package versioning": pre-release ordering example.
const DOCS_CHAIN = [
  '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
  '1.0.0-rc.1', '1.0.0',
];

describe('NuGet ordering: reference examples', () => {
  it('matches NuGet.Versioning tests', () => {
    expect(mismatches(nugetOrdering, NUGET_TESTS)).toEqual([]);
  });

  it('reads NuGetVersion forms (1-4 parts, metadata ignored, int-parsable labels)', () => {
    expect(mismatches(nugetOrdering, NUGET_VERSION)).toEqual([]);
    expect(chainMismatches(nugetOrdering, DOCS_CHAIN)).toEqual([]);
  });

  it('accepts the SemVer201SpecTests valid labels and metadata', () => {
    const valid = [
      '0.1.2-Alpha', '0.1.2-Alpha.2.34.5.453.345.345.345.345.A.B.bbbbbbb.Csdfdfdf', '0.1.2-Alpha-2-5Bdd', '0.1.2--',
      '0.1.2--B-C-', '0.1.2--B2.-.C.-A0-', '0.1.2+NoReleaseLabel', '0.1.2-02A', '0.1.2-2.A.02-', '0.1.2+02.02-02',
      '0.1.2+000000', '0.1.2----+----', '0.1.2+----.-.-.-', '1.2.3.4',
    ];
    for (const v of valid) expect({ v, valid: nugetOrdering.isValid(v) }).toEqual({ v, valid: true });
  });

  it('refuses invalid versions', () => {
    const invalid = [
      // SemVer201SpecTests invalid cases that NuGetVersion also rejects
      '1.2. 3', '1. 2.3', 'X.2.3', '1.2.Z', 'X.Y.Z', '-1.2.3', '1.-2.3', '0.1.2-Alpha..2', '0.1.2-Alpha.',
      '0.1.2-.AA', '0.1.2-', '0.1.2-alp=ha', '0.1.2-alp┐jj', '0.1.2-a&444', '0.1.2-02', '0.1.2-2.02', '0.1.2+ÄÄ',
      '0.1.2+2+A', '0.1.2+02A.', '0.1.2+02..A', '0.1.2+',
      // NuGetVersion grammar
      'v1.0.0', 'V1.0', '1.2.3.4.5', '', '1.0.0 ', ' 1.0.0', '2147483648.0.0',
      // Pinned refusals: empty numeric parts
      '1..2', '1.', '.1',
    ];
    for (const v of invalid) expectUnorderable(nugetOrdering, v);
  });
});

const nugetArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.array(fc.constantFrom('0', '1', '2', '10', '01'), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom('alpha', 'Alpha', 'beta', 'rc', '0', '1', '2', '10', '-1', 'a-b', '2147483648', 'Z'), { maxLength: 3 }),
        fc.array(fc.constantFrom('build', '01', 'sha', '-'), { maxLength: 2 }),
      )
      .map(
        ([core, pre, meta]) =>
          `${core.join('.')}${pre.length ? `-${pre.join('.')}` : ''}${meta.length ? `+${meta.join('.')}` : ''}`,
      ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

describeOrderingProperties(nugetOrdering, nugetArb);
