import type { JsonObject, JsonValue } from '../signing/strict-json';
import type { RequiredSource, UnknownSeverity } from './policy';
import { PREDICATE_TYPES } from './predicate-types';
import type { CountedSources, SeverityLevel } from './scan-report';
import { readScanReport, reportSources, severityRank } from './scan-report';
import type { Statement } from './statement';

/** Pure rules over verified statements: times, vulnerability counts, provenance origins. */

const obj = (v: JsonValue | undefined): JsonObject | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** When the attested thing happened, from the signed predicate (DSSE itself carries no time). */
export function statementTime(s: Statement): Date | undefined {
  const p = s.predicate;
  let text: string | undefined;
  switch (s.predicateType) {
    case PREDICATE_TYPES.slsaprovenance1: {
      const meta = obj(obj(p.runDetails)?.metadata);
      text = str(meta?.finishedOn) ?? str(meta?.startedOn);
      break;
    }
    case PREDICATE_TYPES.vuln: {
      const meta = obj(p.metadata);
      text = str(meta?.scanFinishedOn) ?? str(meta?.scanStartedOn);
      break;
    }
    case PREDICATE_TYPES.cyclonedx:
      text = str(obj(p.metadata)?.timestamp);
      break;
  }
  const ms = text ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** A measured age for people: the largest unit that fits, one decimal (`23.9h`, `3d`). */
export function formatAge(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
  ];
  for (const [size, unit] of units) if (ms >= size) return `${Number((ms / size).toFixed(1))}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

/** Why the statement is too old (or undated), if it is. */
export function ageProblem(s: Statement, maxAgeMs: number, now: Date, maxAgeText = formatAge(maxAgeMs)): string | undefined {
  const t = statementTime(s);
  if (!t) return 'records no time, so its age cannot be checked';
  const age = now.getTime() - t.getTime();
  if (age > maxAgeMs) return `is from ${t.toISOString()}, ${formatAge(age)} old, more than the maximum age ${maxAgeText}`;
  return undefined;
}

/**
 * Why the vulnerability statement fails `failOn`, if it does. A finding of unknown severity
 * (a record that rates nothing, such as Debian's OSV records) is not known to be harmless, so
 * with `unknownSeverity: fail` (the default, fail closed) it counts as at or above any `failOn`;
 * with `warn` it ranks below info, as SEVERITY_ORDER puts it, and a denial for other findings
 * still says how many there were. The parameter defaults to `fail` so that a caller which does
 * not pass the policy's setting errs toward denying.
 */
export function vulnerabilityProblem(s: Statement, failOn: SeverityLevel, unknownSeverity: UnknownSeverity = 'fail', sources: CountedSources = 'all'): string | undefined {
  const report = readScanReport(obj(s.predicate.scanner)?.result, sources);
  if (!report.ok) return `the vulnerability attestation cannot be judged: ${report.reason}`;
  const limit = severityRank(failOn);
  // Only when the threshold alone would not count them does the unknown-severity rule matter.
  const unknownAddsUp = severityRank('unknown') < limit;
  const counted = (sev: SeverityLevel) => severityRank(sev) >= limit || (sev === 'unknown' && unknownSeverity === 'fail');
  const counts = Object.entries(report.findings.bySeverity).filter(([sev, n]) => counted(sev as SeverityLevel) && (n ?? 0) > 0);
  const total = counts.reduce((a, [, n]) => a + (n ?? 0), 0);
  if (total === 0) return undefined;
  const bySeverity = counts
    .sort(([a], [b]) => severityRank(b as SeverityLevel) - severityRank(a as SeverityLevel))
    .map(([sev, n]) => `${n} ${sev}`)
    .join(', ');
  const ids = report.findings.ids.filter((f) => counted(f.severity));
  const shown = ids.slice(0, 10).map((f) => `${f.id} (${f.severity})`).join(', ');
  const unknown = report.findings.bySeverity.unknown ?? 0;
  const threshold = unknownAddsUp && unknownSeverity === 'fail' && unknown > 0 ? `at or above ${failOn} or of unknown severity` : `at or above ${failOn}`;
  const uncounted = unknownAddsUp && unknownSeverity === 'warn' && unknown > 0 ? `; ${unknown} more of unknown severity, not counted (unknownSeverity: warn)` : '';
  return `${total} unsuppressed finding${total === 1 ? '' : 's'} ${threshold} (${bySeverity})${shown ? `: ${shown}${ids.length > 10 ? ', …' : ''}` : ''}${uncounted}`;
}

/**
 * Why the vulnerability statement does not show a scan by each required source recently enough:
 * the report's `sources[]` (or our own scan, for a report without second opinions) must name it,
 * with a scan time within its maxAge. A source with no scan time cannot show its age.
 */
export function sourcesProblems(s: Statement, required: readonly RequiredSource[], now: Date): string[] {
  const used = reportSources(obj(s.predicate.scanner)?.result);
  const names = used.map((u) => u.name);
  const problems: string[] = [];
  for (const r of required) {
    const mine = used.filter((u) => u.name === r.name);
    if (!mine.length) {
      problems.push(`no scan by ${r.name} in the vulnerability attestation (it names ${names.length ? names.join(', ') : 'no source'})`);
      continue;
    }
    if (r.maxAgeMs === undefined) continue;
    const times = mine.map((u) => (u.scannedAt ? Date.parse(u.scannedAt) : NaN)).filter((t) => !Number.isNaN(t));
    if (!times.length) {
      problems.push(`the scan by ${r.name} records no time, so its age cannot be checked against ${r.maxAge ?? formatAge(r.maxAgeMs)}`);
      continue;
    }
    const newest = Math.max(...times);
    const age = now.getTime() - newest;
    if (age > r.maxAgeMs) problems.push(`the scan by ${r.name} is from ${new Date(newest).toISOString()}, ${formatAge(age)} old, more than ${r.maxAge ?? formatAge(r.maxAgeMs)}`);
  }
  return problems;
}

/** `git+https://GitHub.com/org/app.git/` and `https://github.com/org/app` are one repository. */
export function normalizeRepository(uri: string): string {
  let u = uri.trim().replace(/^git\+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]+)(.*)$/i.exec(u);
  if (m) u = `${(m[1] as string).toLowerCase()}${(m[2] as string).toLowerCase()}${m[3]}`;
  return u;
}

