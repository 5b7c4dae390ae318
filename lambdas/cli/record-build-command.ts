import * as os from 'node:os';
import { BadInputError } from '../core/errors';
import type { BuildReport } from '../ledger/build-report';
import { buildRecordOf, parseBuildReport } from '../ledger/build-report';
import { createBuildRecorder } from '../ledger/build-recorder';
import { openLocalLedger } from '../local/ledger';
import { parseReference, repositoryName } from '../oci/reference';
import { InMemoryMetrics } from '../ports/metrics';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';
import { openSigningSource } from './signing-wiring';

/** Each `--image REF`: its digest (asked of the registry when REF names a tag) and repository. */
async function imagesOf(refs: readonly string[], insecure: boolean | undefined): Promise<{ digests: string[]; repositories: string[] }> {
  const digests: string[] = [];
  const repositories: string[] = [];
  for (const ref of refs) {
    const parsed = parseReference(ref);
    repositories.push(repositoryName(parsed));
    if (parsed.digest) {
      digests.push(parsed.digest);
      continue;
    }
    const source = await openSigningSource('record-build', ref.startsWith('registry:') ? ref : `registry:${ref}`, insecure);
    try {
      digests.push((await source.resolve()).digest);
    } finally {
      await source.close();
    }
  }
  return { digests, repositories };
}

function summary(report: BuildReport, outcome: string, where: string): string {
  return `${outcome} build ${report.pipeline} #${report.buildId} (${report.status}, commit ${report.commit}${report.digests.length ? `, ${report.digests.join(', ')}` : ''}) ${where}\n`;
}

/**
 * `record-build`: a CI build as provenance, into the local ledger, or with `--bus NAME` as a
 * `Build Recorded` event on the stack's bus (the stack's build recorder writes it to DynamoDB).
 */
export async function recordBuildCommand(argv: string[]): Promise<CommandResult> {
  const { values } = parseCommand('record-build', argv);
  const format = oneOf('record-build', '-o', values.output, ['text', 'json'] as const, 'text');
  const missing = (['status', 'commit', 'source', 'build-id', 'pipeline', 'author'] as const).filter((f) => values[f] === undefined);
  if (missing.length) throw new BadInputError(`record-build: ${missing.map((f) => `--${f}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} required (usage: ${usageLine('record-build')})`);
  const images = await imagesOf(values.image ?? [], values.insecure);
  const report = parseBuildReport(
    {
      status: values.status,
      commit: values.commit,
      source: values.source,
      buildId: values['build-id'],
      pipeline: values.pipeline,
      author: values.author,
      ...(values['started-at'] ? { startedAt: values['started-at'] } : {}),
      ...(values['finished-at'] ? { finishedAt: values['finished-at'] } : {}),
      digests: [...(values.digest ?? []), ...images.digests],
      repositories: images.repositories,
    },
    'record-build',
  );
  if (report.status === 'succeeded' && report.digests.length === 0) process.stderr.write('warning: record-build: a succeeded build with no --digest or --image joins no artifact\n');
  if (values.bus) {
    const [{ EventBridgeClient }, { EventBridgeBuildPublisher }] = await Promise.all([import('@aws-sdk/client-eventbridge'), import('../adapters/aws/eventbridge-build-publisher')]);
    const client = new EventBridgeClient({});
    try {
      const { eventId } = await new EventBridgeBuildPublisher(client, values.bus).publish(report);
      return { exitCode: 0, stdout: format === 'json' ? `${JSON.stringify({ bus: values.bus, eventId, report }, null, 2)}\n` : summary(report, 'sent', `to bus ${values.bus} (event ${eventId})`) };
    } finally {
      client.destroy();
    }
  }
  const ledger = await openLocalLedger(undefined, { quiet: values.quiet });
  try {
    const record = createBuildRecorder({ records: ledger.records, ledger: ledger.ledger, alerts: ledger.alerts, metrics: new InMemoryMetrics() });
    const result = await record(buildRecordOf(report, new Date().toISOString(), `local:${os.userInfo().username}`));
    const linked = result.links.map((l) => ({ artifact: `${l.repositoryName}@${l.digest}`, mismatches: l.mismatches }));
    if (format === 'json') return { exitCode: 0, stdout: `${JSON.stringify({ outcome: result.outcome, report, linked }, null, 2)}\n` };
    const lines = linked.map((l) => `  joined ${l.artifact}${l.mismatches.length ? `: labels disagree (${l.mismatches.map((m) => m.field).join(', ')})` : ''}\n`);
    return { exitCode: 0, stdout: summary(report, result.outcome === 'created' ? 'recorded' : 'already recorded', 'in the local ledger') + lines.join('') };
  } finally {
    await ledger.close();
  }
}
