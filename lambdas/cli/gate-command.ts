import { loadPolicy, policyToDocument } from '../attest/policy';
import { BadInputError } from '../core/errors';
import { InMemoryMetrics } from '../ports/metrics';
import { environmentNamed, loadEnvironments } from '../gate/environments';
import type { GateDecision } from '../gate/verify-gate';
import { createVerifyGate } from '../gate/verify-gate';
import { openLocalLedger } from '../local/ledger';
import { localPaths } from '../local/paths';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';
import { defaultPublicKeys } from './dev-public-key';
import { progressDisplay } from './progress-render';
import { openSigningSource, verificationKeysFor } from './signing-wiring';

function text(d: GateDecision): string {
  const lines = [`${d.allowed ? 'allowed' : 'denied'} ${d.repository}@${d.digest}${d.environment ? ` in ${d.environment}` : ''} (policy: ${d.policySource}; deploy the digest, not the tag)`];
  // A chart: what it deploys, image by image.
  for (const i of d.images ?? []) lines.push(`  image ${i.allowed ? 'allowed' : 'denied '} ${i.reference} (${i.foundAt})`);
  for (const w of d.warnings ?? []) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** The keys to verify with: `--key`s, else the development key `process` signs with locally. */
function keyArgs(given: readonly string[] | undefined): string[] {
  return given?.length ? [...given] : defaultPublicKeys('gate');
}

/**
 * `gate REF --env E`: the deployed gate's decision, locally — the same code, the local ledger
 * (records of `process` runs) and the environment's policy. Exit 0 allowed, 1 denied, 2 error.
 */
export async function gateCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('gate', argv);
  const format = oneOf('gate', '-o', values.output, ['text', 'json'] as const, 'text');
  if (!values.env) throw new BadInputError(`gate: --env ENV is required (usage: ${usageLine('gate')})`);
  const environments = loadEnvironments(values.environments ?? localPaths().environments);
  environmentNamed(environments, values.env); // an unknown name is a usage error before any key or registry is touched
  const extra = values.policy ? policyToDocument(loadPolicy(values.policy)) : undefined;
  const keys = await verificationKeysFor(keyArgs(values.key));
  const display = progressDisplay(values);
  const ledger = await openLocalLedger(undefined, { quiet: values.quiet });
  try {
    const gate = createVerifyGate({
      openSource: (spec) => openSigningSource('gate', `registry:${spec.location}`, values.insecure, display),
      keys: async () => keys,
      alerts: ledger.alerts,
      metrics: new InMemoryMetrics(),
      environments,
      records: ledger.records,
      scans: ledger.scans,
      allowedIdentities: values.identity ?? [],
      now: () => new Date(),
    });
    const decision = await gate({ reference: positionals[0] as string, environment: values.env, ...(extra ? { policy: extra } : {}), ...(values.identity ? { identities: values.identity } : {}) }, { identity: ledger.caller });
    const stdout = format === 'json' ? `${JSON.stringify(decision, null, 2)}\n` : text(decision);
    if (decision.allowed) return { exitCode: 0, stdout };
    return { exitCode: 1, stdout, error: `gate: denied ${decision.repository}@${decision.digest} in ${values.env}${decision.reasons.map((r) => `\n  ${r.replace(/\n/g, '\n  ')}`).join('')}` };
  } finally {
    await ledger.close();
    display.end();
  }
}
