/** The scan report for people: a findings table, then what could not be checked, then the data and the verdict. */
import type { ScanReport } from './report';
import { SEVERITIES } from './severity';

/** The verdict line: what decided it, so a FAIL or INCOMPLETE can be acted on from the table alone. */
function verdictLine(report: ScanReport): string {
  const sum = report.summary;
  const unknown = report.unknownSeverity === 'fail' ? report.findings.filter((f) => !f.suppressed && f.severity === 'unknown').length : 0;
  const above = report.threshold
    ? `${sum.atOrAboveThreshold} unsuppressed finding(s) at or above ${report.threshold}${unknown && report.threshold !== 'unknown' ? `, ${unknown} of them of unknown severity` : ''}`
    : 'no threshold';
  if (report.verdict === 'incomplete') return `verdict: INCOMPLETE (${sum.gaps} gap(s): not everything could be checked; ${above})`;
  return `verdict: ${report.verdict.toUpperCase()} (${above})`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (r: string[]): string => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i] as number) : cell)).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

export function scanTable(report: ScanReport): string {
  const lines: string[] = [];
  const s = report.subject;
  if (s.name || s.version) lines.push(`${s.name ?? ''}${s.version ? `@${s.version}` : ''}`);
  const rows = report.findings.map((f) => [
    f.severity.toUpperCase(),
    f.id,
    f.component.name,
    // The component's own version; a Debian binary built from another source version (a binNMU,
    // or a binary with its own numbering) also shows the source version that was compared.
    f.component.version && f.component.version !== f.package.version ? `${f.component.version} (source ${f.package.version})` : f.package.version,
    f.fixed.join(', ') || (f.lastAffected.length ? `(last affected ${f.lastAffected.join(', ')})` : '(none)'),
    f.suppression ? `suppressed (${f.suppression.by}: ${f.suppression.reason})` : f.records.length > 1 ? `also ${f.records.filter((r) => r !== f.id).join(', ')}` : '',
  ]);
  if (rows.length) lines.push(...table(['SEVERITY', 'VULNERABILITY', 'PACKAGE', 'VERSION', 'FIXED IN', 'NOTE'], rows));
  else lines.push('No known vulnerabilities matched.');
  const sum = report.summary;
  const counts = [...SEVERITIES].reverse().filter((k) => sum.bySeverity[k] > 0).map((k) => `${sum.bySeverity[k]} ${k}`);
  lines.push('', `${sum.findings} finding(s)${counts.length ? `: ${counts.join(', ')}` : ''}${sum.suppressed ? `; ${sum.suppressed} suppressed` : ''}; ${sum.scanned} of ${sum.components} component(s) scanned`);
  // Those that records name are gaps (below); these left nothing undecided, but say so.
  const undecidedNothing = report.unorderable.filter((u) => !u.records.length);
  if (undecidedNothing.length) {
    lines.push('', `${undecidedNothing.length} component(s) whose version cannot be ordered; no record left undecided for them:`);
    for (const u of undecidedNothing) lines.push(`  ${u.component.purl ?? u.component.bomRef}: ${u.reason}`);
  }
  if (report.notScanned.length) lines.push('', `${report.notScanned.length} component(s) not scanned (see the gaps below and the JSON report)`);
  if (report.gaps.length) {
    lines.push('', `${report.gaps.length} gap(s): what this scan could not check:`);
    for (const g of report.gaps) {
      lines.push(`  ${g.kind}: ${g.message}`);
      // Unorderable gaps name their one component in the message already.
      if (g.examples?.length && g.kind !== 'unorderable') lines.push(`    e.g. ${g.examples.join(', ')}`);
    }
  }
  for (const r of report.expiredRules) lines.push(`expired ignore rule ${r.origin} (${r.id}, expired ${r.expires}) no longer applies`);
  const d = report.data;
  lines.push('', `data: ${d.source}, ${d.recordCount} record(s)${d.newestModified ? `, newest modified ${d.newestModified}` : ''}`);
  lines.push(verdictLine(report));
  return `${lines.join('\n')}\n`;
}
