/**
 * Second opinions as evidence: the report's bytes written once to the evidence store (beside the
 * artifact's SBOMs and scans, under a key carrying their hash), and one record per report in the
 * ledger (`opinion#<tool>#<sha256 prefix>`) with what it says in brief, plus an audit event. The
 * scan reads them back, checked against the recorded hash, and merges them (`recordedOpinions`).
 */
import { IntegrityError } from '../core/errors';
import type { BlobStore } from '../ports/blob-store';
import type { RecordStore, WriteOutcome } from '../ports/record-store';
import { readVerified, sha256Hex, writeOnce } from '../ports/write-once';
import type { OpinionReport } from '../vuln/imports/imported-report';
import { RULES_OUT } from '../vuln/imports/imported-report';
import type { OpinionSource } from '../vuln/imports/opinion-source';
import { parseOpinion } from '../vuln/imports/parse';
import { SEVERITIES, type Severity } from '../vuln/severity';
import { evidencePrefix } from './evidence-keys';

export const OPINION_KIND = 'opinion#';

export interface OpinionTarget {
  readonly repositoryName: string;
  /** The artifact's digest (the ledger's key). */
  readonly digest: string;
  /** The manifest the report is about (a platform's, for an index). */
  readonly manifest: string;
}

export interface RecordedOpinion {
  readonly kind: string;
  readonly outcome: WriteOutcome;
  readonly location: string;
  readonly summary: Readonly<Record<string, unknown>>;
}

function summaryOf(report: OpinionReport, target: OpinionTarget, stored: { key: string; sha256: string }, importedBy: string, time: string): Record<string, unknown> {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let ruledOut = 0;
  for (const f of report.findings) {
    if (RULES_OUT.has(f.status)) ruledOut += 1;
    else bySeverity[f.severity] += 1;
  }
  return {
    tool: report.tool.name,
    ...(report.tool.version ? { toolVersion: report.tool.version } : {}),
    format: report.format,
    ...(report.database ? { database: { ...report.database } } : {}),
    ...(report.scannedAt ? { scannedAt: report.scannedAt } : {}),
    manifest: target.manifest,
    origin: report.origin,
    evidence: { key: stored.key, sha256: stored.sha256 },
    findings: report.findings.length,
    ruledOut,
    bySeverity,
    importedBy,
    importedAt: time,
  };
}

/** Stores the report's bytes and records it for the artifact; a second import of the same bytes writes nothing new. */
export async function recordOpinion(deps: { records: RecordStore; evidence: BlobStore }, target: OpinionTarget, report: OpinionReport, bytes: Buffer, who: string, now: Date): Promise<RecordedOpinion> {
  const sha = sha256Hex(bytes);
  const prefix = evidencePrefix(target.repositoryName, target.digest);
  const stored = await writeOnce(deps.evidence, `${prefix}/opinions/${report.tool.name.replace(/[^A-Za-z0-9._-]/g, '_')}.${sha.slice(0, 16)}.json`, bytes, 'application/json');
  const time = now.toISOString();
  const kind = `${OPINION_KIND}${report.tool.name}#${sha.slice(0, 16)}`;
  const summary = summaryOf(report, target, stored, who, time);
  const outcome = await deps.records.putEvidence(target.repositoryName, target.digest, kind, summary, time);
  await deps.records.appendEvent(target.repositoryName, target.digest, { id: `opinion-imported#${sha}`, time, type: 'SecondOpinionImported', detail: { kind, tool: report.tool.name, manifest: target.manifest, findings: report.findings.length, by: who } });
  return { kind, outcome, location: stored.location, summary };
}

/** Every report recorded for the artifact, read back from the evidence store and checked against its recorded hash. */
export async function recordedOpinions(deps: { records: RecordStore; evidence: BlobStore }, repositoryName: string, digest: string): Promise<OpinionReport[]> {
  const evidence = await deps.records.getEvidence(repositoryName, digest);
  const out: OpinionReport[] = [];
  for (const [kind, body] of Object.entries(evidence)) {
    if (!kind.startsWith(OPINION_KIND)) continue;
    const ref = body.evidence as { key?: unknown; sha256?: unknown } | undefined;
    if (typeof ref?.key !== 'string' || typeof ref.sha256 !== 'string') throw new IntegrityError(`ledger record ${kind} of ${repositoryName}@${digest} does not name its evidence`);
    const bytes = await readVerified(deps.evidence, { key: ref.key, sha256: ref.sha256 });
    out.push(parseOpinion(bytes.toString('utf8'), typeof body.origin === 'string' ? body.origin : kind));
  }
  return out;
}

/** Reports imported with `import-findings`, as a source the scan step merges. */
export function ledgerOpinionSource(deps: { records: RecordStore; evidence: BlobStore }): OpinionSource {
  return { name: 'ledger', opinionsFor: (r) => recordedOpinions(deps, r.repositoryName, r.digest) };
}
