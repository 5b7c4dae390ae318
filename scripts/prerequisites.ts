import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** A program from a Debian package the tests need, and how to tell it is there. */
interface Prerequisite {
  readonly debianPackage: string;
  readonly why: string;
  present(): boolean;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function pythonHasPackaging(): boolean {
  return ['python3', '/usr/bin/python3'].some((py) => spawnSync(py, ['-c', 'import packaging.version'], { stdio: 'ignore' }).status === 0);
}

export const PREREQUISITES: readonly Prerequisite[] = [
  { debianPackage: 'docker-registry', why: 'the real OCI registry the integration tests push to', present: () => fs.existsSync('/usr/bin/docker-registry') || onPath('docker-registry') },
  { debianPackage: 'dpkg', why: 'dpkg --compare-versions, the Debian version-ordering oracle', present: () => onPath('dpkg') },
  { debianPackage: 'python3-packaging', why: "Python's packaging.version, the PEP 440 oracle", present: pythonHasPackaging },
  { debianPackage: 'zstd', why: 'building zstd-compressed test layers', present: () => onPath('zstd') },
  { debianPackage: 'openssl', why: 'independent ECDSA checks of our signatures', present: () => onPath('openssl') },
  { debianPackage: 'golang-go', why: 'real Go executables for the golang cataloger, and `go version -m`, its oracle', present: () => onPath('go') },
  { debianPackage: 'binutils', why: 'objcopy and readelf: a cargo-auditable .dep-v0 section added to a real executable for the rust cataloger', present: () => onPath('objcopy') && onPath('readelf') },
  { debianPackage: 'gcc', why: 'a real ELF executable for the rust cataloger when rustc is not installed', present: () => onPath('rustc') || onPath('gcc') },
  { debianPackage: 'default-jdk-headless', why: 'javac and jar: real jars, wars, ears and fat jars for the java cataloger', present: () => onPath('javac') && onPath('jar') },
  { debianPackage: 'unzip', why: 'Info-ZIP, the independent reader the java cataloger is checked against', present: () => onPath('unzip') },
  { debianPackage: 'rpm', why: 'rpmbuild and rpm --justdb write the real sqlite rpm databases the rpm cataloger reads; rpm -qa is its oracle', present: () => onPath('rpmbuild') && onPath('rpm') },
  { debianPackage: 'gpg', why: 'a fresh OpenPGP key imported into the test rpm database (a real gpg-pubkey entry)', present: () => onPath('gpg') },
  { debianPackage: 'ruby', why: 'gem build and gem install write the real gemspecs the ruby cataloger reads; Gem::Specification.load is its oracle', present: () => onPath('ruby') && onPath('gem') },
  { debianPackage: 'skopeo', why: 'containers/image loads the generated containers-policy.json and applies it to a promoted image (policy containers-policy)', present: () => onPath('skopeo') },
  { debianPackage: 'chromium', why: 'headless Chromium renders the history -o html page: a screenshot that is not blank, the key facts in its DOM, no network request (~290 MB installed)', present: () => onPath('chromium') },
  { debianPackage: 'composer', why: 'composer install (path repositories, offline) writes the real vendor/composer/installed.json the php cataloger reads; composer show is its oracle', present: () => onPath('composer') },
];

/**
 * Installs missing Debian packages when running as root with apt-get (CI, fresh machines);
 * otherwise says exactly what to install. Never skips silently. Debian's docker-registry
 * package starts a service on :5000; a temporary policy-rc.d keeps it from starting.
 */
export function ensurePrerequisites(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const missing = PREREQUISITES.filter((p) => !p.present());
  if (missing.length === 0) return;
  const names = missing.map((m) => m.debianPackage);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    const lines = missing.map((m) => `  ${m.debianPackage}: ${m.why}`).join('\n');
    throw new Error(`missing prerequisites (install them: sudo apt-get install -y ${names.join(' ')}):\n${lines}`);
  }
  log(`prerequisites: installing ${names.join(' ')} with apt-get`);
  const policy = '/usr/sbin/policy-rc.d';
  const createdPolicy = !fs.existsSync(policy);
  if (createdPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } finally {
    if (createdPolicy) fs.rmSync(policy, { force: true });
  }
  // The package enables a registry service that would hold :5000; ours run on free ports anyway.
  spawnSync('sh', ['-c', 'systemctl disable --now docker-registry 2>/dev/null || /etc/init.d/docker-registry stop 2>/dev/null; update-rc.d docker-registry disable 2>/dev/null'], { stdio: 'ignore' });
  const still = PREREQUISITES.filter((p) => !p.present());
  if (still.length) throw new Error(`prerequisites still missing after apt-get install: ${still.map((p) => p.debianPackage).join(' ')}`);
}
