/**
 * `--only-fixed` and `--severity LIST`: which findings the table and SARIF show. A filter is a
 * view, never a decision: the verdict, the summary counts and the exit code are the whole scan's,
 * and the JSON report and the CycloneDX document stay complete (they are the evidence an
 * attestation and the verify policy count findings from; a filtered copy would read as "no
 * high findings").
 *
 * Unlike Trivy, whose `--severity` also limits which findings set `--exit-code`, the gate here is
 * `--fail-on` alone: hiding low findings from a table must not be able to pass an image that the
 * threshold fails, and the verdict written into reports and attestations must not depend on how
 * someone chose to look at them.
 */
import { BadInputError } from '../core/errors';
import type { Finding } from './findings';
import type { ScanReport } from './report';
import { SEVERITIES, severityRank, type Severity } from './severity';

export interface FindingFilter {
  /** Only findings with a fix version (`fixed[]` not empty). */
  readonly onlyFixed?: boolean;
  /** Only findings of these severities. */
  readonly severities?: readonly Severity[];
}

/** The findings a renderer shows, and what the filter left out. */
export interface ShownFindings {
  readonly findings: readonly Finding[];
  readonly hidden: number;
  /** The filter, as the user gave it (undefined when nothing filters). */
  readonly filter?: FindingFilter;
}

/** Parses `--severity` values (repeatable, comma-separated, any case): `critical,high`. */
export function parseSeverityList(values: readonly string[]): Severity[] {
  const out = new Set<Severity>();
  for (const value of values) {
    for (const word of value.split(',').map((w) => w.trim().toLowerCase())) {
      if (!word) continue;
      if (!(SEVERITIES as readonly string[]).includes(word)) {
        throw new BadInputError(`scan: --severity takes ${[...SEVERITIES].reverse().join(', ')} (comma-separated); got "${word}"`);
      }
      out.add(word as Severity);
    }
  }
  if (!out.size) throw new BadInputError('scan: --severity needs at least one level (e.g. critical,high)');
  return [...out].sort((a, b) => severityRank(b) - severityRank(a));
}

export const isFiltering = (filter: FindingFilter | undefined): filter is FindingFilter => Boolean(filter && (filter.onlyFixed || filter.severities));

export function shownFindings(report: ScanReport, filter?: FindingFilter): ShownFindings {
  if (!isFiltering(filter)) return { findings: report.findings, hidden: 0 };
  const severities = filter.severities ? new Set(filter.severities) : undefined;
  const findings = report.findings.filter((f) => (!filter.onlyFixed || f.fixed.length > 0) && (!severities || severities.has(f.severity)));
  return { findings, hidden: report.findings.length - findings.length, filter };
}

/** `--severity critical,high --only-fixed`, as a reader would retype it. */
export function describeFilter(filter: FindingFilter): string {
  return [filter.severities ? `--severity ${filter.severities.join(',')}` : '', filter.onlyFixed ? '--only-fixed' : ''].filter(Boolean).join(' ');
}
