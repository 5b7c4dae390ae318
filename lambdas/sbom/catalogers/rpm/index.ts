import type { SyncCataloger } from '../../cataloger';
import { legacyRpmDbFormat, parseRpmDb } from './parse-rpmdb';
import { rpmPurl } from './purl';

/** The sqlite rpm database: `var/lib/rpm` (RHEL 9, Amazon Linux 2023), `usr/lib/sysimage/rpm` (Fedora 36+, where var/lib/rpm is a link). */
const SQLITE = ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite'];

/** Older formats, recognised only to say they were not read: BerkeleyDB (RHEL ≤ 8, CentOS 7, Amazon Linux 2) and ndb (SUSE). */
const LEGACY = ['var/lib/rpm/Packages', 'usr/lib/sysimage/rpm/Packages', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db'];

/** rpm-based images: installed packages from the sqlite rpm database. */
export const rpmCataloger: SyncCataloger = {
  name: 'rpm',
  // rpmdb.sqlite is 5-30 MB on typical images; its b-trees need the whole file (48 MiB: see buffer-budget.ts).
  maxFileSize: 48 * 1024 * 1024,
  wants: (path) => path.endsWith('/rpmdb.sqlite') && SQLITE.includes(path),
  content: {
    // Path-based: the legacy databases are sniffed (16 bytes) to name their format, never buffered.
    candidate: (path) => (path.endsWith('/Packages') || path.endsWith('/Packages.db')) && LEGACY.includes(path),
    headBytes: 16,
    inspect: (head) => `rpm database format ${legacyRpmDbFormat(head)} not read (only the sqlite rpmdb.sqlite of RHEL 9+, Fedora 33+ and Amazon Linux 2023 is): the rpm packages of this image are not in this SBOM`,
  },
  parse: parseRpmDb,
  purl: rpmPurl,
};
