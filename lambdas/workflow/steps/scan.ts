import { createHash } from 'node:crypto';
import { NotFoundError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import type { DataDescription, VulnerabilitySource } from '../../ports/vulnerability-source';
import { blockingFindings, reportJson, type ScanReport } from '../../vuln/report';
import { scanSbom } from '../../vuln/scan';
import { parseScanSbom } from '../../vuln/sbom-input';
import { SEVERITIES, type Severity } from '../../vuln/severity';
import type { SuppressionRules } from '../../vuln/suppress';
import type { WorkflowState } from '../state';
import { MetricName } from '../states';
import { evidencePrefix, type StoredDocument } from './sbom';

export interface ScanDeps {
  /** Undefined when no vulnerability data is configured: the verdict is then `incomplete`. */
  readonly source: VulnerabilitySource | undefined;
  readonly evidence: BlobStore;
  /** Findings at or above this severity (unsuppressed) make the verdict `fail`. */
  readonly threshold: Severity;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
  readonly rules?: SuppressionRules;
}

/** How many findings above the threshold the state carries (the full list is in the report). */
export const MAX_LISTED_FINDINGS = 20;

export interface ScanSummary {
  /**
   * `pass`/`fail` against the threshold; `incomplete` when the scan could not run (no data
   * source, no SBOM): never a pass; `skipped` when the artifact has nothing to scan (a Helm
   * chart or other non-image artifact: the SBOM step says why).
   */
  readonly verdict: 'pass' | 'fail' | 'incomplete' | 'skipped';
  readonly reason?: string;
  readonly threshold: Severity;
  /** Unsuppressed findings per severity, over every platform. */
  readonly counts: Readonly<Record<Severity, number>>;
  readonly suppressed: number;
  /** Components whose version could not be ordered (listed in the report). */
  readonly unorderable: number;
  readonly findingsAboveThreshold: readonly { readonly id: string; readonly severity: Severity; readonly package: string; readonly version: string; readonly fixed: readonly string[] }[];
  readonly findingsAboveThresholdTotal: number;
  readonly data?: Omit<DataDescription, 'warnings'>;
  readonly reports: readonly (StoredDocument & { readonly manifestDigest: string; readonly platform?: string; readonly verdict: 'pass' | 'fail' })[];
}

const zeroCounts = (): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

function empty(deps: ScanDeps, verdict: 'incomplete' | 'skipped', reason: string): ScanSummary {
  return { verdict, reason, threshold: deps.threshold, counts: zeroCounts(), suppressed: 0, unorderable: 0, findingsAboveThreshold: [], findingsAboveThresholdTotal: 0, reports: [] };
}

/**
 * Scan: matches every CycloneDX SBOM the SBOM step stored against the vulnerability data,
 * stores each full report beside its SBOM (`…/scan/<manifest digest>.json`) and passes on a
 * summary small enough for the execution state. An unreachable data source raises
 * `UnavailableError` (retried by the state machine, then a failure alert): never a pass.
 */
export function createScanStep(deps: ScanDeps) {
  return async (state: WorkflowState): Promise<ScanSummary> => {
    const sbom = state.sbom;
    if (!sbom) return empty(deps, 'incomplete', 'no SBOM: the SBOM step did not run');
    if (sbom.skipped) return empty(deps, 'skipped', sbom.skipped);
    if (!sbom.documents.length) return empty(deps, 'skipped', 'no SBOM documents to scan');
    if (!deps.source) return empty(deps, 'incomplete', 'no vulnerability data source is configured: the artifact was not scanned');

    const a = state.artifact;
    const prefix = evidencePrefix(a.repositoryName, a.digest);
    const counts = zeroCounts();
    let suppressed = 0;
    let unorderable = 0;
    const above: ScanReport['findings'][number][] = [];
    const reports: ScanSummary['reports'][number][] = [];
    let data: ScanSummary['data'];
    for (const doc of sbom.documents) {
      const body = await deps.evidence.get(doc.cyclonedx.key);
      if (!body) throw new NotFoundError(`scan: SBOM ${doc.cyclonedx.key} is missing from the evidence store`);
      const input = parseScanSbom(body.toString('utf8'), doc.cyclonedx.key);
      const report = await scanSbom(input, deps.source, { now: deps.now(), threshold: deps.threshold, ...(deps.rules ? { rules: deps.rules } : {}) });
      const key = `${prefix}/scan/${doc.manifestDigest.replace(':', '-')}.json`;
      const bytes = Buffer.from(reportJson(report));
      await deps.evidence.put(key, bytes, 'application/json');
      reports.push({
        manifestDigest: doc.manifestDigest,
        ...(doc.platform ? { platform: doc.platform } : {}),
        key,
        location: deps.evidence.location(key),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        verdict: report.verdict,
      });
      for (const s of SEVERITIES) counts[s] += report.summary.bySeverity[s];
      suppressed += report.summary.suppressed;
      unorderable += report.summary.unorderable;
      above.push(...blockingFindings(report));
      data = report.data;
    }
    deps.metrics.count(MetricName.vulnerabilitiesFound, SEVERITIES.reduce((n, s) => n + counts[s], 0));
    return {
      verdict: above.length ? 'fail' : 'pass',
      threshold: deps.threshold,
      counts,
      suppressed,
      unorderable,
      findingsAboveThreshold: above.slice(0, MAX_LISTED_FINDINGS).map((f) => ({ id: f.id, severity: f.severity, package: f.component.purl ?? f.component.name, version: f.package.version, fixed: f.fixed })),
      findingsAboveThresholdTotal: above.length,
      ...(data ? { data } : {}),
      reports,
    };
  };
}
