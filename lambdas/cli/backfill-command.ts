import { BadInputError } from '../core/errors';
import { reconcile } from '../ledger/reconcile';
import { DefaultRegistryCredentials } from '../adapters/default-registry-credentials';
import { openLocalEnvironment, runWorkflow } from '../local/runner';
import { parseSource } from '../oci/open-source';
import { parseReference } from '../oci/reference';
import { RegistryClient } from '../oci/registry-client';
import { RegistryImageLister } from '../oci/registry-image-lister';
import type { RegistryImage } from '../ports/image-lister';
import { configuredSource } from '../vuln/sources/configure';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';
import { progressDisplay } from './progress-render';
import { signerFor } from './signing-wiring';

/**
 * `backfill registry:HOST/REPO`: the workflow, locally, for every tagged digest of the
 * repository the local ledger has no completed record of (as the stack's reconciler does with
 * ECR). Exit 0 when every run ended, 2 when one could not run.
 */
export async function backfillCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('backfill', argv);
  const format = oneOf('backfill', '-o', values.output, ['text', 'json'] as const, 'text');
  const spec = parseSource(positionals[0] as string);
  if (spec.scheme !== 'registry') throw new BadInputError(`backfill: give a registry repository, registry:HOST/REPO (got ${spec.scheme}:; usage: ${usageLine('backfill')})`);
  const ref = parseReference(spec.location);
  if (ref.tag || ref.digest) throw new BadInputError(`backfill: give the repository without a tag or digest (every tag is read): registry:${ref.registry}/${ref.repository}`);
  const concurrency = values.concurrency === undefined ? 2 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new BadInputError(`backfill: --concurrency must be a whole number from 1 to 16 (got "${values.concurrency}")`);
  const signer = values.key ? await signerFor(values.key) : undefined;
  const display = progressDisplay(values);
  const vulnerabilities = configuredSource({ osvDir: values['osv-dir'], osvApi: values['osv-api'] }, process.env, { log: (l) => display.print(l), progress: display });
  const env = await openLocalEnvironment({ insecure: values.insecure, signer, vulnerabilities, progress: display });
  const client = new RegistryClient({ registry: ref.registry, credentials: new DefaultRegistryCredentials(), insecure: values.insecure });
  const runs: { image: string; status: string; verdict?: string }[] = [];
  try {
    const report = await reconcile(
      {
        lister: new RegistryImageLister(client, ref.registry),
        records: env.records,
        concurrency,
        start: async (image: RegistryImage) => {
          const outcome = await runWorkflow({ source: `registry:${image.repositoryName}@${image.digest}`, ...(image.tags[0] ? { tag: image.tags[0] } : {}) }, env);
          const verdict = outcome.status === 'SUCCEEDED' ? (outcome.output.scan as { verdict?: string } | undefined)?.verdict : undefined;
          runs.push({ image: `${image.repositoryName}@${image.digest}`, status: outcome.status, ...(verdict ? { verdict } : {}) });
          if (outcome.status === 'FAILED') throw new Error(`${outcome.error}: ${outcome.cause}`);
          return 'started';
        },
      },
      [ref.repository],
    );
    const failed = report.failed.map((f) => ({ image: `${f.image.repositoryName}@${f.image.digest}`, error: f.error }));
    const stdout =
      format === 'json'
        ? `${JSON.stringify({ listed: report.listed, alreadyProcessed: report.processed, evidence: report.evidence, runs, failed }, null, 2)}\n`
        : [
            `backfill ${ref.registry}/${ref.repository}: ${report.listed} tagged digest(s), ${report.processed} already processed, ${report.started.length} processed now, ${failed.length} failed`,
            ...runs.map((r) => `  ${r.status === 'SUCCEEDED' ? 'processed' : 'FAILED   '} ${r.image}${r.verdict ? ` (verdict ${r.verdict})` : ''}`),
            '',
          ].join('\n');
    return failed.length ? { exitCode: 2, stdout, error: `backfill: ${failed.length} run(s) failed: ${failed.map((f) => `${f.image}: ${f.error}`).join('; ')}` } : { exitCode: 0, stdout };
  } finally {
    display.end();
    await env.close();
  }
}
