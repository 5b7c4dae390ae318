/**
 * The scan report for people (`scan`'s default output), laid out like Trivy's and Grype's tables:
 *
 * - a header: the subject, the verdict and what decided it, the data the verdict rests on, the
 *   counts, and what a filter hides (filters never change the verdict: see render-filter.ts);
 * - one row per unsuppressed finding, most severe first, then by package and id: PACKAGE (as its
 *   ecosystem writes it, decoded from the purl), INSTALLED, FIXED IN, VULNERABILITY, ALIASES
 *   (the CVE beside a GHSA or distribution id), SEVERITY and TITLE;
 * - suppressed findings, components whose version cannot be ordered, and the gaps, after it.
 *
 * Everything fits `width` columns (120 by default): cells are cut with `…`, lists with `+N`,
 * free text is word-wrapped. Colour (severity and verdict) only when asked for: the CLI asks only
 * when stdout is a terminal and NO_COLOR is not set, so piped output is plain text.
 */
import type { Finding, FindingSource } from './findings';
import { describeFilter, shownFindings, type FindingFilter } from './render-filter';
import { installedVersion, otherIds, packageName } from './render-cells';
import { fitList, textWidth, truncate, wrap } from '../core/text-cells';
import type { ScanReport } from './report';
import { SEVERITIES, severityRank, type Severity } from './severity';

export interface TableOptions {
  /** Columns the output must fit (default 120). */
  readonly width?: number;
  /** ANSI colours for severities and the verdict (default off). */
  readonly color?: boolean;
  readonly filter?: FindingFilter;
}

export const TABLE_WIDTH = 120;
const GAP = '  ';

const SGR: Partial<Record<Severity | 'pass' | 'fail' | 'incomplete', string>> = {
  critical: '1;31',
  high: '31',
  medium: '33',
  low: '36',
  fail: '1;31',
  incomplete: '1;33',
  pass: '1;32',
};
const paint = (on: boolean, key: keyof typeof SGR, text: string): string => (on && SGR[key] ? `\u001b[${SGR[key]}m${text}\u001b[0m` : text);

/** The verdict line: what decided it, so a FAIL or INCOMPLETE can be acted on from the table alone. */
function verdictLine(report: ScanReport, color: boolean): string {
  const sum = report.summary;
  const unknown = report.unknownSeverity === 'fail' ? report.findings.filter((f) => !f.suppressed && f.severity === 'unknown').length : 0;
  const above = report.threshold
    ? `${sum.atOrAboveThreshold} unsuppressed finding(s) at or above ${report.threshold}${unknown && report.threshold !== 'unknown' ? `, ${unknown} of them of unknown severity` : ''}`
    : 'no threshold';
  const word = paint(color, report.verdict, report.verdict.toUpperCase());
  if (report.verdict === 'incomplete') return `verdict: ${word} (${sum.gaps} gap(s): not everything could be checked; ${above})`;
  return `verdict: ${word} (${above})`;
}

interface Column {
  readonly header: string;
  readonly cell: (f: Finding) => string | readonly string[];
}

const fixedIn = (f: Finding): string | readonly string[] => (f.fixed.length ? f.fixed : f.lastAffected.length ? `(last affected ${f.lastAffected.join(', ')})` : '(none)');

const COLUMNS: readonly Column[] = [
  { header: 'PACKAGE', cell: (f) => packageName(f.component) },
  { header: 'INSTALLED', cell: installedVersion },
  { header: 'FIXED IN', cell: fixedIn },
  { header: 'VULNERABILITY', cell: (f) => f.id },
  { header: 'ALIASES', cell: otherIds },
  { header: 'SEVERITY', cell: (f) => f.severity.toUpperCase() },
  { header: 'TITLE', cell: (f) => (f.summary ?? '').replace(/\s+/g, ' ').trim() },
];

/**
 * With second opinions: who reported each finding and at what severity, most severe first
 * (`grype:HIGH`, `ours:MEDIUM`), then who ruled it out (`NAME:ruled-out`), so a cut cell keeps
 * the ratings that decided the verdict.
 */
const ruledOut = (s: FindingSource): boolean => s.status === 'not_affected' || s.status === 'resolved';
const SOURCES_COLUMN: Column = {
  header: 'SOURCES',
  cell: (f) =>
    [...(f.sources ?? [])]
      .sort((a, b) => Number(ruledOut(a)) - Number(ruledOut(b)) || severityRank(b.severity) - severityRank(a.severity))
      .map((s) => `${s.name === 'artifact-guard' ? 'ours' : s.name}:${ruledOut(s) ? 'ruled-out' : s.severity.toUpperCase()}`),
};

