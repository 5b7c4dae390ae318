/**
 * One scan: SBOM components → OSV packages → records from the source → matches → findings
 * (aliases merged, severities rated, unrated ones rated from their aliases' records) →
 * suppressions → report. The CLI and the workflow step both run this; neither knows how
 * matching works.
 *
 * Fails closed: a component the data does not cover, a version that cannot be compared with
 * the records naming its package, or a component with no OSV ecosystem is a gap, and any gap
 * makes the verdict `incomplete` rather than `pass` (a blocking finding still makes it `fail`).
 */
import type { DataCoverage, PackageQuery, VulnerabilitySource } from './vulnerability-source';
import { rateFromAliases } from './alias-severity';
import { buildFindings, compareFindings, type ComponentMatches, type ComponentRef } from './findings';
import { inventoryGaps, notCoveredGaps, notMatchableGaps, skippedRecordGaps, unorderableGaps } from './gaps';
import type { OpinionReport } from './imports/imported-report';
import { countSources, mergeOpinions, OURS, type MergeOutcome, type SourcesCounted } from './imports/merge';
import { ecosystemKey } from './osv/ecosystems';
import { matchPackage } from './osv/matcher';
import type { PackageTarget } from './osv/purl-target';
import { purlTarget } from './osv/purl-target';
import { referenceReason } from './osv/artifact-references';
import { OsvIndex, latestById } from './osv/record-index';
import { REPORT_FORMAT, summarize, verdictOf, type NotScanned, type ReportSource, type ScanReport, type UnknownSeverityPolicy, type UnorderableComponent } from './report';
import { TOOL } from '../sbom/writers/subject';
import type { ScanSbom } from './sbom-input';
import type { Severity } from './severity';
import { applySuppressions, type SuppressionRules } from './suppress';
import { orderingFor } from './versions';

export interface ScanOptions {
  readonly now: Date;
  readonly threshold?: Severity;
  readonly rules?: SuppressionRules;
  /** Progress and warnings (stderr in the CLI). */
  readonly log?: (line: string) => void;
  /** Gaps found while building the SBOM (skipped layers, capped package databases): each becomes one `inventory` gap, message as given. */
  readonly inventoryGaps?: readonly string[];
  /** Findings still without a severity after alias lookup: `fail` (default) counts them as blocking, `warn` only reports them. */
  readonly unknownSeverity?: UnknownSeverityPolicy;
  /** Other scanners' findings for this manifest, already checked to be about it (imports/subject-check.ts). */
  readonly opinions?: readonly OpinionReport[];
  /** Which sources count toward the verdict. @default 'all' */
  readonly sources?: SourcesCounted;
}

interface Placed {
  readonly component: ComponentRef;
  readonly target: PackageTarget;
  /** False when the version is outside the ecosystem's grammar (or empty, or the ecosystem has no ordering). */
  readonly orderable: boolean;
}

interface Placement {
  readonly placed: Placed[];
  /** Components with no OSV ecosystem to look them up in, with why. */
  readonly notMatchable: NotScanned[];
  /** Charts and the artifacts they reference: not scanned, and not gaps (osv/artifact-references.ts). */
  readonly references: NotScanned[];
  /** Components placed in an ecosystem the data does not cover, by ecosystem key. */
  readonly notCovered: Map<string, ComponentRef[]>;
}

function place(components: readonly ComponentRef[], coverage: DataCoverage): Placement {
  const placed: Placed[] = [];
  const notMatchable: NotScanned[] = [];
  const references: NotScanned[] = [];
  const notCovered = new Map<string, ComponentRef[]>();
  for (const component of components) {
    if (!component.purl) {
      notMatchable.push({ component, reason: 'no purl' });
      continue;
    }
    const reference = referenceReason(component.purl);
    if (reference) {
      references.push({ component, reason: reference });
      continue;
    }
    const r = purlTarget(component.purl, component.version);
    if ('unsupported' in r) {
      notMatchable.push({ component, reason: r.unsupported });
      continue;
    }
    if (!coverage.covers(r.target.ecosystem)) {
      // Keyed as the data keys ecosystems (`Ubuntu:22.04:LTS` → `Ubuntu:22.04`).
      const key = ecosystemKey(r.target.ecosystem);
      const list = notCovered.get(key);
      if (list) list.push(component);
      else notCovered.set(key, [component]);
      continue;
    }
    const ordering = orderingFor(r.target.ecosystem);
    placed.push({ component, target: r.target, orderable: r.target.version !== '' && (ordering?.isValid(r.target.version) ?? false) });
  }
  return { placed, notMatchable, references, notCovered };
}

function unorderableReason(p: Placed, undecidable: number): string {
  const ordering = orderingFor(p.target.ecosystem);
  if (p.target.version === '') return 'no version';
  if (!ordering) return `no version ordering for ecosystem ${p.target.ecosystem}`;
  if (!p.orderable) return `version "${p.target.version}" is not a valid ${ordering.name} version`;
  return `${undecidable} record(s) could not be evaluated`;
}

