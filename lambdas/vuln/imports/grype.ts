/**
 * Grype's JSON report (`grype IMAGE -o json`): `matches[]` of `{ vulnerability: { id, severity,
 * namespace, fix: { versions, state } }, relatedVulnerabilities: [{ id, namespace, severity }],
 * artifact: { name, version, type, purl } }`; the image in `source.target` (`manifestDigest`,
 * `repoDigests`, `imageID`, `os`, `architecture`); the tool and database in `descriptor`
 * (`version`, `db.built` in schema v5, `db.status.built` in v6). `fix.state` `wont-fix`,
 * `not-fixed` and `unknown` are still affected. `ignoredMatches[]` whose applied rule carries a
 * VEX status (`not_affected`, `fixed`) rule the vulnerability out; matches ignored by other
 * rules of the Grype user's configuration bind nothing here and are read as affected.
 */
import { BadInputError } from '../../core/errors';
import { severityWord } from '../severity';
import type { OpinionFinding, OpinionReport, OpinionStatus, VendorSeverity } from './imported-report';
import { digestIn, isObject, list, looksLikeId, object, required, str, strings, type Obj } from './json-input';
import { ownEntry } from '../../core/own-entry';

/** Syft's package types → purl types. */
const ARTIFACT_TYPES: Readonly<Record<string, string>> = {
  deb: 'deb', apk: 'apk', rpm: 'rpm', npm: 'npm', python: 'pypi', 'java-archive': 'maven', 'jenkins-plugin': 'maven', 'go-module': 'golang',
  gem: 'gem', 'rust-crate': 'cargo', dotnet: 'nuget', 'php-composer': 'composer', 'dart-pub': 'pub', hex: 'hex', 'conan': 'conan', swift: 'swift',
};

function ruling(rules: readonly unknown[]): { status: OpinionStatus; detail: string } | undefined {
  for (const r of rules) {
    if (!isObject(r)) continue;
    const vex = str(r['vex-status']);
    if (vex === 'not_affected' || vex === 'fixed') {
      const why = str(r['vex-justification']) ?? str(r.reason);
      return { status: vex === 'fixed' ? 'resolved' : 'not_affected', detail: `${vex}${why ? `: ${why}` : ''} (grype VEX rule)` };
    }
  }
  return undefined;
}

function finding(v: unknown, origin: string, where: string, ignored: boolean): OpinionFinding {
  const m = object(v, origin, where);
  const vuln = object(m.vulnerability, origin, `${where}.vulnerability`);
  const artifact = object(m.artifact, origin, `${where}.artifact`);
  const id = required(vuln.id, origin, `${where}.vulnerability.id`);
  const name = required(artifact.name, origin, `${where}.artifact.name`);
  const version = required(artifact.version, origin, `${where}.artifact.version`);
  const related = list(m.relatedVulnerabilities, origin, `${where}.relatedVulnerabilities`).filter(isObject);
  const vendorSeverities: VendorSeverity[] = [];
  for (const r of [vuln, ...related]) {
    const severity = severityWord(str(r.severity) ?? '');
    if (severity) vendorSeverities.push({ source: str(r.namespace) ?? str(r.id) ?? 'grype', severity });
  }
  const fix = isObject(vuln.fix) ? vuln.fix : {};
  const purl = str(artifact.purl);
  const type = ownEntry(ARTIFACT_TYPES, str(artifact.type) ?? '');
  const upstream = list(artifact.upstreams, origin, `${where}.artifact.upstreams`).map((u) => (isObject(u) ? str(u.name) : undefined)).find(Boolean);
  const rules = ignored ? list(m.appliedIgnoreRules, origin, `${where}.appliedIgnoreRules`) : [];
  const ruled = ruling(rules);
  const state = str(fix.state);
  const detail = ruled?.detail ?? (ignored ? `ignored by the grype configuration${state ? `; fix state ${state}` : ''}` : state);
  return {
    id,
    aliases: [...new Set(related.map((r) => str(r.id)).filter((s): s is string => !!s && s !== id && looksLikeId(s)))],
    package: { name, version, ...(purl ? { purl } : {}), ...(type ? { type } : {}), ...(upstream ? { source: upstream } : {}) },
    severity: severityWord(str(vuln.severity) ?? 'unknown') ?? 'unknown',
    vendorSeverities,
    fixed: strings(fix.versions),
    status: ruled?.status ?? 'affected',
    ...(detail ? { statusDetail: detail } : {}),
  };
}

function databaseOf(descriptor: Obj): OpinionReport['database'] {
  const db = isObject(descriptor.db) ? descriptor.db : undefined;
  const status = isObject(db?.status) ? db.status : db;
  const updated = str(status?.built);
  const version = str(status?.schemaVersion) ?? (typeof status?.schemaVersion === 'number' ? String(status.schemaVersion) : undefined);
  return updated || version ? { ...(updated ? { updated } : {}), ...(version ? { version: `schema ${version}` } : {}) } : undefined;
}

export function isGrypeReport(doc: Obj): boolean {
  return Array.isArray(doc.matches) && isObject(doc.descriptor);
}

export function parseGrypeReport(doc: Obj, origin: string): OpinionReport {
  const descriptor = object(doc.descriptor, origin, 'descriptor');
  if (str(descriptor.name) !== 'grype') throw new BadInputError(`${origin}: descriptor.name is ${JSON.stringify(descriptor.name)}, not grype`);
  const source = isObject(doc.source) ? doc.source : {};
  const target = isObject(source.target) ? source.target : {};
  const digests = [digestIn(target.manifestDigest), ...strings(target.repoDigests).map(digestIn), digestIn(target.imageID), digestIn(target.userInput)].filter((d): d is string => !!d);
  const findings = [
    ...list(doc.matches, origin, 'matches').map((m, i) => finding(m, origin, `matches[${i}]`, false)),
    ...list(doc.ignoredMatches, origin, 'ignoredMatches').map((m, i) => finding(m, origin, `ignoredMatches[${i}]`, true)),
  ];
  const version = str(descriptor.version);
  const database = databaseOf(descriptor);
  const scannedAt = str(descriptor.timestamp);
  const name = str(target.userInput);
  const os = str(target.os);
  const arch = str(target.architecture);
  return {
    format: 'grype-json',
    tool: { name: 'grype', ...(version ? { version } : {}) },
    ...(database ? { database } : {}),
    ...(scannedAt ? { scannedAt } : {}),
    subject: { digests: [...new Set(digests)], ...(name ? { name } : {}), ...(os && arch ? { platform: `${os}/${arch}` } : {}) },
    findings,
    origin,
  };
}
