import { parseSource } from '../oci/open-source';
import { localPaths } from '../local/paths';
import { openLocalEnvironment, runWorkflow } from '../local/runner';
import type { RecordResult, ResolvedArtifact } from '../workflow/state';
import { oneOf, parseCommandArgs } from './args';
import type { CommandResult } from './command';

const USAGE = 'artifact-guard process SOURCE [--insecure] [-o text|json]';

function summaryLines(source: string, out: Record<string, unknown>, home: string): string[] {
  const a = out.artifact as ResolvedArtifact;
  const rec = out.record as RecordResult | undefined;
  const alerts = (out.alerts as { published?: string[] } | undefined)?.published ?? [];
  const paths = localPaths(home);
  const lines = ['Artifact Guard: workflow finished', `  source      ${source}`];
  lines.push(`  artifact    ${a.repositoryName}@${a.digest}`);
  lines.push(`  kind        ${a.kind}${a.tag ? `, tag ${a.tag}` : ''}${a.platforms.length ? `, ${a.platforms.length} platform(s)` : ''}`);
  for (const p of a.platforms) lines.push(`    platform  ${p.platform ?? 'unknown'}  ${p.digest}`);
  if (a.skip) {
    lines.push(`  skipped     ${a.skip}`);
    return lines;
  }
  const prov = Object.entries(a.provenance).map(([k, v]) => `${k}=${v}`);
  lines.push(`  provenance  ${prov.length ? prov.join(', ') : 'none labelled'}`);
  if (a.duplicate) lines.push('  duplicate   this digest was processed before; only tag bookkeeping ran');
  if (rec) {
    lines.push(`  record      artifact ${rec.artifact === 'created' ? 'recorded' : 'already recorded'}, ${rec.eventsWritten} audit event(s) written`);
    if (rec.tagViolation) lines.push(`  VIOLATION   tag ${rec.tagViolation.tag} is bound to ${rec.tagViolation.boundDigest}`);
  }
  lines.push(`  alerts      ${alerts.length ? alerts.join(', ') : 'none'}`);
  lines.push(`  stores      records ${paths.records}`, `              evidence ${paths.evidence}`, `              alerts ${paths.alerts}`);
  return lines;
}

/** `process SOURCE`: the whole workflow, locally, on embedded stores. */
export async function processCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommandArgs('process', argv, { insecure: { type: 'boolean' }, output: { type: 'string', short: 'o' } }, { min: 1, max: 1, names: `SOURCE (${USAGE})` });
  const format = oneOf('process', '-o', values.output, ['text', 'json'] as const, 'text');
  const source = positionals[0] as string;
  parseSource(source); // a bad SOURCE fails before any store is opened
  const env = await openLocalEnvironment({ insecure: values.insecure });
  try {
    const outcome = await runWorkflow({ source }, env);
    if (outcome.status === 'FAILED') {
      return { exitCode: 2, error: `process: ${outcome.cause} (${outcome.error}; a Workflow Failed alert was recorded)` };
    }
    const text = format === 'json' ? JSON.stringify(outcome.output, null, 2) : summaryLines(source, outcome.output, localPaths().home).join('\n');
    return { exitCode: 0, stdout: `${text}\n` };
  } finally {
    await env.close();
  }
}
