import type { AuditEntry } from '../core/audit';
import type { ArtifactHistory } from './history';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info', 'unknown'] as const;

const obj = (v: unknown): Readonly<Record<string, unknown>> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** One link of the provenance chain: commit → build → push → SBOM → scan → signature → decisions. */
export interface ChainLink {
  readonly step: 'commit' | 'build' | 'push' | 'sbom' | 'scan' | 'signature' | 'decisions';
  /** ok: recorded and good; bad: recorded and failing or contradicted; missing: not recorded. */
  readonly state: 'ok' | 'bad' | 'missing';
  readonly summary: string;
}

/** Findings per severity as the recorded scan counted them (unsuppressed, every platform). */
export function findingsBySeverity(h: ArtifactHistory): Record<(typeof SEVERITIES)[number], number> | undefined {
  const counts = obj(obj(h.evidence.scan).counts);
  if (Object.keys(counts).length === 0) return undefined;
  return Object.fromEntries(SEVERITIES.map((s) => [s, typeof counts[s] === 'number' ? counts[s] : 0])) as Record<(typeof SEVERITIES)[number], number>;
}

export function provenanceChain(h: ArtifactHistory): ChainLink[] {
  const labels = h.artifact?.provenance ?? {};
  const build = h.builds[0];
  const mismatch = h.flags.some((f) => f.kind === 'provenance-mismatch');
  const commit = build?.commit ?? labels.revision;
  const source = build?.source ?? labels.source;
  const pushed = h.trail.find((e) => e.type === 'ArtifactPushed');
  const pusher = h.pushers[0];
  const sbom = obj(h.evidence.sbom);
  const scan = obj(h.evidence.scan);
  const signature = obj(h.evidence.signature);
  const allowed = h.decisions.filter((d) => d.outcome === 'allowed').length;
  const denied = h.decisions.length - allowed;
  const verdict = text(scan.verdict);
  return [
    commit ? { step: 'commit', state: mismatch ? 'bad' : 'ok', summary: `${commit}${source ? ` of ${source}` : ''}${build ? '' : ' (image label only)'}` } : { step: 'commit', state: 'missing', summary: 'no commit recorded' },
    build
      ? { step: 'build', state: build.status === 'succeeded' && !mismatch ? 'ok' : 'bad', summary: `${build.pipeline} #${build.buildId} ${build.status} by ${build.author}${mismatch ? ' — labels disagree' : ''}` }
      : { step: 'build', state: 'missing', summary: labels.buildId ? `label only: build ${labels.buildId}${labels.pipeline ? ` of ${labels.pipeline}` : ''}` : 'no build record' },
    pusher
      ? { step: 'push', state: 'ok', summary: `${pusher.principal} at ${pusher.time}${pusher.sourceIp ? ` from ${pusher.sourceIp}` : ''}` }
      : pushed
        ? { step: 'push', state: 'ok', summary: `pushed ${pushed.time} (pusher identity not recorded)` }
        : { step: 'push', state: 'missing', summary: 'no push recorded' },
    Object.keys(sbom).length ? { step: 'sbom', state: 'ok', summary: `${text(sbom.components) ?? '?'} components` } : { step: 'sbom', state: 'missing', summary: 'no SBOM' },
    verdict ? { step: 'scan', state: verdict === 'pass' || verdict === 'skipped' ? 'ok' : 'bad', summary: `verdict ${verdict}${text(scan.reason) ? `: ${text(scan.reason)}` : ''}` } : { step: 'scan', state: 'missing', summary: 'not scanned' },
    Object.keys(signature).length
      ? { step: 'signature', state: signature.signed === true ? 'ok' : 'bad', summary: signature.signed === true ? `signed${text(signature.keyId) ? ` with ${text(signature.keyId)}` : ''}` : `not signed: ${text(signature.reason) ?? 'unknown reason'}` }
      : { step: 'signature', state: 'missing', summary: 'no signature recorded' },
    h.decisions.length ? { step: 'decisions', state: denied ? 'bad' : 'ok', summary: `${allowed} allowed, ${denied} denied` } : { step: 'decisions', state: 'missing', summary: 'no gate decision' },
  ];
}

/** One line per audit entry: time, actor, action, outcome, target (for `audit` and `history`). */
export function auditLines(entries: readonly AuditEntry[], withTarget = true): string[] {
  const rows = entries.map((e) => [e.time, e.actor, e.action, e.outcome, ...(withTarget ? [e.target] : [])]);
  const head = ['TIME', 'ACTOR', 'ACTION', 'OUTCOME', ...(withTarget ? ['TARGET'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...rows.map(line)];
}

/** `history REF` as text: the chain, tags, builds, pushers, flags, then the whole trail. */
export function historyText(h: ArtifactHistory): string {
  const out = [`${h.repositoryName}@${h.digest}`, `  ${h.artifact ? `${h.artifact.kind}, first seen ${h.artifact.firstSeen}` : 'no artifact record'}; ${h.processed ? 'processed' : 'not processed'}`, '', 'provenance chain:'];
  for (const l of provenanceChain(h)) out.push(`  ${l.state === 'ok' ? 'ok ' : l.state === 'bad' ? 'BAD' : ' - '} ${l.step.padEnd(10)} ${l.summary}`);
  const findings = findingsBySeverity(h);
  if (findings) out.push('', `findings: ${Object.entries(findings).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  if (h.tags.length) {
    out.push('', 'tags:');
    for (const t of h.tags) {
      out.push(`  ${t.tag} → ${t.boundTo ?? '?'}${t.boundTo && t.boundTo !== h.digest ? ' (bound to another digest)' : ''}`);
      for (const p of t.pushes) out.push(`    ${p.time}  ${p.outcome.padEnd(9)} ${p.digest}`);
    }
  }
  for (const b of h.builds) out.push('', `build ${b.pipeline} #${b.buildId}: ${b.status}, commit ${b.commit} of ${b.source}, by ${b.author}${b.startedAt ? `, ${b.startedAt}` : ''}${b.finishedAt ? ` → ${b.finishedAt}` : ''}`);
  for (const p of h.pushers) out.push('', `pushed by ${p.principal} (account ${p.account}) at ${p.time}${p.sourceIp ? ` from ${p.sourceIp}` : ''}${p.userAgent ? `, ${p.userAgent}` : ''}`);
  if (h.flags.length) {
    out.push('', 'flags:');
    for (const f of h.flags) out.push(`  ${f.kind} ${f.key} (${f.time})`);
  }
  out.push('', 'audit trail:', ...auditLines(h.trail, false).map((l) => `  ${l}`), '');
  return out.join('\n');
}
