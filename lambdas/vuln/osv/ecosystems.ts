/**
 * How OSV ecosystem strings and package names are compared. OSV ecosystems may carry a suffix
 * (`Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`, `Maven:https://maven.google.com`); records
 * and components meet in an index keyed by (ecosystem key, normalised name).
 */

/** The ecosystem name before any `:` suffix (`Debian:12` → `Debian`). */
export function ecosystemBase(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon === -1 ? ecosystem : ecosystem.slice(0, colon);
}

/**
 * The part of an ecosystem string that scopes matching. Release suffixes stay (a Debian 11
 * record says nothing about Debian 12); Ubuntu's `:LTS` marker goes (the release number alone
 * names the release, and our purls do not know whether it is LTS); Maven and Packagist
 * repository URLs go, because an SBOM rarely knows which repository a package came from and
 * the name already identifies it.
 */
export function ecosystemKey(ecosystem: string): string {
  const base = ecosystemBase(ecosystem);
  if (base === 'Maven' || base === 'Packagist') return base;
  if (base === 'Ubuntu' && ecosystem.endsWith(':LTS')) return ecosystem.slice(0, -':LTS'.length);
  return ecosystem;
}

/**
 * Package names as each ecosystem compares them: PyPI by PEP 503 (`Foo_Bar.baz` = `foo-bar-baz`);
 * npm, NuGet and Packagist case-insensitively (npm purls are lowercased by the purl spec while
 * some advisories spell names with capitals, e.g. GHSA-8hc4-vh64-cxmj's `Axios`; NuGet ids and
 * Composer names are case-insensitive). Everything else is compared exactly.
 */
export function normalizeName(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'npm':
    case 'NuGet':
    case 'Packagist':
      return name.toLowerCase();
    default:
      return name;
  }
}

/** The index key of a package: ecosystem key and normalised name. */
export function packageKey(ecosystem: string, name: string): string {
  return `${ecosystemKey(ecosystem)}\u0000${normalizeName(ecosystem, name)}`;
}

/**
 * Keys a component is looked up under: its release-scoped ecosystem, plus the unscoped
 * ecosystem for the distributions whose records may omit the release (the schema makes the
 * Debian and Ubuntu suffix optional; an unscoped record applies to every release).
 */
export function lookupKeys(ecosystem: string, name: string): string[] {
  const keys = [packageKey(ecosystem, name)];
  const base = ecosystemBase(ecosystem);
  if ((base === 'Debian' || base === 'Ubuntu') && base !== ecosystem) keys.push(packageKey(base, name));
  return keys;
}
