/**
 * Trivy's JSON report (`trivy image --format json`, SchemaVersion 2): `Results[].Vulnerabilities[]`
 * with `VulnerabilityID`, `PkgName`, `PkgIdentifier.PURL`, `InstalledVersion`, `FixedVersion`
 * (comma-separated), `Severity`, `VendorSeverity` (0 unknown … 4 critical, per vendor) and
 * `Status`; the image in `ArtifactName`, `Metadata.RepoDigests` (`repo@sha256:…`, the manifest
 * or index digest) and `Metadata.ImageID` (the config digest). Trivy's `Status: fixed` means a fix
 * exists (the package is still affected); only `not_affected` rules a vulnerability out.
 */
import { BadInputError } from '../../core/errors';
import { severityWord, type Severity } from '../severity';
import type { OpinionFinding, OpinionReport, OpinionStatus, VendorSeverity } from './imported-report';
import { digestIn, isObject, list, looksLikeId, object, required, str, strings, type Obj } from './json-input';
import { ownEntry } from '../../core/own-entry';

const VENDOR_LEVELS: readonly Severity[] = ['unknown', 'low', 'medium', 'high', 'critical'];

/** Trivy's `Result.Type` (the analyzer) → the purl type of its packages. */
const RESULT_TYPES: Readonly<Record<string, string>> = {
  debian: 'deb', ubuntu: 'deb', alpine: 'apk', wolfi: 'apk', chainguard: 'apk', redhat: 'rpm', centos: 'rpm', rocky: 'rpm', alma: 'rpm',
  amazon: 'rpm', oracle: 'rpm', fedora: 'rpm', photon: 'rpm', 'cbl-mariner': 'rpm', azurelinux: 'rpm', suse: 'rpm', opensuse: 'rpm',
  npm: 'npm', yarn: 'npm', pnpm: 'npm', 'node-pkg': 'npm', pip: 'pypi', pipenv: 'pypi', poetry: 'pypi', uv: 'pypi', 'python-pkg': 'pypi',
  gobinary: 'golang', gomod: 'golang', jar: 'maven', pom: 'maven', gradle: 'maven', sbt: 'maven', bundler: 'gem', gemspec: 'gem',
  cargo: 'cargo', 'rust-binary': 'cargo', composer: 'composer', 'composer-vendor': 'composer', nuget: 'nuget', 'dotnet-core': 'nuget',
  'packages-props': 'nuget', pub: 'pub', hex: 'hex', conan: 'conan', swift: 'swift', cocoapods: 'cocoapods',
};

/** Trivy's statuses (trivy-db `types.Status`): only `not_affected` rules out. */
function status(v: unknown): { status: OpinionStatus; detail?: string } {
  const s = str(v);
  if (s === 'not_affected') return { status: 'not_affected', detail: s };
  if (s === 'under_investigation') return { status: 'under_investigation', detail: s };
  return { status: 'affected', ...(s ? { detail: s } : {}) };
}

function vendorSeverities(v: unknown): VendorSeverity[] {
  if (!isObject(v)) return [];
  return Object.entries(v).flatMap(([source, level]) => {
    const severity = typeof level === 'number' ? VENDOR_LEVELS[level] : typeof level === 'string' ? severityWord(level) : undefined;
    return severity ? [{ source, severity }] : [];
  });
}

function finding(v: unknown, type: string | undefined, origin: string, where: string): OpinionFinding {
  const o = object(v, origin, where);
  const id = required(o.VulnerabilityID, origin, `${where}.VulnerabilityID`);
  const name = required(o.PkgName, origin, `${where}.PkgName`);
  const version = required(o.InstalledVersion, origin, `${where}.InstalledVersion`);
  const purl = isObject(o.PkgIdentifier) ? str(o.PkgIdentifier.PURL) : undefined;
  const { status: st, detail } = status(o.Status);
  const title = str(o.Title);
  return {
    id,
    aliases: strings(o.VendorIDs).filter(looksLikeId),
    package: { name, version, ...(purl ? { purl } : {}), ...(type ? { type } : {}) },
    severity: severityWord(str(o.Severity) ?? 'unknown') ?? 'unknown',
    vendorSeverities: vendorSeverities(o.VendorSeverity),
    fixed: (str(o.FixedVersion) ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    status: st,
    ...(detail ? { statusDetail: detail } : {}),
    ...(title ? { title } : {}),
  };
}

function platformOf(meta: Obj): string | undefined {
  const config = isObject(meta.ImageConfig) ? meta.ImageConfig : undefined;
  const os = str(config?.os);
  const arch = str(config?.architecture);
  return os && arch ? `${os}/${arch}` : undefined;
}

export function isTrivyReport(doc: Obj): boolean {
  return typeof doc.SchemaVersion === 'number' && ('Results' in doc || 'ArtifactName' in doc);
}

export function parseTrivyReport(doc: Obj, origin: string): OpinionReport {
  if (doc.SchemaVersion !== 2) throw new BadInputError(`${origin}: Trivy JSON SchemaVersion ${JSON.stringify(doc.SchemaVersion)} is not supported (2)`);
  const meta = isObject(doc.Metadata) ? doc.Metadata : {};
  const digests = [...strings(meta.RepoDigests).map(digestIn), digestIn(meta.ImageID), digestIn(doc.ArtifactName)].filter((d): d is string => !!d);
  const findings = list(doc.Results, origin, 'Results').flatMap((r, i) => {
    const result = object(r, origin, `Results[${i}]`);
    const type = ownEntry(RESULT_TYPES, str(result.Type) ?? '');
    return list(result.Vulnerabilities, origin, `Results[${i}].Vulnerabilities`).map((v, j) => finding(v, type, origin, `Results[${i}].Vulnerabilities[${j}]`));
  });
  const trivy = isObject(doc.Trivy) ? doc.Trivy : undefined;
  const version = str(trivy?.Version);
  const createdAt = str(doc.CreatedAt);
  const name = str(doc.ArtifactName);
  const platform = platformOf(meta);
  return {
    format: 'trivy-json',
    tool: { name: 'trivy', ...(version ? { version } : {}) },
    ...(createdAt ? { scannedAt: createdAt } : {}),
    subject: { digests: [...new Set(digests)], ...(name ? { name } : {}), ...(platform ? { platform } : {}) },
    findings,
    origin,
  };
}