function columnsFor(report: ScanReport): readonly Column[] {
  if (!report.sources) return COLUMNS;
  const at = COLUMNS.findIndex((c) => c.header === 'TITLE');
  return [...COLUMNS.slice(0, at), SOURCES_COLUMN, ...COLUMNS.slice(at)];
}

/**
 * When a row is too wide, columns give way step by step, each column down to the width given;
 * within a step the widest column gives first. The title goes first, then the lists (`+N` keeps
 * them honest), then package names. A title that would get fewer than 16 columns says too little:
 * the table is laid out again without it, and then package names and versions share the cut; ids
 * are cut only when nothing else can give (ALPINE-CVE-2025-26519 is 21 columns, a GHSA id 19).
 */
type Step = readonly (readonly [header: string, width: number])[];
const WITH_TITLE: readonly Step[] = [[['TITLE', 24]], [['ALIASES', 22], ['SOURCES', 22]], [['PACKAGE', 24]], [['TITLE', 16]]];
const WITHOUT_TITLE: readonly Step[] = [
  [['ALIASES', 22], ['SOURCES', 22]],
  [
    ['PACKAGE', 24],
    ['INSTALLED', 20],
    ['FIXED IN', 20],
  ],
  [
    ['ALIASES', 17],
    ['SOURCES', 17],
    ['PACKAGE', 14],
    ['INSTALLED', 12],
    ['FIXED IN', 12],
  ],
  [['VULNERABILITY', 16]],
];

const cellWidth = (c: string | readonly string[]): number => textWidth(typeof c === 'string' ? c : c.join(', '));

/** Column widths: each column's widest cell, cut step by step until the row fits `width` (or the steps run out). */
function columnWidths(columns: readonly Column[], rows: readonly (string | readonly string[])[][], width: number, steps: readonly Step[]): { widths: number[]; fits: boolean } {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => cellWidth(r[i] ?? ''))));
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1) - width;
  for (const step of steps) {
    const cols = step.map(([header, target]) => ({ i: columns.findIndex((c) => c.header === header), min: Math.max(target, header.length) })).filter((c) => c.i >= 0);
    while (excess > 0) {
      let pick: { i: number; min: number } | undefined;
      for (const c of cols) if ((widths[c.i] ?? 0) > c.min && (!pick || (widths[c.i] ?? 0) > (widths[pick.i] ?? 0))) pick = c;
      if (!pick) break;
      widths[pick.i] = (widths[pick.i] ?? 0) - 1;
      excess -= 1;
    }
  }
  return { widths, fits: excess <= 0 };
}

/** The columns shown and their widths: with the title when it gets 16 columns or more. */
function layout(all: readonly Column[], findings: readonly Finding[], width: number): { columns: readonly Column[]; rows: (string | readonly string[])[][]; widths: number[] } {
  if (findings.some((f) => f.summary?.trim())) {
    const rows = findings.map((f) => all.map((c) => c.cell(f)));
    const { widths, fits } = columnWidths(all, rows, width, WITH_TITLE);
    if (fits) return { columns: all, rows, widths };
  }
  const columns = all.filter((c) => c.header !== 'TITLE');
  const rows = findings.map((f) => columns.map((c) => c.cell(f)));
  // Still too wide at the last step (a terminal narrower than ~100 columns): as narrow as the steps allow.
  return { columns, rows, widths: columnWidths(columns, rows, width, WITHOUT_TITLE).widths };
}

/**
 * Most severe first, then package, then id (then version and component, for a stable order).
 * Each finding's keys are computed once: a large report sorts tens of thousands of rows.
 */
export function sortRows(findings: readonly Finding[]): Finding[] {
  const keyed = findings.map((f) => ({ f, rank: severityRank(f.severity), pkg: packageName(f.component).toLowerCase(), version: installedVersion(f) }));
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  keyed.sort((a, b) => b.rank - a.rank || cmp(a.pkg, b.pkg) || cmp(a.f.id, b.f.id) || cmp(a.version, b.version) || cmp(a.f.component.bomRef, b.f.component.bomRef));
  return keyed.map((k) => k.f);
}

function findingsTable(all: readonly Column[], findings: readonly Finding[], width: number, color: boolean): string[] {
  const sorted = sortRows(findings);
  const { columns, rows, widths } = layout(all, sorted, width);
  const severityColumn = columns.findIndex((c) => c.header === 'SEVERITY');
  const line = (cells: readonly (string | readonly string[])[], severity?: Severity): string =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = typeof cell === 'string' ? truncate(cell, w) : fitList(cell, w);
        const padded = i < cells.length - 1 ? text + ' '.repeat(Math.max(0, w - textWidth(text))) : text;
        return i === severityColumn && severity ? paint(color, severity, padded) : padded;
      })
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((r, i) => line(r, sorted[i]?.severity))];
}

