/**
 * Amazon Inspector findings for an ECR image, as `inspector2:ListFindings` returns them (the
 * `findings[]` of its response, also what `aws inspector2 list-findings` prints): `Finding`
 * with `type` PACKAGE_VULNERABILITY, `status` ACTIVE | SUPPRESSED | CLOSED, `severity`
 * (INFORMATIONAL … CRITICAL, UNTRIAGED), `packageVulnerabilityDetails { vulnerabilityId,
 * relatedVulnerabilities, vendorSeverity, source, vulnerablePackages[{ name, version, epoch,
 * release, arch, packageManager, fixedInVersion }] }` and `resources[{ type:
 * AWS_ECR_CONTAINER_IMAGE, details.awsEcrContainerImage { imageHash, repositoryName } }]`. CLOSED findings (no longer present) are left out; SUPPRESSED
 * ones (an Inspector suppression rule of the account) still count here: the gate's exceptions
 * are its own ignore and VEX rules.
 */
import { BadInputError } from '../../core/errors';
import { severityWord } from '../severity';
import type { OpinionFinding, OpinionReport } from './imported-report';
import { digestIn, isObject, list, looksLikeId, object, required, str, strings, type Obj } from './json-input';
import { ownEntry } from '../../core/own-entry';

/** Inspector's packageManager values → purl types (OS packages take the image's distribution: matched by name and version). */
const PACKAGE_MANAGERS: Readonly<Record<string, string>> = {
  NPM: 'npm', YARN: 'npm', NODEPKG: 'npm', PIP: 'pypi', PIPENV: 'pypi', POETRY: 'pypi', PYTHONPKG: 'pypi', JAR: 'maven', POM: 'maven', GRADLE: 'maven',
  GOBINARY: 'golang', GOMOD: 'golang', GEMSPEC: 'gem', BUNDLER: 'gem', CARGO: 'cargo', NUGET: 'nuget', DOTNET_CORE: 'nuget', COMPOSER: 'composer',
};

/** Inspector splits OS package versions: `[epoch:]version[-release]` is how dpkg, apk and rpm write them whole. */
function fullVersion(p: Obj): string {
  const version = str(p.version) ?? '';
  const release = str(p.release);
  const epoch = typeof p.epoch === 'number' && p.epoch > 0 ? `${p.epoch}:` : '';
  return `${epoch}${version}${release && !version.endsWith(`-${release}`) ? `-${release}` : ''}`;
}

function imageOf(f: Obj): Obj | undefined {
  for (const r of Array.isArray(f.resources) ? f.resources : []) {
    if (isObject(r) && r.type === 'AWS_ECR_CONTAINER_IMAGE' && isObject(r.details) && isObject(r.details.awsEcrContainerImage)) return r.details.awsEcrContainerImage;
  }
  return undefined;
}

function findingsOf(f: Obj, origin: string, where: string): OpinionFinding[] {
  const details = object(f.packageVulnerabilityDetails, origin, `${where}.packageVulnerabilityDetails`);
  const id = required(details.vulnerabilityId, origin, `${where}.packageVulnerabilityDetails.vulnerabilityId`);
  const vendor = severityWord(str(details.vendorSeverity) ?? '');
  const title = str(f.title);
  const suppressed = f.status === 'SUPPRESSED';
  return list(details.vulnerablePackages, origin, `${where}.packageVulnerabilityDetails.vulnerablePackages`).map((p, i) => {
    const pkg = object(p, origin, `${where}.packageVulnerabilityDetails.vulnerablePackages[${i}]`);
    const name = required(pkg.name, origin, `${where}.packageVulnerabilityDetails.vulnerablePackages[${i}].name`);
    const type = ownEntry(PACKAGE_MANAGERS, str(pkg.packageManager) ?? '');
    const fixed = str(pkg.fixedInVersion);
    return {
      id,
      aliases: strings(details.relatedVulnerabilities).filter((a) => a !== id && looksLikeId(a)),
      package: { name, version: fullVersion(pkg), ...(type ? { type } : {}) },
      severity: severityWord(str(f.severity) ?? 'unknown') ?? 'unknown',
      vendorSeverities: vendor ? [{ source: str(details.source) ?? 'vendor', severity: vendor }] : [],
      fixed: fixed && fixed !== 'NotAvailable' ? [fixed] : [],
      status: 'affected' as const,
      ...(suppressed ? { statusDetail: 'suppressed by an Inspector suppression rule (still counted)' } : {}),
      ...(title ? { title } : {}),
    };
  });
}

export function isInspectorFindings(doc: Obj): boolean {
  return Array.isArray(doc.findings) && doc.findings.some((f) => isObject(f) && typeof f.findingArn === 'string');
}

/**
 * Inspector's findings for one image. Inspector rescans continuously: the newest
 * `lastObservedAt` stands for the scan time, the newest `updatedAt` for its data's. With no
 * finding at all neither is known (ListFindings says nothing about when it last scanned).
 */
export function parseInspectorFindings(findings: readonly unknown[], origin: string, opts: { imageDigest?: string; repositoryName?: string } = {}): OpinionReport {
  const digests = new Set<string>();
  let lastObserved: string | undefined;
  let updated: string | undefined;
  const out: OpinionFinding[] = [];
  findings.forEach((v, i) => {
    const where = `findings[${i}]`;
    const f = object(v, origin, where);
    if (f.type !== undefined && f.type !== 'PACKAGE_VULNERABILITY') return;
    if (f.status === 'CLOSED') return;
    const image = imageOf(f);
    const digest = digestIn(image?.imageHash);
    if (!digest) throw new BadInputError(`${origin}: ${where} names no ECR image hash (resources[].details.awsEcrContainerImage.imageHash)`);
    if (opts.repositoryName && str(image?.repositoryName) && image?.repositoryName !== opts.repositoryName) return;
    digests.add(digest);
    const observed = str(f.lastObservedAt);
    if (observed && (!lastObserved || Date.parse(observed) > Date.parse(lastObserved))) lastObserved = observed;
    const at = str(f.updatedAt);
    if (at && (!updated || Date.parse(at) > Date.parse(updated))) updated = at;
    out.push(...findingsOf(f, origin, where));
  });
  if (digests.size > 1) throw new BadInputError(`${origin}: the findings are for several images (${[...digests].join(', ')}); read them per image hash`);
  // No finding: the digest asked for is what they are about (Inspector returns nothing for a clean image).
  if (!digests.size && opts.imageDigest) digests.add(opts.imageDigest);
  return {
    format: 'amazon-inspector',
    tool: { name: 'amazon-inspector' },
    ...(updated ? { database: { updated } } : {}),
    ...(lastObserved ? { scannedAt: lastObserved } : {}),
    // imageHash is the manifest Inspector scanned (each platform's, for an index): no platform needed.
    subject: { digests: [...digests], ...(opts.repositoryName ? { name: opts.repositoryName } : {}) },
    findings: out,
    origin,
  };
}

export function parseInspectorDocument(doc: Obj, origin: string): OpinionReport {
  return parseInspectorFindings(list(doc.findings, origin, 'findings'), origin);
}