export async function scanSbom(sbom: ScanSbom, source: VulnerabilitySource, opts: ScanOptions): Promise<ScanReport> {
  const unknownSeverity = opts.unknownSeverity ?? 'fail';
  const coverage = await source.coverage();
  const { placed, notMatchable, references, notCovered } = place(sbom.components, coverage);
  // The version goes to the source only when we can order it: for the others every record of
  // the package is needed, to list which ones could not be evaluated.
  const queries: PackageQuery[] = placed.map((p) => ({ ecosystem: p.target.ecosystem, name: p.target.name, ...(p.orderable ? { version: p.target.version } : {}) }));
  const records = await source.recordsFor(queries);
  const index = OsvIndex.build(latestById(records));

  const matched: ComponentMatches[] = [];
  const unorderable: UnorderableComponent[] = [];
  for (const p of placed) {
    const { matches, undecidable } = matchPackage(index, p.target);
    if (matches.length) matched.push({ component: p.component, target: p.target, matches });
    if (!p.orderable || undecidable.length) {
      unorderable.push({ component: p.component, package: p.target, reason: unorderableReason(p, undecidable.length), records: undecidable.map((u) => ({ id: u.recordId, reason: u.reason })) });
    }
  }

  const rated = await rateFromAliases(buildFindings(matched), source);
  const opinions = opts.opinions ?? [];
  const merged = mergeOpinions(rated, sbom.components, opinions, opts.now);
  const suppressed = applySuppressions(merged.findings, opts.rules ?? { ignore: [], vex: [] }, opts.now, sbom.subject);
  const findings = countSources(suppressed.findings, opts.sources ?? 'all').sort(compareFindings);
  const expired = suppressed.expired;
  const data = await source.describe();
  const unrated = findings.filter((f) => !f.suppressed && f.severity === 'unknown').length;
  const warnings = [
    ...data.warnings,
    ...expired.map((r) => `ignore rule ${r.origin} (${r.id}) expired on ${r.expires}; it no longer applies`),
    ...(unrated && opts.threshold
      ? [`${unrated} finding(s) have no severity in the data, nor in other records of the same vulnerability: ${unknownSeverity === 'fail' ? 'counted as at or above the threshold (unknown severity: fail)' : 'not counted against the threshold (unknown severity: warn)'}`]
      : []),
  ];
  warnings.push(...opinionWarnings(merged));
  for (const w of warnings) opts.log?.(`warning: ${w}`);
  for (const u of unorderable) {
    opts.log?.(`warning: ${u.component.purl ?? u.component.bomRef}: ${u.reason}${u.records.length ? ` (not evaluated: ${u.records.map((r) => r.id).join(', ')})` : ''}`);
  }

  const gaps = [
    ...notCoveredGaps(notCovered, coverage, data.source),
    ...skippedRecordGaps(data.skipped ?? [], data.source),
    ...unorderableGaps(unorderable),
    ...notMatchableGaps(notMatchable),
    ...inventoryGaps(opts.inventoryGaps ?? []),
  ];
  const notScanned: NotScanned[] = [
    ...notMatchable,
    ...references,
    ...[...notCovered].flatMap(([ecosystem, components]) => components.map((component) => ({ component, reason: `the data has no ${ecosystem} records` }))),
  ];
  const summary = summarize(findings, { components: sbom.components.length, notScanned: notScanned.length, unorderable: unorderable.length, gaps: gaps.length }, opts.threshold, unknownSeverity);
  return {
    format: REPORT_FORMAT,
    generatedAt: opts.now.toISOString(),
    subject: { ...sbom.subject, ...(sbom.serialNumber ? { serialNumber: sbom.serialNumber } : {}) },
    data: { source: data.source, recordCount: data.recordCount, ...(data.newestModified ? { newestModified: data.newestModified } : {}) },
    ...(opts.threshold ? { threshold: opts.threshold } : {}),
    verdict: verdictOf(summary.atOrAboveThreshold, gaps.length),
    unknownSeverity,
    summary,
    findings,
    gaps,
    unorderable,
    notScanned,
    expiredRules: expired,
    warnings,
    ...(opinions.length
      ? {
          sources: [oursSource(rated.length, data, opts.now), ...opinions.map((o, i) => opinionSource(o, merged.placement[i]))],
          sourcesCounted: opts.sources ?? 'all',
          disagreements: merged.disagreements,
        }
      : {}),
  };
}

function oursSource(findings: number, data: { source: string; newestModified?: string }, now: Date): ReportSource {
  return { name: OURS, version: TOOL.version, database: { source: data.source, ...(data.newestModified ? { updated: data.newestModified } : {}) }, scannedAt: now.toISOString(), findings };
}

function opinionSource(o: OpinionReport, placement: MergeOutcome['placement'][number] | undefined): ReportSource {
  return {
    name: o.tool.name,
    ...(o.tool.version ? { version: o.tool.version } : {}),
    ...(o.database ? { database: o.database } : {}),
    ...(o.scannedAt ? { scannedAt: o.scannedAt } : {}),
    origin: o.origin,
    ...(o.sha256 ? { sha256: o.sha256 } : {}),
    findings: o.findings.length,
    ...(placement?.unplaced.length ? { unplaced: placement.unplaced } : {}),
  };
}

function opinionWarnings(merged: MergeOutcome): string[] {
  const lines: string[] = [];
  for (const p of merged.placement) {
    if (p.unplaced.length) lines.push(`${p.origin} (${p.tool}) reports ${p.unplaced.length} package(s) our SBOM does not hold, kept as findings: ${p.unplaced.slice(0, 5).join(', ')}${p.unplaced.length > 5 ? ', …' : ''}`);
  }
  for (const d of merged.disagreements) {
    lines.push(`sources disagree on ${d.id} in ${d.component}: reported by ${d.reportedBy.map((r) => `${r.source} (${r.severity})`).join(', ')}; ruled out by ${d.ruledOutBy.map((r) => `${r.source} (${r.detail ?? r.status})`).join(', ')}; it still counts (give the statement as --vex to accept it)`);
  }
  return lines;
}