/** The source repository a provenance statement names (ours: externalParameters.source.repository). */
export function provenanceSource(s: Statement): string | undefined {
  const ext = obj(obj(s.predicate.buildDefinition)?.externalParameters);
  const source = ext?.source;
  return str(obj(source)?.repository) ?? str(source) ?? str(obj(ext?.workflow)?.repository);
}

export function provenanceBuilder(s: Statement): string | undefined {
  return str(obj(obj(s.predicate.runDetails)?.builder)?.id);
}

/**
 * Why the provenance does not match the allowed origins. An empty list allows nothing: it is
 * what a gate policy and a request policy with no entry in common tighten to.
 */
export function provenanceProblems(s: Statement, sourceRepositories: readonly string[] | undefined, builders: readonly string[] | undefined): string[] {
  const problems: string[] = [];
  const emptyList = (field: 'sourceRepositories' | 'builders', what: string) =>
    `${field} is empty: no ${what} is allowed, so every artifact is denied (as when the gate's and the request's lists have nothing in common)`;
  if (sourceRepositories?.length === 0) problems.push(emptyList('sourceRepositories', 'source repository'));
  else if (sourceRepositories) {
    const repo = provenanceSource(s);
    const wanted = sourceRepositories.map(normalizeRepository);
    if (!repo) problems.push(`the provenance names no source repository (allowed: ${sourceRepositories.join(', ')})`);
    else if (!wanted.includes(normalizeRepository(repo))) problems.push(`built from ${repo}, not from ${sourceRepositories.join(' or ')}`);
  }
  if (builders?.length === 0) problems.push(emptyList('builders', 'builder'));
  else if (builders) {
    const builder = provenanceBuilder(s);
    if (!builder) problems.push('the provenance names no builder');
    else if (!builders.includes(builder)) problems.push(`built by ${builder}, not by ${builders.join(' or ')}`);
  }
  return problems;
}
