/**
 * Version ordering per OSV ecosystem (ossf/osv-schema `ecosystems.json`). Ecosystem strings are
 * case-sensitive and may carry a `:suffix` (`Debian:12`, `Alpine:v3.19`, `Ubuntu:Pro:18.04:LTS`,
 * `Red Hat:rhel_aus:8.4::appstream`, `Maven:https://maven.google.com`); the part before the
 * first colon picks the ordering. Ecosystems without a version ordering here (GIT, Linux,
 * Android, CRAN, Hackage, ConanCenter, GitHub Actions, Bitnami, …) get undefined.
 */
import { apkOrdering } from './apk';
import { dpkgOrdering } from './dpkg';
import { mavenOrdering } from './maven';
import { nugetOrdering } from './nuget';
import type { VersionOrdering } from './ordering';
import { packagistOrdering } from './packagist';
import { pep440Ordering } from './pep440';
import { rpmOrdering } from './rpm';
import { rubygemsOrdering } from './rubygems';
import { pubOrdering, semverOrdering } from './semver';

export { UnorderableVersionError, type VersionOrdering } from './ordering';

const BY_ECOSYSTEM: ReadonlyMap<string, VersionOrdering> = new Map([
  ['Debian', dpkgOrdering],
  ['Ubuntu', dpkgOrdering],
  ['Alpine', apkOrdering],
  ['Wolfi', apkOrdering],
  ['Chainguard', apkOrdering],
  ['Red Hat', rpmOrdering],
  ['Rocky Linux', rpmOrdering],
  ['AlmaLinux', rpmOrdering],
  ['SUSE', rpmOrdering],
  ['openSUSE', rpmOrdering],
  ['Mageia', rpmOrdering],
  ['Photon OS', rpmOrdering],
  ['PyPI', pep440Ordering],
  ['npm', semverOrdering],
  ['crates.io', semverOrdering],
  ['Go', semverOrdering],
  ['Hex', semverOrdering],
  ['SwiftURL', semverOrdering],
  ['Pub', pubOrdering],
  ['Maven', mavenOrdering],
  ['RubyGems', rubygemsOrdering],
  ['NuGet', nugetOrdering],
  ['Packagist', packagistOrdering],
]);

export function orderingFor(osvEcosystem: string): VersionOrdering | undefined {
  if (typeof osvEcosystem !== 'string') return undefined;
  const colon = osvEcosystem.indexOf(':');
  return BY_ECOSYSTEM.get(colon === -1 ? osvEcosystem : osvEcosystem.slice(0, colon));
}
