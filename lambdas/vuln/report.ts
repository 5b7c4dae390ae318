/**
 * The scan report: what was scanned, against which data, what was found, what could not be
 * decided, and the verdict. The JSON form of this object is the machine-readable output and
 * the evidence stored by the workflow; the table and CycloneDX renderers read it.
 */
import type { DataDescription } from '../ports/vulnerability-source';
import type { ComponentRef, Finding } from './findings';
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

export interface ScanSummary {
  readonly components: number;
  readonly scanned: number;
  readonly notScanned: number;
  readonly unorderable: number;
  readonly findings: number;
  readonly suppressed: number;
  /** Unsuppressed findings per severity. */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** Unsuppressed findings at or above the threshold (0 without a threshold). */
  readonly atOrAboveThreshold: number;
}

export interface ScanReport {
  readonly format: typeof REPORT_FORMAT;
  readonly generatedAt: string;
  readonly subject: { readonly name?: string; readonly version?: string; readonly purl?: string; readonly bomRef?: string; readonly serialNumber?: string };
  /** The vulnerability data the verdict rests on. */
  readonly data: Omit<DataDescription, 'warnings'>;
  readonly threshold?: Severity;
  /** `fail` when an unsuppressed finding is at or above the threshold. */
  readonly verdict: 'pass' | 'fail';
  readonly summary: ScanSummary;
  readonly findings: readonly Finding[];
  readonly unorderable: readonly UnorderableComponent[];
  readonly notScanned: readonly NotScanned[];
  readonly expiredRules: readonly IgnoreRule[];
  readonly warnings: readonly string[];
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

export function summarize(
  findings: readonly Finding[],
  counts: { components: number; notScanned: number; unorderable: number },
  threshold: Severity | undefined,
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
    if (threshold && atOrAbove(f.severity, threshold)) above += 1;
  }
  return {
    components: counts.components,
    scanned: counts.components - counts.notScanned,
    notScanned: counts.notScanned,
    unorderable: counts.unorderable,
    findings: findings.length,
    suppressed,
    bySeverity,
    atOrAboveThreshold: above,
  };
}

/** Findings that decide a failing verdict (unsuppressed, at or above the threshold). */
export function blockingFindings(report: ScanReport): Finding[] {
  const t = report.threshold;
  return t ? report.findings.filter((f) => !f.suppressed && atOrAbove(f.severity, t)) : [];
}

export function reportJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
