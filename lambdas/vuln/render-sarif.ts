/**
 * `-o sarif`: SARIF 2.1.0 (OASIS, errata 01) for code-scanning UIs such as GitHub's.
 *
 * - One rule per vulnerability id (`tool.driver.rules`): the title, help text and Markdown (the
 *   affected packages, fix versions, other ids, the OSV link), `helpUri`, a default level, and
 *   `properties["security-severity"]` (GitHub ranks alerts by it: 9.0+ critical, 7.0–8.9 high,
 *   4.0–6.9 medium, 0.1–3.9 low) with the `security` tag GitHub looks for. The score is the
 *   finding's CVSS score when that score's band is the finding's severity, else a value inside
 *   the severity's band (a severity taken from a database's word, or a CVSS v2 score, which has
 *   no critical band): GitHub then shows the same severity as the table. Unknown, info and none
 *   carry no security-severity (GitHub would show them as low or not at all).
 * - One result per finding, located at the component: each `artifact-guard:location:N:path`
 *   property of the component in the SBOM (the file it was cataloged from, relative to the image
 *   root, `uriBaseId` ROOTPATH), else the image itself (its name). The purl is the logical
 *   location. Suppressed findings carry SARIF `suppressions` (status `accepted`, the rule's
 *   reason), so a code-scanning UI closes them rather than losing them.
 * - The verdict, threshold, data source and counts are run `properties`; every gap is a warning
 *   notification of the invocation: a consumer of this file alone sees an incomplete scan.
 *
 * `--severity` / `--only-fixed` choose which results are written (see render-filter.ts); the run
 * properties still give the whole scan's verdict and counts, and the filter.
 */
import { createHash } from 'node:crypto';
import { TOOL } from '../sbom/writers/subject';
import type { Finding } from './findings';
import { sortRows } from './render-table';
import { installedVersion, otherIds, packageName } from './render-cells';
import { shownFindings, type FindingFilter } from './render-filter';
import type { ScanReport } from './report';
import { generatedRef, walkComponents } from './sbom-input';
import { cvssBand, maxSeverity, type Severity } from './severity';

type Obj = Record<string, unknown>;

/** Packages listed in one rule's help (a vulnerability of a package vendored a hundred times). */
const MAX_HELP_ROWS = 20;

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export interface SarifOptions {
  readonly filter?: FindingFilter;
  /** Where the SBOM came from (a file, a platform): the location of last resort and the run's category. */
  readonly label?: string;
  /** Several runs of one scan (one per platform): each gets its own `automationDetails.id`. */
  readonly category?: string;
}

const osvUrl = (id: string): string => `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;

/** A value inside each severity's GitHub band, for findings whose own score does not fall in it. */
const BAND_SCORE: Partial<Record<Severity, number>> = { critical: 9.5, high: 8.0, medium: 5.5, low: 2.0 };

export function securitySeverity(findings: readonly Finding[]): string | undefined {
  const severity = maxSeverity(findings.map((f) => f.severity));
  const fallback = BAND_SCORE[severity];
  if (fallback === undefined) return undefined;
  let best: number | undefined;
  for (const f of findings) {
    if (f.severity === severity && f.score !== undefined && cvssBand(f.score) === severity && (best === undefined || f.score > best)) best = f.score;
  }
  return (best ?? fallback).toFixed(1);
}

export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium' || severity === 'unknown') return 'warning';
  return 'note';
}

/** `artifact-guard:location:N:path` values of every component, by bom-ref (generated refs for those without). */
export function componentLocations(document: Readonly<Obj>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  walkComponents(document as Obj, 'sbom', (c, _where, index) => {
    const ref = typeof c['bom-ref'] === 'string' ? c['bom-ref'] : generatedRef(index);
    const props = Array.isArray(c.properties) ? (c.properties as unknown[]) : [];
    const paths: [number, string][] = [];
    for (const p of props) {
      if (typeof p !== 'object' || p === null) continue;
      const { name, value } = p as { name?: unknown; value?: unknown };
      const m = typeof name === 'string' ? /^artifact-guard:location:(\d+):path$/.exec(name) : null;
      if (m && typeof value === 'string' && value.replace(/^\/+/, '')) paths.push([Number(m[1]), value]);
    }
    if (paths.length) out.set(ref, paths.sort((a, b) => a[0] - b[0]).map(([, v]) => v));
  });
  return out;
}

/** A path as a relative URI reference: each segment percent-encoded (`@` kept, as RFC 3986 allows). */
const relativeUri = (path: string): string =>
  path
    .replace(/^\/+/, '')
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%40/g, '@'))
    .join('/');

function markdownCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

function rule(id: string, findings: readonly Finding[]): Obj {
  const first = findings[0] as Finding;
  const severity = maxSeverity(findings.map((f) => f.severity));
  const title = findings.find((f) => f.summary)?.summary?.replace(/\s+/g, ' ').trim();
  const others = [...new Set(findings.flatMap(otherIds))];
  const score = securitySeverity(findings);
  const listed = findings.slice(0, MAX_HELP_ROWS);
  const more = findings.length - listed.length;
  const rows = listed.map((f) => ({ pkg: packageName(f.component), installed: installedVersion(f), fixed: f.fixed.join(', '), severity: `${f.severity.toUpperCase()}${f.score !== undefined ? ` (${f.score.toFixed(1)})` : ''}` }));
  const text = [
    `${id}${title ? `: ${title}` : ''}`,
    `Severity: ${severity.toUpperCase()}${score ? ` (security-severity ${score})` : ''}`,
    ...rows.map((r) => `Package ${r.pkg} ${r.installed}: ${r.fixed ? `fixed in ${r.fixed}` : 'no fixed version known'}`),
    ...(more ? [`… and ${more} more package(s)`] : []),
    ...(others.length ? [`Also known as: ${others.join(', ')}`] : []),
    `Details: ${osvUrl(id)}`,
  ].join('\n');
  const markdown = [
    `**${id}**${title ? `: ${markdownCell(title)}` : ''}`,
    '',
    '| Package | Installed | Fixed in | Severity |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${markdownCell(r.pkg)} | ${markdownCell(r.installed)} | ${markdownCell(r.fixed || 'none known')} | ${r.severity} |`),
    ...(more ? ['', `… and ${more} more package(s)`] : []),
    '',
    ...(others.length ? [`Also known as: ${others.map((o) => `[${o}](${osvUrl(o)})`).join(', ')}`, ''] : []),
    `Details: [${id} on OSV](${osvUrl(id)})`,
  ].join('\n');
  return {
    id,
    name: 'PackageVulnerability',
    shortDescription: { text: title ? `${id}: ${title}` : id },
    fullDescription: { text: title ?? `${id} affects ${packageName(first.component)}` },
    helpUri: osvUrl(id),
    help: { text, markdown },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: {
      ...(score ? { 'security-severity': score } : {}),
      tags: ['security', 'vulnerability', severity],
    },
  };
}

