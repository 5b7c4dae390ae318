/**
 * Clair v4's vulnerability report (`GET /matcher/api/v1/vulnerability_report/{digest}`, as
 * clairctl prints it): `manifest_hash`, `packages` by id, `distributions` by id, `environments`
 * (per package: `package_db`, `distribution_id`, `repository_ids`), `repository` by id,
 * `vulnerabilities` by id (`name`, `links`, `severity` as the updater wrote it,
 * `normalized_severity`, `fixed_in_version`, `updater`) and `package_vulnerabilities` (package
 * id → vulnerability ids). Clair writes no purls: packages are matched by name, version and the
 * ecosystem their distribution or repository implies. A vulnerability named by an advisory
 * (`DSA-5417-1 openssl - security update`, `RHSA-2023:1234: …`) takes the CVE ids its name and
 * links carry as aliases.
 */
import { BadInputError } from '../../core/errors';
import { severityWord } from '../severity';
import type { OpinionFinding, OpinionReport } from './imported-report';
import { digestIn, isObject, list, object, required, str, type Obj } from './json-input';
import { ownEntry } from '../../core/own-entry';

const DISTRIBUTION_TYPES: Readonly<Record<string, string>> = {
  debian: 'deb', ubuntu: 'deb', alpine: 'apk', rhel: 'rpm', centos: 'rpm', fedora: 'rpm', amzn: 'rpm', ol: 'rpm', rocky: 'rpm', almalinux: 'rpm', photon: 'rpm', suse: 'rpm', 'opensuse-leap': 'rpm',
};
const REPOSITORY_TYPES: Readonly<Record<string, string>> = { pypi: 'pypi', npm: 'npm', maven: 'maven', go: 'golang', rubygems: 'gem' };
const PACKAGE_DB_TYPES: readonly (readonly [RegExp, string])[] = [
  [/var\/lib\/dpkg\/status/, 'deb'],
  [/lib\/apk\/db\/installed/, 'apk'],
  [/var\/lib\/rpm|usr\/lib\/sysimage\/rpm/, 'rpm'],
];

const CVE = /CVE-\d{4}-\d{4,}/g;

const entries = (v: unknown, origin: string, where: string): [string, unknown][] => {
  if (v === undefined || v === null) return [];
  return Object.entries(object(v, origin, where));
};

/** The purl type a package's environment implies. */
function packageType(pkgId: string, doc: Obj, origin: string): string | undefined {
  const envs = isObject(doc.environments) ? list(doc.environments[pkgId], origin, `environments.${pkgId}`) : [];
  const distributions = isObject(doc.distributions) ? doc.distributions : {};
  const repositories = isObject(doc.repository) ? doc.repository : {};
  for (const e of envs.filter(isObject)) {
    const distId = str(e.distribution_id) ?? (typeof e.distribution_id === 'number' ? String(e.distribution_id) : undefined);
    const dist = distId ? distributions[distId] : undefined;
    const did = isObject(dist) ? str(dist.did) : undefined;
    const byDistribution = did ? ownEntry(DISTRIBUTION_TYPES, did) : undefined;
    if (byDistribution) return byDistribution;
    for (const rid of list(e.repository_ids, origin, `environments.${pkgId}[].repository_ids`)) {
      const repo = repositories[String(rid)];
      const type = isObject(repo) ? ownEntry(REPOSITORY_TYPES, (str(repo.name) ?? '').toLowerCase()) : undefined;
      if (type) return type;
    }
    const db = str(e.package_db) ?? '';
    for (const [re, type] of PACKAGE_DB_TYPES) if (re.test(db)) return type;
  }
  return undefined;
}

function vulnerabilityIds(v: Obj, origin: string, where: string): { id: string; aliases: string[] } {
  const name = required(v.name, origin, `${where}.name`);
  const cves = [...new Set([...name.matchAll(CVE), ...(str(v.links) ?? '').matchAll(CVE)].map((m) => m[0]))];
  const head = name.split(/[\s:]+(?=[^\d])/)[0] ?? name;
  const id = /^[A-Za-z][A-Za-z0-9]*-[\w.:-]+$/.test(head) ? head.replace(/:$/, '') : (cves[0] ?? name);
  return { id, aliases: cves.filter((c) => c !== id) };
}

export function isClairReport(doc: Obj): boolean {
  return typeof doc.manifest_hash === 'string' && 'package_vulnerabilities' in doc;
}

export function parseClairReport(doc: Obj, origin: string): OpinionReport {
  const manifest = required(doc.manifest_hash, origin, 'manifest_hash');
  const digest = digestIn(manifest);
  if (!digest) throw new BadInputError(`${origin}: manifest_hash ${JSON.stringify(manifest)} is not a sha256 digest`);
  const packages = isObject(doc.packages) ? doc.packages : {};
  const vulnerabilities = isObject(doc.vulnerabilities) ? doc.vulnerabilities : {};
  const findings: OpinionFinding[] = [];
  for (const [pkgId, vulnIds] of entries(doc.package_vulnerabilities, origin, 'package_vulnerabilities')) {
    const pkg = object(packages[pkgId], origin, `packages.${pkgId} (named by package_vulnerabilities)`);
    const name = required(pkg.name, origin, `packages.${pkgId}.name`);
    const version = required(pkg.version, origin, `packages.${pkgId}.version`);
    const source = isObject(pkg.source) ? str(pkg.source.name) : undefined;
    const type = packageType(pkgId, doc, origin);
    for (const vid of list(vulnIds, origin, `package_vulnerabilities.${pkgId}`)) {
      const where = `vulnerabilities.${String(vid)}`;
      const v = object(vulnerabilities[String(vid)], origin, `${where} (named by package_vulnerabilities.${pkgId})`);
      const { id, aliases } = vulnerabilityIds(v, origin, where);
      const vendor = severityWord(str(v.severity) ?? '');
      const fixed = str(v.fixed_in_version);
      findings.push({
        id,
        aliases,
        package: { name, version, ...(type ? { type } : {}), ...(source && source !== name ? { source } : {}) },
        severity: severityWord(str(v.normalized_severity) ?? 'unknown') ?? 'unknown',
        vendorSeverities: vendor ? [{ source: str(v.updater) ?? 'clair', severity: vendor }] : [],
        fixed: fixed ? [fixed] : [],
        status: 'affected',
      });
    }
  }
  return { format: 'clair-v4', tool: { name: 'clair' }, subject: { digests: [digest] }, findings, origin };
}
