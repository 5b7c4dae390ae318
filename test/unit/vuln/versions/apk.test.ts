import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { apkOrdering } from '../../../../lambdas/vuln/versions/apk';
import { chainMismatches, describeOrderingProperties, expectUnorderable, joined, mismatches, rows } from './helpers';

// apk-tools test/version.data (the older, pre-`~hash` copy of test/unit/version.data), verbatim.
const VERSION_DATA = rows(fs.readFileSync(path.join(__dirname, 'fixtures', 'apk-version.data'), 'utf8'));

// Rows of version.data that compare a version apk_version_validate rejects: apk still orders
// them by a fallback; this module refuses them.
const INVALID_IN_DATA = ['23_foo', '1.0bc'];

// Rows quoted from the current test/unit/version.data.
const CURRENT_DATA = rows(`
  8.2.0015 < 8.2.002
  6.0_pre1 < 6.0
  6.0_p1 > 6.0
  1.02 < 1.03-r1
  2.0.0_rc3-r1 > 1.5
`);

// Authored from src/version.c (token_cmp and the tail of apk_version_compare_fuzzy) for rules
// version.data does not pin down: leading-zero string sort, suffix ranks, `~hash`, `-r`.
const DERIVED = rows(`
  1.0 < 1.0.0
  1.0 < 1.00
  1.05 < 1.1
  1.10 > 1.9
  1.010 < 1.9
  01 = 1
  1.0_rc1 < 1.0
  1.0_rc1-r5 < 1.0
  1.0_alpha < 1.0_alpha1
  1.0_alpha < 1.0_beta
  1.0_beta < 1.0_pre
  1.0_pre < 1.0_rc
  1.0 < 1.0_cvs
  1.0_cvs < 1.0_svn
  1.0_svn < 1.0_git
  1.0_git < 1.0_hg
  1.0_hg < 1.0_p
  1.0_git20230101 < 1.0_git20230102
  1.0 < 1.0a
  1.0a < 1.0.1
  1.0_p1 < 1.0a
  1.0~1234 < 1.0~1235
  1.0~abc < 1.0~abd
  1.0~abc < 1.0~abcd
  1.0 < 1.0~abc
  1.0-r1 < 1.0~abc
  1.0_rc1~abc < 1.0
  1.0-r0 > 1.0
  1.0-r09 = 1.0-r9
  1.0_p01 = 1.0_p1
  1.2.3-r18446744073709551615 > 1.2.3-r18446744073709551614
`);

describe('apk ordering: reference examples', () => {
  it('orders every valid row of version.data', () => {
    const valid = VERSION_DATA.filter(([a, , b]) => apkOrdering.isValid(a) && apkOrdering.isValid(b));
    const skipped = VERSION_DATA.filter((row) => !valid.includes(row)).map(([a, op, b]) => `${a} ${op} ${b}`);
    expect(skipped).toEqual(['23_foo > 4_beta', '1.0 < 1.0bc']);
    expect(valid.length).toBeGreaterThan(590);
    expect(mismatches(apkOrdering, valid)).toEqual([]);
  });

  it('orders rows of the current version.data and rules derived from version.c', () => {
    expect(mismatches(apkOrdering, [...CURRENT_DATA, ...DERIVED])).toEqual([]);
  });

  it('orders an Alpine security-update chain', () => {
    const chain = ['3.0.8_alpha1-r0', '3.0.8_rc2-r0', '3.0.8-r0', '3.0.8-r1', '3.0.8-r10', '3.0.8_p1-r0', '3.0.9-r0', '3.1.0-r0'];
    expect(chainMismatches(apkOrdering, chain)).toEqual([]);
  });

  it('refuses versions apk_version_validate rejects', () => {
    const invalid = [
      ...INVALID_IN_DATA,
      '0.1bc', '0.1-r', '0.1_foobar', 'a', '', '.1', '1.', '1..2', '1.0a1', '1.0_alpha1.2',
      '1.0-r1-r2', '1.0-1', '1.0~', '1.0~ABC', '1.0~abc~def', '1.0-r1~abc', '1.0-r1_p1', '1.0_',
      '1.0_Alpha', '1.0_constructor', '1.0_toString', 'v1.0', '1.0 ', ' 1.0', '1.0A', '1.0-r18446744073709551616',
    ];
    for (const v of invalid) expectUnorderable(apkOrdering, v);
  });

  it('accepts the full grammar', () => {
    for (const v of ['0', '1.2.3a_alpha1_pre2_p3~0f1e-r9', '0.1_pre2~1234abcd', '1.0_alpha_pre2', '1_p', '001.002']) {
      expect({ v, valid: apkOrdering.isValid(v) }).toEqual({ v, valid: true });
    }
  });
});

const apkArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('0', '1', '2', '10', '01', '00'),
        joined(fc.constantFrom('.0', '.1', '.2', '.10', '.01', '.00'), 3),
        fc.constantFrom('', '', 'a', 'z'),
        fc.array(fc.tuple(fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'p', 'git', 'cvs', 'svn', 'hg'), fc.constantFrom('', '1', '2', '01', '10')), { maxLength: 2 }),
        fc.constantFrom('', '', '~abc', '~0f', '~abd'),
        fc.constantFrom('', '', '-r0', '-r1', '-r10'),
      )
      .map(([n, dots, l, sfx, h, r]) => `${n}${dots}${l}${sfx.map(([w, d]) => `_${w}${d}`).join('')}${h}${r}`),
  },
  { weight: 1, arbitrary: joined(fc.constantFrom('1', '.', '0', 'a', '_p', '_foo', '-r', '-', '~', 'B', '_'), 6) },
);

describeOrderingProperties(apkOrdering, apkArb);
