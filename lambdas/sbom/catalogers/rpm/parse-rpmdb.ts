import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, MAX_FIELD, MAX_METADATA, WarningSink } from '../common/text';
import { parseRpmHeader, TAG } from './parse-header';
import { readSqliteTable } from './sqlite-reader';

const NONE = '(none)';
const present = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === NONE ? undefined : v);

/** One installed package from its header; undefined (with a warning) when it has no name, version or release. */
export function packageFromHeader(blob: Uint8Array, where: string, warnings: WarningSink): CatalogedPackage | undefined {
  const h = parseRpmHeader(blob);
  if (typeof h === 'string') {
    warnings.add(`${where}: ${h}; skipped`);
    return undefined;
  }
  const name = present(h.string(TAG.NAME));
  const version = present(h.string(TAG.VERSION));
  const release = present(h.string(TAG.RELEASE));
  if (!name || !version || !release) {
    warnings.add(`${where}: header without name, version and release; skipped`);
    return undefined;
  }
  const epoch = h.int(TAG.EPOCH);
  const arch = present(h.string(TAG.ARCH));
  const sourceRpm = present(h.string(TAG.SOURCERPM));
  const license = present(h.string(TAG.LICENSE));
  const vendor = present(h.string(TAG.VENDOR));
  const summary = present(h.string(TAG.SUMMARY));
  const modularity = present(h.string(TAG.MODULARITYLABEL));
  const metadata: Record<string, string> = { version: clip(version, MAX_FIELD), release: clip(release, MAX_FIELD) };
  if (epoch !== undefined) metadata.epoch = String(epoch);
  if (sourceRpm) metadata.sourceRpm = clip(sourceRpm, MAX_FIELD);
  if (vendor) metadata.vendor = clip(vendor, MAX_METADATA);
  if (summary) metadata.summary = clip(summary, MAX_METADATA);
  if (modularity) metadata.modularityLabel = clip(modularity, MAX_METADATA);
  // Imported signing keys are stored as pseudo-packages named gpg-pubkey (version = key id,
  // release = creation time). `rpm -qa` and Syft list them; so do we, marked as such.
  if (name === 'gpg-pubkey') metadata.pseudoPackage = 'gpg-pubkey';
  return {
    ecosystem: 'rpm',
    name: clip(name, MAX_FIELD),
    // Syft's form: [epoch:]version-release; the purl carries the epoch as a qualifier instead.
    version: clip(`${epoch !== undefined ? `${epoch}:` : ''}${version}-${release}`, MAX_FIELD),
    ...(arch ? { arch: clip(arch, MAX_FIELD) } : {}),
    ...(sourceRpm ? { sourceName: clip(sourceRpm, MAX_FIELD) } : {}),
    licenses: license ? [clip(license, MAX_FIELD)] : [],
    metadata,
  };
}

/**
 * Installed packages from an rpm sqlite database (`rpmdb.sqlite`: RHEL 9+, Fedora 33+, Amazon
 * Linux 2023, CentOS Stream 9): every row of the `Packages` table is one installed package's
 * header. The table is read in place by `sqlite-reader.ts` (no copy of the database, no WASM;
 * the tests check it against SQLite itself, as sql.js, and against `rpm -qa`). The WAL file
 * beside the database, rarely holding uncommitted rows in images, is not read. Never throws: an
 * unreadable database is a warning.
 */
export function parseRpmDb(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const packages: CatalogedPackage[] = [];
  const err = readSqliteTable(content, 'Packages', (hnum, values) => {
    if (typeof values === 'string') {
      warnings.add(`package ${hnum}: ${values}; skipped`);
      return;
    }
    const blob = values[1];
    if (!Buffer.isBuffer(blob)) {
      warnings.add(`package ${hnum}: blob is not binary; skipped`);
      return;
    }
    const pkg = packageFromHeader(blob, `package ${hnum}`, warnings);
    if (pkg) packages.push(pkg);
  });
  if (err) warnings.add(/^no such table/.test(err) ? `not an rpm database (${err})` : `rpm sqlite database not readable: ${err}`);
  return { packages, warnings: warnings.list() };
}

/** The database formats rpm used before sqlite, recognised by their first bytes. */
export function legacyRpmDbFormat(head: Buffer): string {
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'RpmP') return 'ndb';
  if (head.length >= 16) {
    const le = head.readUInt32LE(12);
    const be = head.readUInt32BE(12);
    if (le === 0x061561 || be === 0x061561) return 'BerkeleyDB (hash)';
    if (le === 0x053162 || be === 0x053162) return 'BerkeleyDB (btree)';
  }
  return 'unknown';
}