function sourceLine(s: NonNullable<ScanReport['sources']>[number]): string {
  const db = s.database?.updated ? `, data ${s.database.updated}` : '';
  return `${s.name}${s.version ? ` ${s.version}` : ''} (${s.findings} finding(s)${s.scannedAt ? `, scanned ${s.scannedAt}` : ''}${db})`;
}

export function scanTable(report: ScanReport, opts: TableOptions = {}): string {
  const width = opts.width ?? TABLE_WIDTH;
  const color = opts.color ?? false;
  const out: string[] = [];
  const text = (s: string, indent = '  '): void => {
    out.push(...wrap(s, width, indent));
  };
  const s = report.subject;
  if (s.name || s.version) text(`${s.name ?? ''}${s.version ? `@${s.version}` : ''}`);
  text(verdictLine(report, color));
  const d = report.data;
  text(`data: ${d.source}, ${d.recordCount} record(s)${d.newestModified ? `, newest modified ${d.newestModified}` : ''}`);
  if (report.sources) text(`sources (${report.sourcesCounted === 'ours' ? 'only ours counted' : 'all counted; severity used: the highest'}): ${report.sources.map(sourceLine).join('; ')}`);
  const sum = report.summary;
  const counts = [...SEVERITIES].reverse().filter((k) => sum.bySeverity[k] > 0).map((k) => `${sum.bySeverity[k]} ${k}`);
  text(`${sum.findings} finding(s)${counts.length ? `: ${counts.join(', ')}` : ''}${sum.suppressed ? `; ${sum.suppressed} suppressed` : ''}; ${sum.scanned} of ${sum.components} component(s) scanned`);
  const shown = shownFindings(report, opts.filter);
  if (shown.filter) text(`shown: ${report.findings.length - shown.hidden} of ${report.findings.length} finding(s) (${describeFilter(shown.filter)}); the verdict and exit code count every finding`);

  out.push('');
  const active = shown.findings.filter((f) => !f.suppressed);
  if (active.length) out.push(...findingsTable(columnsFor(report), active, width, color));
  else if (!report.findings.length) out.push('No known vulnerabilities matched.');
  else out.push(shown.hidden ? `No unsuppressed finding matches the filter (${shown.hidden} hidden).` : 'No unsuppressed finding.');

  const suppressed = sortRows(shown.findings.filter((f) => f.suppressed));
  if (suppressed.length) {
    out.push('', `${suppressed.length} suppressed finding(s), not counted toward the verdict:`);
    for (const f of suppressed) {
      const why = f.suppression ? `${f.suppression.by} ${f.suppression.rule}: ${f.suppression.reason}${f.suppression.expires ? ` (until ${f.suppression.expires})` : ''}` : 'suppressed';
      text(`  ${f.severity.toUpperCase()} ${f.id} ${packageName(f.component)} ${installedVersion(f)}: ${why}`, '    ');
    }
  }
  if (report.disagreements?.length) {
    out.push('', `${report.disagreements.length} disagreement(s): reported by one source, ruled out by another (still counted; accept a ruling with --vex):`);
    for (const d of report.disagreements) {
      text(`  ${d.id} ${d.component}: reported by ${d.reportedBy.map((r) => `${r.source} (${r.severity})`).join(', ')}; ruled out by ${d.ruledOutBy.map((r) => `${r.source} (${r.detail ?? r.status})`).join(', ')}`, '    ');
    }
  }
  // Those that records name are gaps (below); these left nothing undecided, but say so.
  const undecidedNothing = report.unorderable.filter((u) => !u.records.length);
  if (undecidedNothing.length) {
    out.push('');
    text(`${undecidedNothing.length} component(s) whose version cannot be ordered; no record left undecided for them:`);
    for (const u of undecidedNothing) text(`  ${u.component.purl ?? u.component.bomRef}: ${u.reason}`, '    ');
  }
  if (report.notScanned.length) {
    out.push('');
    text(`${report.notScanned.length} component(s) not scanned (see the gaps below and the JSON report)`);
  }
  if (report.gaps.length) {
    out.push('', `${report.gaps.length} gap(s): what this scan could not check:`);
    for (const g of report.gaps) {
      text(`  ${g.kind}: ${g.message}`, '    ');
      // Unorderable gaps name their one component in the message already.
      if (g.examples?.length && g.kind !== 'unorderable') text(`    e.g. ${g.examples.join(', ')}`, '      ');
    }
  }
  if (report.expiredRules.length) out.push('');
  for (const r of report.expiredRules) text(`expired ignore rule ${r.origin} (${r.id}, expired ${r.expires}) no longer applies`);
  return `${out.join('\n')}\n`;
}
