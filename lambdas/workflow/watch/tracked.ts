/**
 * The findings the watch tracks for an artifact, and the scan report it stores for every scan
 * after the first: every tracked finding (per manifest, component and vulnerability), what was
 * added and cleared since the previous scan, the verdict and the data used.
 */
import type { ScanEntry, TrackedFinding } from '../../ports/scan-history';
import type { Finding } from '../../vuln/findings';
import type { ScanReport, UnknownSeverityPolicy } from '../../vuln/report';
import { atOrAbove } from '../../vuln/report';
import type { Severity } from '../../vuln/severity';
import { SEVERITIES } from '../../vuln/severity';

export const WATCH_REPORT_FORMAT = 'artifact-guard/watch-scan@1';

export interface ArtifactState {
  readonly findings: readonly TrackedFinding[];
  readonly verdict: ScanEntry['verdict'];
  readonly gapsTotal: number;
  /** When that scan ran (the first scan's time, or the newest entry's). */
  readonly time: string;
}

export interface WatchReport {
  readonly format: typeof WATCH_REPORT_FORMAT;
  readonly generatedAt: string;
  readonly subject: { readonly repository: string; readonly digest: string };
  readonly trigger: ScanEntry['trigger'];
  readonly data: ScanEntry['data'];
  readonly threshold: Severity;
  readonly unknownSeverity: UnknownSeverityPolicy;
  readonly verdict: ScanEntry['verdict'];
  readonly counts: Readonly<Record<string, number>>;
  readonly gapsTotal: number;
  readonly added: readonly TrackedFinding[];
  readonly cleared: readonly (TrackedFinding & { readonly why: string })[];
  /** Every finding the artifact has after this scan. */
  readonly findings: readonly TrackedFinding[];
  /** The full scan reports this scan produced, when it re-scanned SBOMs (re-evaluation, weekly re-scan). */
  readonly reports?: readonly { readonly key: string; readonly sha256: string }[];
}

export function tracked(f: Finding, manifestDigest: string): TrackedFinding {
  return {
    manifestDigest,
    purl: f.component.purl ?? f.component.name,
    version: f.package.version,
    id: f.id,
    records: [...f.records],
    severity: f.severity,
    fixed: [...f.fixed],
    suppressed: f.suppressed,
  };
}

/** Tracked findings of the scan reports of one scan (one report per manifest). */
export function fromReports(reports: readonly { readonly manifestDigest: string; readonly report: ScanReport }[]): TrackedFinding[] {
  return reports.flatMap((r) => r.report.findings.map((f) => tracked(f, r.manifestDigest)));
}

/** Where a finding is: manifest and component. */
export const placeOf = (f: Pick<TrackedFinding, 'manifestDigest' | 'purl'>): string => `${f.manifestDigest}\u0000${f.purl}`;
/** A finding's identity: where it is and which vulnerability. */
export const findingKey = (f: TrackedFinding): string => `${placeOf(f)}\u0000${f.id}`;

export function blocksTracked(f: TrackedFinding, threshold: Severity, unknownSeverity: UnknownSeverityPolicy): boolean {
  if (f.suppressed) return false;
  return atOrAbove(f.severity as Severity, threshold) || (f.severity === 'unknown' && unknownSeverity === 'fail');
}

/** Counts and verdict of a set of findings; gaps the scan had keep it from `pass`. */
export function assess(findings: readonly TrackedFinding[], gapsTotal: number, previous: ScanEntry['verdict'], threshold: Severity, unknownSeverity: UnknownSeverityPolicy) {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<string, number>;
  let atOrAboveThreshold = 0;
  for (const f of findings) {
    if (f.suppressed) continue;
    counts[f.severity] = (counts[f.severity] ?? 0) + 1;
    if (blocksTracked(f, threshold, unknownSeverity)) atOrAboveThreshold += 1;
  }
  // `skipped` (accepted without an inventory) stays skipped: there is nothing to match.
  const verdict: ScanEntry['verdict'] = atOrAboveThreshold > 0 ? 'fail' : gapsTotal > 0 ? 'incomplete' : previous === 'skipped' ? 'skipped' : 'pass';
  return { counts, atOrAboveThreshold, verdict };
}

/** What changed between two sets of tracked findings. */
export function diff(before: readonly TrackedFinding[], after: readonly TrackedFinding[], why: (f: TrackedFinding) => string): { added: TrackedFinding[]; cleared: (TrackedFinding & { why: string })[] } {
  const old = new Map(before.map((f) => [findingKey(f), f]));
  const now = new Map(after.map((f) => [findingKey(f), f]));
  return {
    added: after.filter((f) => !old.has(findingKey(f)) && !f.suppressed),
    cleared: before.filter((f) => !now.has(findingKey(f))).map((f) => ({ ...f, why: why(f) })),
  };
}
