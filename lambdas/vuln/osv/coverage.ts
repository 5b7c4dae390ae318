/**
 * What OSV data covers, decided per ecosystem: a component is only checked when the data
 * could hold records for its ecosystem (and distribution release). Offline data covers the
 * ecosystems its records name; the OSV.dev API covers the ecosystems OSV defines.
 */
import type { DataCoverage } from '../vulnerability-source';
import { ecosystemBase, ecosystemKey } from './ecosystems';
import type { OsvRecord } from './types';

/** Distributions whose records may omit the release: an unscoped record applies to every release (see `lookupKeys`). */
const UNSCOPED_APPLIES_TO_RELEASES: ReadonlySet<string> = new Set(['Debian', 'Ubuntu']);

/** Coverage of a data set held whole: the ecosystem keys of every record's affected packages. */
export function recordCoverage(records: Iterable<OsvRecord>): DataCoverage {
  const keys = new Set<string>();
  // Withdrawn records count: they show that the export included their ecosystem.
  for (const r of records) for (const a of r.affected ?? []) keys.add(ecosystemKey(a.package.ecosystem));
  return keyCoverage(keys);
}

export function keyCoverage(keys: ReadonlySet<string>): DataCoverage {
  return {
    covers(ecosystem: string): boolean {
      if (keys.has(ecosystemKey(ecosystem))) return true;
      const base = ecosystemBase(ecosystem);
      return UNSCOPED_APPLIES_TO_RELEASES.has(base) && keys.has(base);
    },
    ecosystems: [...keys].sort(),
  };
}

/**
 * Ecosystem names the OSV schema defines: ossf/osv-schema `validation/schema.json`,
 * `$defs.ecosystemName.enum` (the same list as `ecosystems.json`), commit
 * 51b8156b69b9e2e9ff2301e649db61636067fcfa (2026-07-01). OSV.dev aggregates the databases
 * publishing these. A name added to the schema later is refused here until this list
 * follows: the scan then says "not covered" rather than trusting an answer it cannot place.
 */
export const OSV_ECOSYSTEMS: readonly string[] = [
  'AlmaLinux', 'Alpaquita', 'Alpine', 'Android', 'Azure Linux', 'BellSoft Hardened Containers', 'Bioconductor',
  'Bitnami', 'Chainguard', 'CleanStart', 'ConanCenter', 'CRAN', 'crates.io', 'Debian', 'Docker Hardened Images',
  'Echo', 'FreeBSD', 'GHC', 'GitHub Actions', 'Go', 'Hackage', 'Hex', 'Julia', 'Kubernetes', 'Linux', 'Mageia',
  'Maven', 'MinimOS', 'npm', 'NuGet', 'opam', 'openEuler', 'openSUSE', 'OSS-Fuzz', 'Packagist', 'Photon OS', 'Pub',
  'PyPI', 'Red Hat', 'Rocky Linux', 'Root', 'RubyGems', 'SUSE', 'SwiftURL', 'TuxCare', 'Ubuntu', 'VSCode', 'Wolfi',
];

const OSV_ECOSYSTEM_SET: ReadonlySet<string> = new Set(OSV_ECOSYSTEMS);

/**
 * Coverage of the OSV.dev API, trusted per base ecosystem: the API cannot enumerate which
 * distribution releases it holds (no endpoint lists `Debian:*` releases), so `Debian:12` is
 * covered because `Debian` is. A release OSV.dev has no data for yet answers "no records",
 * which is the one doubt this source cannot report.
 */
export const osvApiCoverage: DataCoverage = {
  covers: (ecosystem: string): boolean => OSV_ECOSYSTEM_SET.has(ecosystemBase(ecosystem)),
};
