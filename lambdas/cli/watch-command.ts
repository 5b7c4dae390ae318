import * as fs from 'node:fs';
import { FetchHttpGet } from '../adapters/fetch-http-get';
import { FsBlobStore } from '../adapters/local/fs-blob-store';
import { loadEnvironments } from '../gate/environments';
import { listEvidence, runRescan } from '../local/rescan-runner';
import { openLocalEnvironment } from '../local/runner';
import { localPaths } from '../local/paths';
import { OsvMirrorStore } from '../vuln/mirror/mirror-store';
import { MirrorOsvSource } from '../vuln/sources/mirror-source';
import { createRescanBatch } from '../workflow/watch/rescan-batch';
import type { RunWatchSummary } from '../workflow/watch/run-watch';
import { runOsvWatch } from '../workflow/watch/run-watch';
import { createWatch } from '../workflow/watch/watch';
import { BadInputError } from '../core/errors';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';

function text(s: RunWatchSummary, rescan?: { batches: number; rescanned: number; added: number; ms: number }): string {
  const lines = s.ecosystems.map((e) => `  ${e.ecosystem.padEnd(12)} ${e.mode}${e.first ? ' (first sync)' : ''}: ${e.changed} record(s)${e.error ? ` — ${e.error}` : ''}`);
  if (s.watch) lines.push(`watch: ${s.watch.packagesQueried} package(s) looked up, ${s.watch.componentsRead} indexed component(s) read, ${s.watch.artifactsEvaluated} artifact(s) evaluated, ${s.watch.added} new finding(s), ${s.watch.cleared} cleared, ${s.watch.alerts} alert(s)`);
  if (s.reevaluated) lines.push(`re-evaluated ${s.reevaluated} artifact(s) left incomplete for lack of data`);
  if (rescan) lines.push(`full re-scan: ${rescan.rescanned} artifact(s) in ${rescan.batches} batch(es), ${rescan.added} new finding(s), ${rescan.ms} ms`);
  return `OSV mirror sync: ${s.changedRecords} changed record(s)\n${lines.join('\n')}\n`;
}

/**
 * `watch`: the scheduled OsvWatch Lambda's run, locally: sync the OSV mirror under the local home
 * for the ecosystems of the locally processed artifacts, match changed records against them,
 * re-evaluate `incomplete` ones whose data arrived; `--rescan` then re-scans every stored SBOM
 * through the FullRescan state machine's definition. Alerts go to alerts.jsonl and stderr.
 */
export async function watchCommand(argv: string[]): Promise<CommandResult> {
  const { values } = parseCommand('watch', argv);
  const format = oneOf('watch', '-o', values.output, ['text', 'json'] as const, 'text');
  const threshold = oneOf('watch', '--threshold', values.threshold?.toLowerCase(), ['critical', 'high', 'medium', 'low'] as const, 'high');
  const unknownSeverity = oneOf('watch', '--unknown-severity', values['unknown-severity']?.toLowerCase(), ['fail', 'warn'] as const, 'fail');
  const hours = values['max-age'] === undefined ? undefined : Number(values['max-age']);
  if (hours !== undefined && !(hours > 0)) throw new BadInputError(`watch: --max-age must be a number of hours, got ${values['max-age'] ?? ''}`);
  const paths = localPaths();
  const envFile = values.environments ?? paths.environments;
  const environments = values.environments || fs.existsSync(envFile) ? loadEnvironments(envFile) : undefined;
  const local = await openLocalEnvironment({ quiet: values.quiet ?? false, threshold, unknownSeverity });
  try {
    const mirror = new OsvMirrorStore(new FsBlobStore(paths.home), 'osv-mirror/');
    const common = {
      index: local.componentIndex,
      scans: local.scans,
      records: local.records,
      evidence: local.evidence,
      alerts: local.alerts,
      metrics: local.metrics,
      threshold,
      unknownSeverity,
      ...(environments ? { environments } : {}),
      now: () => new Date(),
      ...(values.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
    };
    const summary = await runOsvWatch({
      ...common,
      http: new FetchHttpGet(),
      mirror,
      extraEcosystems: values.ecosystem ?? [],
      ...(values['osv-base-url'] || process.env.ARTIFACT_GUARD_OSV_EXPORT_URL ? { baseUrl: values['osv-base-url'] ?? process.env.ARTIFACT_GUARD_OSV_EXPORT_URL } : {}),
      ...(hours ? { maxAgeMs: hours * 3600_000 } : {}),
      ...(values['sync-only'] ? { syncOnly: true } : {}),
    });
    let rescan: { batches: number; rescanned: number; added: number; ms: number } | undefined;
    if (values.rescan) {
      const started = Date.now();
      const source = new MirrorOsvSource(mirror, { now: () => new Date(), ...(hours ? { maxAgeMs: hours * 3600_000 } : {}) });
      const watch = createWatch({ ...common, source, dataSource: source.label });
      const results = await runRescan(await listEvidence(paths.home), createRescanBatch(watch, local.alerts));
      rescan = { batches: results.length, rescanned: results.reduce((n, r) => n + r.rescanned, 0), added: results.reduce((n, r) => n + r.added, 0), ms: Date.now() - started };
    }
    const stdout = format === 'json' ? `${JSON.stringify({ ...summary, ...(rescan ? { rescan } : {}) }, null, 2)}\n` : text(summary, rescan);
    // A failed ecosystem kept its old mirror: the run could not do all it should.
    if (summary.failed.length) return { exitCode: 2, stdout, error: `watch: the OSV mirror sync failed for ${summary.failed.join('; ')} (the previous data is kept)` };
    return { exitCode: 0, stdout };
  } finally {
    await local.close();
  }
}
