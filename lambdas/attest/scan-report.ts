/**
 * What the policy reads from a vulnerability attestation's `scanner.result` (the scan report,
 * otherwise opaque). This is the contract with the scan step (`lambdas/vuln`,
 * `workflow/steps/scan.ts`): a report satisfies it when it has at least one of
 *
 * 1. `findings: [{ id, severity, suppressed?, suppression?: { by }, sources?: [{ name, severity, status }] }]`:
 *    one entry per finding; `suppressed: true` (an ignore or VEX rule applied) takes it out of
 *    the count, except one suppressed `by: sources` (second opinions only, under a scan's
 *    `sources: ours`) when the policy counts `all`; with `sources` (second opinions merged) the
 *    policy's `sources` setting picks whose findings count and at what severity (CountedSources);
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

/**
 * Whose findings count (policy `vulnerabilities.sources`): `all` (the default) counts every
 * source a report merged, at the highest severity any of them gives; `ours` counts only the
 * findings Artifact Guard's own scan reported, at its severity. A finding without `sources` is ours.
 */
export type CountedSources = 'ours' | 'all';

/** Our own scan, as reports name it. */
export const OUR_SOURCE = 'artifact-guard';

type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const CDX_SUPPRESSED = new Set(['not_affected', 'false_positive', 'resolved', 'resolved_with_pedigree']);

function tally(items: readonly { id: string; severity: SeverityLevel }[]): UnsuppressedFindings {
  const bySeverity: Partial<Record<SeverityLevel, number>> = {};
  for (const i of items) bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1;
  return { bySeverity, ids: items };
}

const RULED_OUT = new Set(['not_affected', 'resolved']);

/** A finding's severity under `counted`, or undefined when it does not count. */
function countedSeverity(f: Json, counted: CountedSources): SeverityLevel | undefined {
  const own = parseSeverity(f.severity) ?? 'unknown';
  const sources = Array.isArray(f.sources) ? f.sources.filter(isObject) : undefined;
  const bySources = isObject(f.suppression) && f.suppression.by === 'sources';
  if (f.suppressed === true && !(bySources && counted === 'all')) return undefined;
  if (!sources) return own;
  if (counted === 'ours') {
    const ours = sources.find((s) => s.name === OUR_SOURCE);
    return ours ? (parseSeverity(ours.severity) ?? 'unknown') : undefined;
  }
  // Every source reporting it as affected: the highest severity (what the scan's `all` uses too).
  const levels = sources.filter((s) => !RULED_OUT.has(String(s.status))).map((s) => parseSeverity(s.severity) ?? 'unknown');
  return levels.reduce<SeverityLevel>((a, b) => (severityRank(b) > severityRank(a) ? b : a), own);
}

function fromFindings(list: readonly unknown[], counted: CountedSources): ScanReportRead {
  const items: { id: string; severity: SeverityLevel }[] = [];
  for (const [i, f] of list.entries()) {
    if (!isObject(f)) return { ok: false, reason: `findings[${i}] is not an object` };
    // An unreadable severity is "unknown", never dropped: a finding must not vanish on a typo.
    const severity = countedSeverity(f, counted);
    if (severity) items.push({ id: typeof f.id === 'string' ? f.id : `findings[${i}]`, severity });
  }
  return { ok: true, findings: tally(items) };
}

/** A scanner a report says it used: its name, version, data time and scan time. */
export interface ReportSourceRead {
  readonly name: string;
  readonly version?: string;
  readonly database?: { readonly source?: string; readonly version?: string; readonly updated?: string };
  readonly scannedAt?: string;
}

/**
 * The scanners a report rests on: its `sources[]` when it merged second opinions, else our own
 * scan alone (an `artifact-guard/scan-report@1` report: its data and `generatedAt`). Empty for a
 * report that says neither.
 */
export function reportSources(report: unknown): ReportSourceRead[] {
  if (!isObject(report)) return [];
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  if (Array.isArray(report.sources)) {
    return report.sources.filter(isObject).flatMap((s) => {
      const name = str(s.name);
      if (!name) return [];
      const db = isObject(s.database) ? s.database : undefined;
      const database = db ? { ...(str(db.source) ? { source: str(db.source) } : {}), ...(str(db.version) ? { version: str(db.version) } : {}), ...(str(db.updated) ? { updated: str(db.updated) } : {}) } : undefined;
      return [{ name, ...(str(s.version) ? { version: str(s.version) } : {}), ...(database ? { database } : {}), ...(str(s.scannedAt) ? { scannedAt: str(s.scannedAt) } : {}) }];
    });
  }
  if (report.format !== 'artifact-guard/scan-report@1') return [];
  const data = isObject(report.data) ? report.data : {};
  const source = str(data.source);
  const updated = str(data.newestModified);
  const scannedAt = str(report.generatedAt);
  const database = { ...(source ? { source } : {}), ...(updated ? { updated } : {}) };
  return [{ name: OUR_SOURCE, ...(source || updated ? { database } : {}), ...(scannedAt ? { scannedAt } : {}) }];
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

/** Reads the unsuppressed findings of a scan report (those of the sources counted), or says why it cannot. Never throws. */
export function readScanReport(report: unknown, counted: CountedSources = 'all'): ScanReportRead {
  if (!isObject(report)) return { ok: false, reason: 'scanner.result is not a JSON object' };
  // Any verdict but pass / fail, even a malformed one, means the findings cannot be trusted as complete.
  if (report.verdict !== undefined && report.verdict !== 'pass' && report.verdict !== 'fail') return { ok: false, reason: unusableVerdict(report, report.verdict) };
  if (Array.isArray(report.findings)) return fromFindings(report.findings, counted);
  if (isObject(report.summary)) {
    const counts = report.summary.bySeverity ?? report.summary.counts;
    if (isObject(counts)) return fromCounts(counts);
  }
  if (Array.isArray(report.vulnerabilities)) return fromCycloneDx(report.vulnerabilities);
  return { ok: false, reason: 'scanner.result has neither findings, summary.bySeverity nor CycloneDX vulnerabilities' };
}
