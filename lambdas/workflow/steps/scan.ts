import { readVerified, sha256Hex, writeOnce } from '../../ports/write-once';
import type { BlobStore } from '../../ports/blob-store';
import type { MetricsSink } from '../../ports/metrics';
import type { VulnerabilitySource } from '../../vuln/vulnerability-source';
import { blockingFindings, reportJson, type ScanReport } from '../../vuln/report';
import { scanSbom } from '../../vuln/scan';
import { parseScanSbom } from '../../vuln/sbom-input';
import { SEVERITIES, type Severity } from '../../vuln/severity';
import type { SuppressionRules } from '../../vuln/suppress';
import type { OpinionReport } from '../../vuln/imports/imported-report';
import type { OpinionSource } from '../../vuln/imports/opinion-source';
import type { SourcesCounted } from '../../vuln/imports/merge';
import { whyNotApplicable } from '../../vuln/imports/subject-check';
import { IntegrityError } from '../../core/errors';
import type { SbomSummary, ScanSummary, WorkflowState } from '../state';
import { MetricName } from '../../core/metric-names';
import { evidencePrefix } from '../evidence-keys';

export interface ScanDeps {
  /** Undefined when no vulnerability data is configured: the verdict is then `incomplete`. */
  readonly source: VulnerabilitySource | undefined;
  readonly evidence: BlobStore;
  /** Findings at or above this severity (unsuppressed) make the verdict `fail`. */
  readonly threshold: Severity;
  /** How findings whose severity is unknown count against the threshold. @default 'fail' */
  readonly unknownSeverity?: 'fail' | 'warn';
  /**
   * Artifacts that cannot be inventoried (content that cannot be read at all, or only opaque
   * files: no package identified in any layer) get the verdict `skipped`, which lets them be
   * signed, instead of `incomplete`. An operator's opt-in; it never covers an index's child.
   * @default false
   */
  readonly acceptUninventoried?: boolean;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
  readonly rules?: SuppressionRules;
  /** Second opinions to merge (Amazon Inspector, imported reports); none by default. */
  readonly opinions?: readonly OpinionSource[];
  /** Whose findings count toward the verdict. @default 'all' */
  readonly sources?: SourcesCounted;
}

/** How many findings above the threshold, and how many gaps, the state carries (the reports have all). */
export const MAX_LISTED_FINDINGS = 20;
export const MAX_LISTED_GAPS = 20;
export const MAX_LISTED_DISAGREEMENTS = 10;

/** Every second opinion for the artifact, each checked to be about one of its manifests. */
async function gatherOpinions(sources: readonly OpinionSource[], repositoryName: string, digest: string, manifests: readonly { manifestDigest: string; platform?: string }[]): Promise<OpinionReport[]> {
  const out: OpinionReport[] = [];
  for (const source of sources) {
    for (const report of await source.opinionsFor({ repositoryName, digest, manifests: manifests.map((m) => m.manifestDigest) })) {
      const about = manifests.some((m) => !whyNotApplicable(report, { root: digest, manifest: m.manifestDigest, ...(m.platform ? { platform: m.platform } : {}) }));
      // A source must only return reports about this artifact: anything else is a fault, never merged.
      if (!about) throw new IntegrityError(`second opinion from ${source.name}: ${whyNotApplicable(report, { root: digest, manifest: manifests[0]?.manifestDigest ?? digest })}`);
      out.push(report);
    }
  }
  return out;
}

const zeroCounts = (): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

/** Gap lines for manifests that have no SBOM. */
function uninventoriedGaps(sbom: SbomSummary): string[] {
  return sbom.uninventoried.map((u) => `manifest ${u.digest}${u.platform ? ` (${u.platform})` : ''} was not inventoried: ${u.reason}`);
}

/**
 * True when the SBOM is one document, of the artifact itself, in which nothing but opaque files
 * was found (`file` components: no package identified): as good as uninventoried, which is what
 * `acceptUninventoried` is about.
 */
