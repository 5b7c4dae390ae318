/** The scan report for people: a findings table, then what could not be decided, then the data. */
import type { ScanReport } from './report';
import { SEVERITIES } from './severity';

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
  if (report.unorderable.length) {
    lines.push('', `${report.unorderable.length} component(s) whose version could not be ordered (neither matched nor cleared):`);
    for (const u of report.unorderable) lines.push(`  ${u.component.purl ?? u.component.bomRef}: ${u.reason}${u.records.length ? ` (${u.records.map((r) => r.id).join(', ')})` : ''}`);
  }
  if (report.notScanned.length) lines.push('', `${report.notScanned.length} component(s) not scanned (no OSV ecosystem or release for them; see the JSON report)`);
  for (const r of report.expiredRules) lines.push(`expired ignore rule ${r.origin} (${r.id}, expired ${r.expires}) no longer applies`);
  const d = report.data;
  lines.push('', `data: ${d.source}, ${d.recordCount} record(s)${d.newestModified ? `, newest modified ${d.newestModified}` : ''}`);
  if (report.threshold) lines.push(`verdict: ${report.verdict.toUpperCase()} (${sum.atOrAboveThreshold} unsuppressed finding(s) at or above ${report.threshold})`);
  return `${lines.join('\n')}\n`;
}
