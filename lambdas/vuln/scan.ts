/**
 * One scan: SBOM components → OSV packages → records from the source → matches → findings
 * (aliases merged, severities rated) → suppressions → report. The CLI and the workflow step
 * both run this; neither knows how matching works.
 */
import type { PackageQuery, VulnerabilitySource } from '../ports/vulnerability-source';
import { buildFindings, type ComponentMatches, type ComponentRef } from './findings';
import { matchPackage } from './osv/matcher';
import type { PackageTarget } from './osv/purl-target';
import { purlTarget } from './osv/purl-target';
import { OsvIndex, latestById } from './osv/record-index';
import { REPORT_FORMAT, summarize, type NotScanned, type ScanReport, type UnorderableComponent } from './report';
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
}

interface Placed {
  readonly component: ComponentRef;
  readonly target: PackageTarget;
  /** False when the version is outside the ecosystem's grammar. */
  readonly orderable: boolean;
}

function place(components: readonly ComponentRef[]): { placed: Placed[]; notScanned: NotScanned[] } {
  const placed: Placed[] = [];
  const notScanned: NotScanned[] = [];
  for (const component of components) {
    if (!component.purl) {
      notScanned.push({ component, reason: 'no purl' });
      continue;
    }
    const r = purlTarget(component.purl, component.version);
    if ('unsupported' in r) {
      notScanned.push({ component, reason: r.unsupported });
      continue;
    }
    const ordering = orderingFor(r.target.ecosystem);
    placed.push({ component, target: r.target, orderable: ordering?.isValid(r.target.version) ?? false });
  }
  return { placed, notScanned };
}

export async function scanSbom(sbom: ScanSbom, source: VulnerabilitySource, opts: ScanOptions): Promise<ScanReport> {
  const { placed, notScanned } = place(sbom.components);
  // The version goes to the source only when we can order it: for the others every record of
  // the package is needed, to list which ones could not be evaluated.
  const queries: PackageQuery[] = placed.map((p) => ({ ecosystem: p.target.ecosystem, name: p.target.name, ...(p.orderable ? { version: p.target.version } : {}) }));
  const records = await source.recordsFor(queries);
  const data = await source.describe();
  const index = OsvIndex.build(latestById(records));

  const matched: ComponentMatches[] = [];
  const unorderable: UnorderableComponent[] = [];
  for (const p of placed) {
    const { matches, undecidable } = matchPackage(index, p.target);
    if (matches.length) matched.push({ component: p.component, target: p.target, matches });
    if (!p.orderable || undecidable.length) {
      const ordering = orderingFor(p.target.ecosystem);
      const reason = !ordering
        ? `no version ordering for ecosystem ${p.target.ecosystem}`
        : !p.orderable
          ? `version "${p.target.version}" is not a valid ${ordering.name} version`
          : `${undecidable.length} record(s) could not be evaluated`;
      unorderable.push({ component: p.component, package: p.target, reason, records: undecidable.map((u) => ({ id: u.recordId, reason: u.reason })) });
    }
  }

  const { findings, expired } = applySuppressions(buildFindings(matched), opts.rules ?? { ignore: [], vex: [] }, opts.now, sbom.subject);
  const warnings = [
    ...data.warnings,
    ...expired.map((r) => `ignore rule ${r.origin} (${r.id}) expired on ${r.expires}; it no longer applies`),
  ];
  for (const w of warnings) opts.log?.(`warning: ${w}`);
  for (const u of unorderable) {
    opts.log?.(`warning: ${u.component.purl ?? u.component.bomRef}: ${u.reason}${u.records.length ? ` (not evaluated: ${u.records.map((r) => r.id).join(', ')})` : ''}`);
  }
  const summary = summarize(findings, { components: sbom.components.length, notScanned: notScanned.length, unorderable: unorderable.length }, opts.threshold);
  return {
    format: REPORT_FORMAT,
    generatedAt: opts.now.toISOString(),
    subject: { ...sbom.subject, ...(sbom.serialNumber ? { serialNumber: sbom.serialNumber } : {}) },
    data: { source: data.source, recordCount: data.recordCount, ...(data.newestModified ? { newestModified: data.newestModified } : {}) },
    ...(opts.threshold ? { threshold: opts.threshold } : {}),
    verdict: summary.atOrAboveThreshold > 0 ? 'fail' : 'pass',
    summary,
    findings,
    unorderable,
    notScanned,
    expiredRules: expired,
    warnings,
  };
}
