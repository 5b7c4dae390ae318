/**
 * From a component's purl to the OSV package it is matched as: ecosystem (with the distro
 * release for OS packages), name (the source package where OSV keys records on it) and the
 * version to compare. Components this cannot place are reported as not scanned, with why.
 * A purl without a version is still placed (version `''`): whether records name its package
 * decides whether the missing version matters, and only the matcher can tell.
 */
import { PackageURL } from 'packageurl-js';
import { normalizeName } from './ecosystems';
import { fastParsePurl } from './purl-parse';
import { ownEntry } from '../../core/own-entry';

export interface PackageTarget {
  /** OSV ecosystem string, release-scoped for distributions (`Debian:12`, `Alpine:v3.19`). */
  readonly ecosystem: string;
  /** Name as OSV keys it: the source package for Debian, Ubuntu and Alpine. */
  readonly name: string;
  /** The version compared with the records (the source version for deb when the purl has it); `''` when unknown. */
  readonly version: string;
}

export type TargetResult = { readonly target: PackageTarget } | { readonly unsupported: string };

// Debian codenames → release numbers (distro-info-data debian.csv); OSV uses the numbers.
const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10',
  bullseye: '11', bookworm: '12', trixie: '13', forky: '14', duke: '15',
};

// Ubuntu codenames → YY.MM (distro-info-data ubuntu.csv), for purls written with a codename.
const UBUNTU_CODENAMES: Readonly<Record<string, string>> = {
  trusty: '14.04', xenial: '16.04', bionic: '18.04', focal: '20.04', groovy: '20.10', hirsute: '21.04',
  impish: '21.10', jammy: '22.04', kinetic: '22.10', lunar: '23.04', mantic: '23.10', noble: '24.04',
  oracular: '24.10', plucky: '25.04', questing: '25.10',
};

/** `debian-12`, `debian-12.5`, `bookworm`, `debian-bookworm` → `12`; undefined when unknown. */
export function debianRelease(distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const value = distro.toLowerCase().replace(/^debian-?/, '');
  if (/^[0-9]+(\.[0-9]+)*$/.test(value)) {
    // Debian 4 onwards is numbered by its major version alone (os-release VERSION_ID "12").
    const major = value.split('.')[0] as string;
    return Number(major) >= 4 ? major : value;
  }
  if (value === 'sid' || value === 'unstable') return 'sid';
  return ownEntry(DEBIAN_CODENAMES, value);
}

/** `ubuntu-22.04`, `jammy`, `ubuntu-jammy` → `22.04`. */
export function ubuntuRelease(distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const value = distro.toLowerCase().replace(/^ubuntu-?/, '');
  const m = /^([0-9]{2}\.[0-9]{2})(\.[0-9]+)?$/.exec(value);
  return m ? m[1] : ownEntry(UBUNTU_CODENAMES, value);
}

/** `alpine-3.19.1` → `v3.19` (Alpine's OSV ecosystems name release branches). */
export function alpineRelease(distro: string | undefined): string | undefined {
  const m = distro ? /^(?:alpine-)?v?([0-9]+)\.([0-9]+)(?:[._].*)?$/i.exec(distro) : null;
  return m ? `v${m[1]}.${m[2]}` : undefined;
}

/** Splits `NAME[@VERSION]` (the `upstream` qualifier as Syft writes it). */
function splitUpstream(value: string): { name: string; version?: string } {
  const at = value.indexOf('@');
  return at === -1 ? { name: value } : { name: value.slice(0, at), version: value.slice(at + 1) || undefined };
}

/** `openssl-3.0.7-24.el9.src.rpm` → `openssl` (name-version-release.src.rpm). */
function rpmSourceName(value: string): string | undefined {
  const m = /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(value);
  return m ? m[1] : undefined;
}

/** Go toolchain versions (`go1.21.3`, `1.20`, `go1.22rc1`) in the SemVer form OSV's Go records use. */
function goToolchainVersion(version: string): string {
  const m = /^(?:go)?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?(?:(rc|beta|alpha)([0-9]+))?$/.exec(version);
  if (!m) return version;
  const core = `${m[1]}.${m[2]}.${m[3] ?? '0'}`;
  return m[4] ? `${core}-${m[4]}.${m[5]}` : core;
}

type Purl = { type: string; namespace?: string | null; name: string; version?: string | null; qualifiers?: Record<string, string> | null };