function result(f: Finding, ruleIndex: number, locations: ReadonlyMap<string, readonly string[]>, image: string): Obj {
  const pkg = packageName(f.component);
  const paths = locations.get(f.component.bomRef);
  const logical = [{ name: pkg, ...(f.component.purl ? { fullyQualifiedName: f.component.purl } : {}), kind: 'package' }];
  const physical = paths?.length
    ? paths.map((p) => ({ physicalLocation: { artifactLocation: { uri: relativeUri(p), uriBaseId: 'ROOTPATH' }, region: { startLine: 1 } }, logicalLocations: logical }))
    : [{ physicalLocation: { artifactLocation: { uri: relativeUri(image) || 'image' }, region: { startLine: 1 } }, logicalLocations: logical }];
  const fixed = f.fixed.length ? `fixed in ${f.fixed.join(', ')}` : 'no fixed version is known';
  const others = otherIds(f);
  const s = f.suppression;
  return {
    ruleId: f.id,
    ruleIndex,
    level: sarifLevel(f.severity),
    kind: 'fail',
    message: {
      text: `${pkg} ${installedVersion(f)} is affected by ${f.id}${others.length ? ` (${others.join(', ')})` : ''}, severity ${f.severity}${f.score !== undefined ? ` (${f.score.toFixed(1)})` : ''}: ${fixed}.`,
    },
    locations: physical,
    partialFingerprints: { 'artifactGuardFinding/v1': createHash('sha256').update(`${f.id}\u0000${f.component.purl ?? `${f.component.name}@${f.component.version ?? ''}`}`).digest('hex') },
    ...(s ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${s.by === 'vex' ? `VEX ${s.status}` : 'ignore rule'} ${s.rule}: ${s.reason}${s.expires ? ` (until ${s.expires})` : ''}` }] } : {}),
    properties: {
      severity: f.severity,
      ...(f.score !== undefined ? { score: f.score } : {}),
      package: pkg,
      installedVersion: installedVersion(f),
      fixedVersions: [...f.fixed],
      ...(f.component.purl ? { purl: f.component.purl } : {}),
      ...(others.length ? { aliases: others } : {}),
    },
  };
}

export function scanSarifLog(report: ScanReport, sbomDocument: Readonly<Obj>, opts: SarifOptions = {}): Obj {
  const shown = shownFindings(report, opts.filter);
  const sorted = sortRows(shown.findings);
  const byId = new Map<string, Finding[]>();
  for (const f of sorted) {
    const list = byId.get(f.id);
    if (list) list.push(f);
    else byId.set(f.id, [f]);
  }
  const ids = [...byId.keys()];
  const index = new Map(ids.map((id, i) => [id, i]));
  const locations = componentLocations(sbomDocument);
  const s = report.subject;
  const image = s.name ?? opts.label ?? s.purl ?? 'image';
  const d = report.data;
  const run: Obj = {
    tool: {
      driver: {
        name: TOOL.name,
        organization: TOOL.vendor,
        version: TOOL.version,
        semanticVersion: TOOL.version,
        rules: ids.map((id) => rule(id, byId.get(id) as Finding[])),
      },
    },
    ...(opts.category ? { automationDetails: { id: `${TOOL.name}/${opts.category}/` } } : {}),
    originalUriBaseIds: { ROOTPATH: { uri: 'file:///', description: { text: `the root of the filesystem of ${image}` } } },
    invocations: [
      {
        executionSuccessful: true,
        endTimeUtc: report.generatedAt,
        toolExecutionNotifications: report.gaps.map((g) => ({ level: 'warning', message: { text: `scan incomplete: ${g.kind}: ${g.message}` } })),
      },
    ],
    results: sorted.map((f) => result(f, index.get(f.id) as number, locations, image)),
    properties: {
      subject: s,
      verdict: report.verdict,
      ...(report.threshold ? { threshold: report.threshold } : {}),
      unknownSeverity: report.unknownSeverity,
      data: { source: d.source, recordCount: d.recordCount, ...(d.newestModified ? { newestModified: d.newestModified } : {}) },
      summary: report.summary,
      gaps: report.gaps.map((g) => `${g.kind}: ${g.message}`),
      ...(shown.filter ? { filter: { ...shown.filter, hidden: shown.hidden, note: 'the verdict and summary count every finding' } } : {}),
    },
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

export function scanSarif(report: ScanReport, sbomDocument: Readonly<Obj>, opts: SarifOptions = {}): string {
  return `${JSON.stringify(scanSarifLog(report, sbomDocument, opts), null, 2)}\n`;
}
