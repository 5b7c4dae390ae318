/**
 * The scan report: what was scanned, against which data, what was found, what could not be
 * decided, and the verdict. The JSON form of this object is the machine-readable output and
 * the evidence stored by the workflow; the table and CycloneDX renderers read it.
 *
 * The verdict fails closed: `pass` only when every component was matched against data that
 * covers its ecosystem, every version with records could be ordered, and no finding reaches
 * the threshold. Anything the scan could not check is a gap, and gaps make it `incomplete`.
 */
import type { DataDescription } from './vulnerability-source';
import type { ComponentRef, Finding } from './findings';
import type { Disagreement, SourcesCounted } from './imports/merge';
import type { PackageTarget } from './osv/purl-target';
import type { Severity } from './severity';
import { SEVERITIES, severityRank } from './severity';
import type { IgnoreRule } from './suppress';

export const REPORT_FORMAT = 'artifact-guard/scan-report@1';

export interface UnorderableComponent {
  readonly component: ComponentRef;
  readonly package: PackageTarget;
  readonly reason: string;
  /** Records that name the package but could not be evaluated for this version. */
  readonly records: readonly { readonly id: string; readonly reason: string }[];
}

export interface NotScanned {
  readonly component: ComponentRef;
  readonly reason: string;
}

/** Something the scan could not check: any gap keeps the verdict from being `pass`. */
export interface ScanGap {
  /**
   * `not-covered`: the data has no records for the components' ecosystem (or release);
   * `unorderable`: records name the package but its version could not be compared with them;
   * `not-matchable`: no OSV ecosystem to look the components up in;
   * `inventory`: the SBOM itself is known to be incomplete (given by whoever built it).
   */
  readonly kind: 'not-covered' | 'unorderable' | 'not-matchable' | 'inventory';
  /** One line for people: what was not covered and why. */
  readonly message: string;
  readonly ecosystem?: string;
  /** How many components it concerns. */
  readonly components?: number;
  /** Up to 5 purls (or names) as examples. */
  readonly examples?: readonly string[];
}

/** How findings without a known severity count against the threshold. */
export type UnknownSeverityPolicy = 'fail' | 'warn';

export interface ScanSummary {
  readonly components: number;
  readonly scanned: number;
  readonly notScanned: number;
  readonly unorderable: number;
  /** Entries in `gaps`. */
  readonly gaps: number;
  readonly findings: number;
  readonly suppressed: number;
  /** Unsuppressed findings per severity. */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /**
   * Unsuppressed findings at or above the threshold, plus those of unknown severity when
   * `unknownSeverity` is `fail` (0 without a threshold).
   */
  readonly atOrAboveThreshold: number;
}

/** A scanner whose findings the report holds: ours (`artifact-guard`) first, then each second opinion. */
export interface ReportSource {
  readonly name: string;
  readonly version?: string;
  /** Its vulnerability data: where from (ours), its version, and how fresh (newest record, database build time). */
  readonly database?: { readonly source?: string; readonly version?: string; readonly updated?: string };
  /** When it scanned (ISO 8601); a policy's `requireSources` ages are measured from it. */
  readonly scannedAt?: string;
  /** The file (or API) it was read from, and the SHA-256 of that file. */
  readonly origin?: string;
  readonly sha256?: string;
  /** Findings it reported for this manifest. */
  readonly findings: number;
  /** Packages it reported that our SBOM does not hold (`name@version`): kept as findings. */
  readonly unplaced?: readonly string[];
}

export interface ScanReport {
  readonly format: typeof REPORT_FORMAT;
  readonly generatedAt: string;
  readonly subject: { readonly name?: string; readonly version?: string; readonly purl?: string; readonly bomRef?: string; readonly serialNumber?: string };
  /** The vulnerability data the verdict rests on. */
  readonly data: Omit<DataDescription, 'warnings'>;
  readonly threshold?: Severity;
  /**
   * `fail` when an unsuppressed finding blocks (at or above the threshold, or of unknown
   * severity under `unknownSeverity: fail`); else `incomplete` when there are gaps; else `pass`.
   */
  readonly verdict: 'pass' | 'fail' | 'incomplete';
  /** Findings whose records (and their aliases' records) give no severity: `fail` counts them as blocking. */
  readonly unknownSeverity: UnknownSeverityPolicy;
  readonly summary: ScanSummary;
  readonly findings: readonly Finding[];
  /** What the scan could not check, one entry per cause (see `ScanGap`). */
  readonly gaps: readonly ScanGap[];
  readonly unorderable: readonly UnorderableComponent[];
  readonly notScanned: readonly NotScanned[];
  readonly expiredRules: readonly IgnoreRule[];
  readonly warnings: readonly string[];
  /** Every scanner the findings come from, when second opinions were merged (`--also`, Amazon Inspector). */
  readonly sources?: readonly ReportSource[];
  /** Which sources' findings count toward the verdict (`all` unless a policy says `ours`). */
  readonly sourcesCounted?: SourcesCounted;
  /** Findings one source reports and another rules out (VEX, vendor status): they still count. */
  readonly disagreements?: readonly Disagreement[];
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** Whether a finding decides a failing verdict: unsuppressed and at or above the threshold, unknown counting as above under `fail`. */
export function blocks(f: Finding, threshold: Severity | undefined, unknownSeverity: UnknownSeverityPolicy): boolean {
  if (!threshold || f.suppressed) return false;
  return atOrAbove(f.severity, threshold) || (f.severity === 'unknown' && unknownSeverity === 'fail');
}

export function summarize(
  findings: readonly Finding[],
  counts: { components: number; notScanned: number; unorderable: number; gaps: number },
  threshold: Severity | undefined,
  unknownSeverity: UnknownSeverityPolicy,
): ScanSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let suppressed = 0;
  let above = 0;
  for (const f of findings) {
    if (f.suppressed) {
      suppressed += 1;
      continue;
    }
    bySeverity[f.severity] += 1;
    if (blocks(f, threshold, unknownSeverity)) above += 1;
  }
  return {
    components: counts.components,
    scanned: counts.components - counts.notScanned,
    notScanned: counts.notScanned,
    unorderable: counts.unorderable,
    gaps: counts.gaps,
    findings: findings.length,
    suppressed,
    bySeverity,
    atOrAboveThreshold: above,
  };
}

/** Findings that decide a failing verdict (see `blocks`). */
export function blockingFindings(report: ScanReport): Finding[] {
  return report.findings.filter((f) => blocks(f, report.threshold, report.unknownSeverity));
}

/** The verdict: a blocking finding fails; otherwise any gap makes the scan incomplete. */
export function verdictOf(blocking: number, gaps: number): ScanReport['verdict'] {
  if (blocking > 0) return 'fail';
  return gaps > 0 ? 'incomplete' : 'pass';
}

export function reportJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
