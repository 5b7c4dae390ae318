import { apkOrdering } from '../../../../lambdas/vuln/versions/apk';
import { dpkgOrdering } from '../../../../lambdas/vuln/versions/dpkg';
import { orderingFor } from '../../../../lambdas/vuln/versions/index';
import { MAX_VERSION_LENGTH } from '../../../../lambdas/vuln/versions/internal';
import { mavenOrdering } from '../../../../lambdas/vuln/versions/maven';
import { nugetOrdering } from '../../../../lambdas/vuln/versions/nuget';
import type { VersionOrdering } from '../../../../lambdas/vuln/versions/ordering';
import { packagistOrdering } from '../../../../lambdas/vuln/versions/packagist';
import { pep440Ordering } from '../../../../lambdas/vuln/versions/pep440';
import { rpmOrdering } from '../../../../lambdas/vuln/versions/rpm';
import { rubygemsOrdering } from '../../../../lambdas/vuln/versions/rubygems';
import { pubOrdering, semverOrdering } from '../../../../lambdas/vuln/versions/semver';

const EXPECTED: ReadonlyArray<readonly [string, VersionOrdering]> = [
  ['Debian', dpkgOrdering],
  ['Debian:12', dpkgOrdering],
  ['Debian:sid', dpkgOrdering],
  ['Ubuntu:22.04:LTS', dpkgOrdering],
  ['Ubuntu:Pro:18.04:LTS', dpkgOrdering],
  ['Alpine:v3.19', apkOrdering],
  ['Wolfi', apkOrdering],
  ['Chainguard', apkOrdering],
  ['Red Hat:rhel_aus:8.4::appstream', rpmOrdering],
  ['Red Hat:enterprise_linux:9::baseos', rpmOrdering],
  ['Rocky Linux:9', rpmOrdering],
  ['AlmaLinux', rpmOrdering],
  ['AlmaLinux:8', rpmOrdering],
  ['SUSE:Linux Enterprise Server 15 SP5', rpmOrdering],
  ['openSUSE:Tumbleweed', rpmOrdering],
  ['Mageia:9', rpmOrdering],
  ['Photon OS:3.0', rpmOrdering],
  ['PyPI', pep440Ordering],
  ['npm', semverOrdering],
  ['crates.io', semverOrdering],
  ['Go', semverOrdering],
  ['Hex', semverOrdering],
  ['SwiftURL', semverOrdering],
  ['Pub', pubOrdering],
  ['Maven', mavenOrdering],
  ['Maven:https://maven.google.com', mavenOrdering],
  ['RubyGems', rubygemsOrdering],
  ['NuGet', nugetOrdering],
  ['Packagist', packagistOrdering],
  ['Packagist:https://packages.drupal.org/8', packagistOrdering],
];

describe('orderingFor', () => {
  it.each(EXPECTED)('maps %s', (ecosystem, ordering) => {
    expect(orderingFor(ecosystem)).toBe(ordering);
  });

  it('returns undefined for ecosystems without an ordering, and is case-sensitive', () => {
    for (const e of ['GIT', 'Linux', 'Android', 'CRAN', 'Hackage', 'OSS-Fuzz', 'debian', 'PYPI', 'Npm', '', ':12', 'Debian 12']) {
      expect({ e, ordering: orderingFor(e) }).toEqual({ e, ordering: undefined });
    }
    expect(orderingFor(undefined as unknown as string)).toBeUndefined();
  });

  it('gives orderings that work end to end', () => {
    expect(orderingFor('Debian:12')?.compare('1.2.3-1~deb12u1', '1.2.3-1')).toBeLessThan(0);
    expect(orderingFor('Go')?.compare('v1.2.3', '1.2.4')).toBeLessThan(0);
    expect(orderingFor('PyPI')?.compare('1.0.post1', '1.0')).toBeGreaterThan(0);
  });
});

describe('robustness of every ordering against hostile strings', () => {
  const orderings = [...new Set(EXPECTED.map(([, o]) => o))];
  const L = MAX_VERSION_LENGTH - 10;
  const hostile = [
    '1'.repeat(L) + 'x',
    '1.'.repeat(L / 2) + 'x',
    '1.0-beta' + '1'.repeat(L - 10) + '!', // exponential in a naive port of Composer's modifier regex
    '1.0-beta' + '1.'.repeat(L / 2 - 5) + '!',
    ' '.repeat(L / 2) + '1' + ' '.repeat(L / 2 - 2) + 'x', // quadratic with two adjacent \s*
    '1' + '-'.repeat(L - 2) + 'x',
    '1' + '-1'.repeat(L / 2 - 1), // a Maven list nested ~500 deep
    '1.0+' + 'a.'.repeat(L / 2 - 3) + '!',
    '1:'.repeat(L / 2),
    '1' + '~'.repeat(L - 1),
  ];

  it('answers quickly, compares deep versions without overflowing, refuses over-long input', () => {
    const started = Date.now();
    for (const o of orderings) {
      for (const v of hostile) {
        if (o.isValid(v)) expect(typeof o.compare(v, `${v.slice(0, -1)}2`)).toBe('number');
      }
      expect(o.isValid('1'.repeat(MAX_VERSION_LENGTH + 1))).toBe(false);
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