function onlyOpaqueFiles(sbom: SbomSummary, digest: string): boolean {
  const [doc] = sbom.documents;
  if (sbom.documents.length !== 1 || sbom.uninventoried.length || !doc || doc.manifestDigest !== digest) return false;
  const types = Object.keys(doc.byType);
  return types.length > 0 && types.every((t) => t === 'file');
}

const ACCEPT_HINT = ' (an operator may accept such artifacts without an inventory: signUninventoriedArtifacts)';
const OPAQUE_ACCEPTED = "its content is only opaque files, no package identified (accepted without an inventory by the stack's setting)";

/** The SBOM step's gap lines for one document, with a last line when the state carried only the first ones. */
function inventoryGaps(doc: SbomSummary['documents'][number]): string[] {
  const lines = [...doc.gapLines];
  if (doc.gaps > lines.length) lines.push(`${doc.gaps - lines.length} more inventory gap(s) of ${doc.manifestDigest}: see its SBOM`);
  return lines;
}

/**
 * Scan: matches every CycloneDX SBOM the SBOM step stored (read back and checked against the
 * SHA-256 in the state) against the vulnerability data, stores each full report write-once
 * beside its SBOM and passes on a summary small enough for the execution state. An unreachable
 * data source raises `UnavailableError` (retried, then a failure alert): never a pass.
 */
