import { DefaultRegistryCredentials } from '../adapters/default-registry-credentials';
import { BadInputError } from '../core/errors';
import { loadEnvironments } from '../gate/environments';
import type { PromotionOutcome } from '../gate/promotion';
import { createPromotion } from '../gate/promotion';
import { createVerifyGate } from '../gate/verify-gate';
import { openLocalLedger } from '../local/ledger';
import { localPaths } from '../local/paths';
import { RegistryClient } from '../oci/registry-client';
import { InMemoryMetrics } from '../ports/metrics';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';
import { defaultPublicKeys } from './dev-public-key';
import { progressDisplay } from './progress-render';
import { openSigningSource, signerFor, verificationKeysFor } from './signing-wiring';
import { localApprover } from '../signing/approvals';

function text(o: PromotionOutcome): string {
  if (!o.promoted) return `refused ${o.source} -> ${o.target} (${o.environment})\n`;
  const c = o.copied;
  const copied = c ? `; ${c.manifests} manifest(s) copied, ${c.manifestsPresent} present; blobs ${c.blobsMounted} mounted, ${c.blobsStreamed} streamed (${c.bytesStreamed} bytes), ${c.blobsPresent} present; ${c.evidenceTags.length} evidence tag(s), ${c.referrers} referrer(s)` : '';
  return `promoted ${o.source} -> ${o.target}${o.tag ? `:${o.tag}` : ''}@${o.digest} (${o.environment})${copied}; ${o.signaturesAdded ?? 0} signature(s) added for ${o.target}\n`;
}

/**
 * `promote REF --to HOST/REPO[:TAG] --env E`: the gate for E on the local ledger, then the copy by
 * digest, a signature for the target repository and the tag, last. Exit 0 promoted, 1 refused, 2 error.
 */
export async function promoteCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('promote', argv);
  const format = oneOf('promote', '-o', values.output, ['text', 'json'] as const, 'text');
  if (!values.to) throw new BadInputError(`promote: --to HOST/REPO[:TAG] is required (usage: ${usageLine('promote')})`);
  if (!values.env) throw new BadInputError(`promote: --env ENV is required (usage: ${usageLine('promote')})`);
  const environments = loadEnvironments(values.environments ?? localPaths().environments);
  const keys = await verificationKeysFor(values.key?.length ? values.key : defaultPublicKeys('promote'));
  const signer = await signerFor(values['sign-key'] ?? localPaths().signingKey);
  const display = progressDisplay(values);
  const credentials = new DefaultRegistryCredentials();
  const clients = new Map<string, RegistryClient>();
  const ledger = await openLocalLedger(undefined, { quiet: values.quiet });
  try {
    const openSource = (spec: { location: string }) => openSigningSource('promote', `registry:${spec.location}`, values.insecure, display);
    const metrics = new InMemoryMetrics();
    // A refusal alerts once, as a promotion refused (Policy Violation), not also as a deployment denied.
    const gate = createVerifyGate({ openSource, keys: async () => keys, alerts: { publish: async () => undefined }, metrics, environments, records: ledger.records, now: () => new Date() });
    const promote = createPromotion({
      gate,
      environments,
      registry: (host) => {
        const c = clients.get(host) ?? new RegistryClient({ registry: host, credentials, insecure: values.insecure, progress: display });
        clients.set(host, c);
        return c;
      },
      openSource,
      approve: localApprover(signer),
      records: ledger.records,
      alerts: ledger.alerts,
      metrics,
      now: () => new Date(),
    });
    const outcome = await promote({ reference: positionals[0] as string, target: values.to, environment: values.env }, { identity: ledger.caller });
    const stdout = format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : text(outcome);
    if (outcome.promoted) return { exitCode: 0, stdout };
    return { exitCode: 1, stdout, error: `promote: refused ${outcome.source} into ${outcome.target} (${outcome.environment})${outcome.reasons.map((r) => `\n  ${r.replace(/\n/g, '\n  ')}`).join('')}` };
  } finally {
    await ledger.close();
    display.end();
  }
}
