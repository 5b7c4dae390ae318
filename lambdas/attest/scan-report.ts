/**
 * What the policy reads from a vulnerability attestation's `scanner.result` (the scan report,
 * otherwise opaque). This is the contract with the scan step (`lambdas/vuln`,
 * `workflow/steps/scan.ts`): a report satisfies it when it has at least one of
 *
 * 1. `findings: [{ id, severity, suppressed? }]`: one entry per finding; `suppressed: true`
 *    (an ignore or VEX rule applied) takes it out of the count;
 * 2. `summary: { bySeverity: { critical: n, high: n, … } }` (or `summary.counts`): counts of
 *    UNSUPPRESSED findings by severity (used only when there is no `findings` array);
 * 3. CycloneDX `vulnerabilities: [{ id, ratings: [{ severity }], analysis: { state } }]`, as
 *    `scan -o cyclonedx-json` writes it: the highest rating counts; `analysis.state`
 *    `not_affected`, `false_positive` or `resolved` suppresses.
 *
 * Severity words are CycloneDX 1.6's, case-insensitive: `none`, `unknown`, `info`, `low`,
 * `medium`, `high`, `critical` (also `negligible` = info, `moderate` = medium, `important` = high).
 * The scan step's report (`lambdas/vuln/report.ts`, format `artifact-guard/scan-report@1`) has
 * both 1 and 2. An optional top-level `verdict` other than `pass` / `fail` (e.g. `unknown`: no verified
 * vulnerability data; `incomplete`: the scan did not cover everything, its optional
 * `gaps: [{ message }]` say what) makes the report unusable: the policy never reads "no data" or
 * "part of the data" as "no findings".
 */
export const SEVERITY_ORDER = ['none', 'unknown', 'info', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_ORDER)[number];

const ALIASES: Readonly<Record<string, SeverityLevel>> = { negligible: 'info', informational: 'info', moderate: 'medium', important: 'high' };

export function parseSeverity(word: unknown): SeverityLevel | undefined {
  if (typeof word !== 'string') return undefined;
  const w = word.trim().toLowerCase();
  if ((SEVERITY_ORDER as readonly string[]).includes(w)) return w as SeverityLevel;
  return ALIASES[w];
}

export function severityRank(s: SeverityLevel): number {
  return SEVERITY_ORDER.indexOf(s);
}

/** An unsuppressed finding (or a count of them) as the policy sees it. */
export interface UnsuppressedFindings {
  readonly bySeverity: Readonly<Partial<Record<SeverityLevel, number>>>;
  /** Ids of unsuppressed findings with their severity (when the report lists findings). */
  readonly ids: readonly { readonly id: string; readonly severity: SeverityLevel }[];
}

export type ScanReportRead = { readonly ok: true; readonly findings: UnsuppressedFindings } | { readonly ok: false; readonly reason: string };

type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const CDX_SUPPRESSED = new Set(['not_affected', 'false_positive', 'resolved', 'resolved_with_pedigree']);

function tally(items: readonly { id: string; severity: SeverityLevel }[]): UnsuppressedFindings {
  const bySeverity: Partial<Record<SeverityLevel, number>> = {};
  for (const i of items) bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1;
  return { bySeverity, ids: items };
}

function fromFindings(list: readonly unknown[]): ScanReportRead {
  const items: { id: string; severity: SeverityLevel }[] = [];
  for (const [i, f] of list.entries()) {
    if (!isObject(f)) return { ok: false, reason: `findings[${i}] is not an object` };
    if (f.suppressed === true) continue;
    // An unreadable severity is "unknown", never dropped: a finding must not vanish on a typo.
    items.push({ id: typeof f.id === 'string' ? f.id : `findings[${i}]`, severity: parseSeverity(f.severity) ?? 'unknown' });
  }
  return { ok: true, findings: tally(items) };
}

function fromCounts(counts: Json): ScanReportRead {
  const bySeverity: Partial<Record<SeverityLevel, number>> = {};
  for (const [word, n] of Object.entries(counts)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return { ok: false, reason: `summary count ${word} is not a count` };
    const s = parseSeverity(word) ?? 'unknown';
    bySeverity[s] = (bySeverity[s] ?? 0) + n;
  }
  return { ok: true, findings: { bySeverity, ids: [] } };
}

function fromCycloneDx(list: readonly unknown[]): ScanReportRead {
  const items: { id: string; severity: SeverityLevel }[] = [];
  for (const [i, v] of list.entries()) {
    if (!isObject(v)) return { ok: false, reason: `vulnerabilities[${i}] is not an object` };
    const state = isObject(v.analysis) ? v.analysis.state : undefined;
    if (typeof state === 'string' && CDX_SUPPRESSED.has(state)) continue;
    const ratings = Array.isArray(v.ratings) ? v.ratings : [];
    const levels = ratings.map((r) => (isObject(r) ? parseSeverity(r.severity) : undefined)).filter((s): s is SeverityLevel => s !== undefined);
    const severity = levels.reduce<SeverityLevel>((a, b) => (severityRank(b) > severityRank(a) ? b : a), 'unknown');
    items.push({ id: typeof v.id === 'string' ? v.id : `vulnerabilities[${i}]`, severity });
  }
  return { ok: true, findings: tally(items) };
}

const SHOWN_GAPS = 3;
const MAX_GAP_CHARS = 200;

/** The first few `gaps[].message` of a report, quoted, for a reason (untrusted text: bounded). */
function gapMessages(gaps: unknown): string {
  if (!Array.isArray(gaps)) return '';
  const messages = gaps.map((g) => (isObject(g) && typeof g.message === 'string' ? g.message : undefined)).filter((m): m is string => !!m);
  if (messages.length === 0) return '';
  const quoted = messages.slice(0, SHOWN_GAPS).map((m) => JSON.stringify(m.length > MAX_GAP_CHARS ? `${m.slice(0, MAX_GAP_CHARS)}…` : m));
  return `: ${quoted.join('; ')}${messages.length > SHOWN_GAPS ? `; and ${messages.length - SHOWN_GAPS} more` : ''}`;
}

/** Why a report whose verdict is neither pass nor fail cannot be judged. */
function unusableVerdict(report: Json, verdict: unknown): string {
  if (verdict === 'incomplete') return `the scan was incomplete (verdict "incomplete"), so its findings are not the whole story${gapMessages(report.gaps)}`;
  const shown = JSON.stringify(verdict) ?? String(verdict);
  return `the scan's verdict is ${shown.length > MAX_GAP_CHARS ? `${shown.slice(0, MAX_GAP_CHARS)}…` : shown}: it had no verified vulnerability data`;
}

/** Reads the unsuppressed findings of a scan report, or says why it cannot. Never throws. */
export function readScanReport(report: unknown): ScanReportRead {
  if (!isObject(report)) return { ok: false, reason: 'scanner.result is not a JSON object' };
  // Any verdict but pass / fail, even a malformed one, means the findings cannot be trusted as complete.
  if (report.verdict !== undefined && report.verdict !== 'pass' && report.verdict !== 'fail') return { ok: false, reason: unusableVerdict(report, report.verdict) };
  if (Array.isArray(report.findings)) return fromFindings(report.findings);
  if (isObject(report.summary)) {
    const counts = report.summary.bySeverity ?? report.summary.counts;
    if (isObject(counts)) return fromCounts(counts);
  }
  if (Array.isArray(report.vulnerabilities)) return fromCycloneDx(report.vulnerabilities);
  return { ok: false, reason: 'scanner.result has neither findings, summary.bySeverity nor CycloneDX vulnerabilities' };
}