export function createScanStep(deps: ScanDeps) {
  const unknownSeverity = deps.unknownSeverity ?? 'fail';
  return async (state: WorkflowState): Promise<ScanSummary> => {
    const base = { threshold: deps.threshold, unknownSeverity, counts: zeroCounts(), suppressed: 0, unorderable: 0, findingsAboveThreshold: [], findingsAboveThresholdTotal: 0, reports: [] };
    const sbom = state.sbom;
    if (!sbom) return { ...base, verdict: 'incomplete', reason: 'no SBOM: the SBOM step did not run', gaps: ['no SBOM'], gapsTotal: 1 };
    const a = state.artifact;
    const missing = uninventoriedGaps(sbom);
    if (sbom.documents.length === 0) {
      const rootOnly = sbom.uninventoried.length === 1 && sbom.uninventoried[0]?.digest === a.digest;
      const reason = missing[0] ?? 'the artifact has no image to inventory';
      if (rootOnly && deps.acceptUninventoried) return { ...base, verdict: 'skipped', reason: `${reason} (accepted without an inventory by the stack's setting)`, gaps: [], gapsTotal: 0 };
      const hint = rootOnly ? ACCEPT_HINT : '';
      return { ...base, verdict: 'incomplete', reason: `${reason}${hint}`, gaps: missing.length ? missing : [reason], gapsTotal: Math.max(1, missing.length) };
    }
    if (!deps.source) {
      // Opaque files cannot be matched against any data: the operator's opt-in does not need it.
      if (deps.acceptUninventoried && onlyOpaqueFiles(sbom, a.digest)) return { ...base, verdict: 'skipped', reason: OPAQUE_ACCEPTED, gaps: [], gapsTotal: 0 };
      const reason = 'no vulnerability data source is configured: the artifact was not scanned';
      return { ...base, verdict: 'incomplete', reason, gaps: [reason, ...missing], gapsTotal: 1 + missing.length };
    }

    const prefix = evidencePrefix(a.repositoryName, a.digest);
    const counts = zeroCounts();
    let suppressed = 0;
    let unorderable = 0;
    const above: ScanReport['findings'][number][] = [];
    const reports: ScanSummary['reports'][number][] = [];
    const gaps: string[] = [...missing];
    let data: ScanSummary['data'];
    const opinions = deps.opinions?.length ? await gatherOpinions(deps.opinions, a.repositoryName, a.digest, sbom.documents) : [];
    const sources = new Map<string, NonNullable<ScanSummary['sources']>[number]>();
    const disagreements: string[] = [];
    for (const doc of sbom.documents) {
      const body = await readVerified(deps.evidence, doc.cyclonedx);
      const input = parseScanSbom(body.toString('utf8'), doc.cyclonedx.key);
      const judged = { root: a.digest, manifest: doc.manifestDigest, ...(doc.platform ? { platform: doc.platform } : {}) };
      const report = await scanSbom(input, deps.source, {
        now: deps.now(),
        threshold: deps.threshold,
        unknownSeverity,
        inventoryGaps: inventoryGaps(doc),
        ...(deps.rules ? { rules: deps.rules } : {}),
        opinions: opinions.filter((o) => !whyNotApplicable(o, judged)),
        ...(deps.sources ? { sources: deps.sources } : {}),
      });
      const bytes = Buffer.from(reportJson(report));
      const stored = await writeOnce(deps.evidence, `${prefix}/scan/${doc.manifestDigest.replace(':', '-')}.${sha256Hex(bytes).slice(0, 16)}.json`, bytes, 'application/json');
      reports.push({ manifestDigest: doc.manifestDigest, ...(doc.platform ? { platform: doc.platform } : {}), ...stored, verdict: report.verdict });
      for (const s of SEVERITIES) counts[s] += report.summary.bySeverity[s];
      suppressed += report.summary.suppressed;
      unorderable += report.summary.unorderable;
      above.push(...blockingFindings(report));
      const where = doc.platform ? `${doc.platform}: ` : sbom.documents.length > 1 ? `${doc.manifestDigest}: ` : '';
      gaps.push(...report.gaps.map((g) => `${where}${g.message}`));
      data = report.data;
      for (const s of report.sources ?? []) {
        const key = `${s.name}|${s.origin ?? ''}`;
        const seen = sources.get(key);
        sources.set(key, { name: s.name, ...(s.version ? { version: s.version } : {}), ...(s.scannedAt ? { scannedAt: s.scannedAt } : {}), findings: (seen?.findings ?? 0) + s.findings });
      }
      for (const d of report.disagreements ?? []) {
        disagreements.push(`${where}${d.id} in ${d.component}: reported by ${d.reportedBy.map((r) => `${r.source} (${r.severity})`).join(', ')}; ruled out by ${d.ruledOutBy.map((r) => `${r.source} (${r.detail ?? r.status})`).join(', ')}`);
      }
    }
    deps.metrics.count(MetricName.vulnerabilitiesFound, SEVERITIES.reduce((n, s) => n + counts[s], 0));
    const computed = reports.some((r) => r.verdict === 'fail') ? 'fail' : gaps.length ? 'incomplete' : 'pass';
    const opaque = computed === 'incomplete' && onlyOpaqueFiles(sbom, a.digest);
    const verdict = opaque && deps.acceptUninventoried ? 'skipped' : computed;
    const reason =
      verdict === 'skipped'
        ? OPAQUE_ACCEPTED
        : verdict === 'incomplete'
          ? `${gaps.length} gap(s) in what was inventoried or scanned: ${gaps[0]}${opaque ? ACCEPT_HINT : ''}`
          : undefined;
    return {
      verdict,
      ...(reason ? { reason } : {}),
      gaps: gaps.slice(0, MAX_LISTED_GAPS),
      gapsTotal: gaps.length,
      threshold: deps.threshold,
      unknownSeverity,
      counts,
      suppressed,
      unorderable,
      findingsAboveThreshold: above.slice(0, MAX_LISTED_FINDINGS).map((f) => ({
        id: f.id,
        severity: f.severity,
        package: f.component.purl ?? f.component.name,
        version: f.package.version,
        fixed: f.fixed,
        ...(f.sources ? { sources: f.sources.map((s) => `${s.name === 'artifact-guard' ? 'ours' : s.name}:${s.status === 'not_affected' || s.status === 'resolved' ? s.status : s.severity}`) } : {}),
      })),
      findingsAboveThresholdTotal: above.length,
      ...(sources.size ? { sources: [...sources.values()] } : {}),
      ...(disagreements.length ? { disagreements: disagreements.slice(0, MAX_LISTED_DISAGREEMENTS), disagreementsTotal: disagreements.length } : {}),
      ...(data ? { data } : {}),
      reports,
    };
  };
}