function osPackage(p: Purl, version: string): TargetResult {
  const q = p.qualifiers ?? {};
  const ns = (p.namespace ?? '').toLowerCase();
  if (p.type === 'deb') {
    const release = ns === 'ubuntu' ? ubuntuRelease(q.distro) : ns === 'debian' || ns === '' ? debianRelease(q.distro) : undefined;
    if (ns !== 'ubuntu' && ns !== 'debian' && ns !== '') return { unsupported: `deb packages of "${ns}" have no OSV ecosystem` };
    if (!release) return { unsupported: `unknown ${ns || 'debian'} release (distro qualifier "${q.distro ?? ''}")` };
    const upstream = q.upstream ? splitUpstream(q.upstream) : undefined;
    // OSV writes Ubuntu LTS releases (even years, April) as `Ubuntu:22.04:LTS`.
    const lts = ns === 'ubuntu' && /^[0-9]*[02468]\.04$/.test(release) ? ':LTS' : '';
    const ecosystem = `${ns === 'ubuntu' ? 'Ubuntu' : 'Debian'}:${release}${lts}`;
    // Debian and Ubuntu records name source packages and source versions (binNMUs such as
    // bash 5.2.15-2+b8 come from source 5.2.15-2): compare what the advisory compares.
    return { target: { ecosystem, name: upstream?.name || p.name, version: upstream?.version ?? version } };
  }
  if (p.type === 'apk') {
    const origin = q.upstream ? splitUpstream(q.upstream).name : p.name;
    if (ns === 'wolfi') return { target: { ecosystem: 'Wolfi', name: origin, version } };
    if (ns === 'chainguard') return { target: { ecosystem: 'Chainguard', name: origin, version } };
    if (ns !== 'alpine' && ns !== '') return { unsupported: `apk packages of "${ns}" have no OSV ecosystem` };
    const release = alpineRelease(q.distro);
    if (!release) return { unsupported: `unknown Alpine release (distro qualifier "${q.distro ?? ''}")` };
    // Alpine records name the origin (source) package; apk origin versions equal package versions.
    return { target: { ecosystem: `Alpine:${release}`, name: origin, version } };
  }
  // rpm: distributions whose OSV ecosystem is "<name>:<major release>".
  const RPM: Readonly<Record<string, string>> = { almalinux: 'AlmaLinux', rocky: 'Rocky Linux', mageia: 'Mageia' };
  const eco = ownEntry(RPM, ns);
  if (!eco) return { unsupported: `rpm packages of "${ns}" are not matched (no release-scoped OSV ecosystem mapping)` };
  const major = /^[a-z-]*?([0-9]+)/i.exec(q.distro ?? '')?.[1];
  if (!major) return { unsupported: `unknown ${eco} release (distro qualifier "${q.distro ?? ''}")` };
  const source = q.upstream ? rpmSourceName(q.upstream) : undefined;
  return { target: { ecosystem: `${eco}:${major}`, name: source ?? p.name, version: q.epoch ? `${q.epoch}:${version}` : version } };
}

const LANGUAGE: Readonly<Record<string, string>> = {
  npm: 'npm', pypi: 'PyPI', golang: 'Go', maven: 'Maven', gem: 'RubyGems', cargo: 'crates.io', nuget: 'NuGet',
  composer: 'Packagist', pub: 'Pub', hex: 'Hex', swift: 'SwiftURL', conan: 'ConanCenter', cran: 'CRAN', hackage: 'Hackage',
};

/** Joins namespace and name as each ecosystem writes full package names. */
function languageName(type: string, namespace: string | undefined, name: string): string {
  if (!namespace) return name;
  if (type === 'maven') return `${namespace}:${name}`;
  return `${namespace}/${name}`;
}

export function parsePurl(purl: string): Purl | undefined {
  try {
    return PackageURL.fromString(purl) as unknown as Purl;
  } catch {
    return undefined;
  }
}

/**
 * Go's pseudo-version for a main module built from a working tree (`go version -m` prints
 * `(devel)`; Syft writes it into the purl): no version at all, as far as matching goes.
 */
const GO_DEVEL = '(devel)';

/** The OSV package a purl names. `fallbackVersion` serves purls written without a version. */
export function purlTarget(purl: string, fallbackVersion?: string): TargetResult {
  const p = fastParsePurl(purl) ?? parsePurl(purl);
  // One reason for every unparsable purl: reports group components by reason.
  if (!p) return { unsupported: 'unparsable purl' };
  const version = p.version || fallbackVersion || '';
  if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') return osPackage(p, version);
  const ecosystem = ownEntry(LANGUAGE, p.type);
  if (!ecosystem) return { unsupported: `purl type "${p.type}" has no OSV ecosystem` };
  let name = languageName(p.type, p.namespace ?? undefined, p.name);
  // The purl spec lowercases npm names and PyPI names (which PEP 503 also folds `_` and `.`
  // into `-`): the canonical names OSV queries expect.
  if (p.type === 'npm' || p.type === 'pypi') name = normalizeName(ecosystem, name);
  if (p.type === 'golang') {
    // OSV's Go records write SemVer without Go's "v". The Go vulnerability database keeps the
    // standard library as module `stdlib` and the go command (cmd/go, cmd/cgo) as module
    // `toolchain` (GO-2023-1842): different modules, versioned alike (go1.20.4 → 1.20.4).
    if (name === 'stdlib' || name === 'toolchain') return { target: { ecosystem, name, version: goToolchainVersion(version) } };
    return { target: { ecosystem, name, version: version === GO_DEVEL ? '' : version.replace(/^v(?=[0-9])/, '') } };
  }
  return { target: { ecosystem, name, version } };
}

/**
 * The (ecosystem, name) a record's `affected[].package.purl` names, for language ecosystems
 * only: OS package purls in records name the same source package as `name` and carry no
 * release, so the ecosystem string stays authoritative there.
 */
export function recordPurlPackage(purl: string): { ecosystem: string; name: string } | undefined {
  const p = parsePurl(purl);
  if (!p) return undefined;
  const ecosystem = ownEntry(LANGUAGE, p.type);
  if (!ecosystem) return undefined;
  return { ecosystem, name: languageName(p.type, p.namespace ?? undefined, p.name) };
}
