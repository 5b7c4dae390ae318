import type { PolicyOutcome } from '../attest/verify-policy';
import { BadInputError } from '../core/errors';
import type { VerifyOutcome } from '../signing/verify-artifact';
import { verifyArtifact } from '../signing/verify-artifact';
import { oneOf, parseCommand } from './args';
import { usageLine } from './command-specs';
import type { CommandResult } from './command';
import type { ProgressDisplay } from './progress-render';
import { progressDisplay } from './progress-render';
import { openSigningSource, verificationKeysFor } from './signing-wiring';

function text(o: VerifyOutcome): string {
  const subject = `${o.repository}@${o.digest}`;
  if (!o.allowed) return `denied ${subject}\n`;
  const lines = [`allowed ${subject}`];
  for (const a of o.accepted) lines.push(`  ${o.signatureTag} layer ${a.layer}: key ${a.key}, identity ${a.dockerReference}`);
  return `${lines.join('\n')}\n`;
}

function policyText(o: PolicyOutcome): string {
  const lines = [`${o.allowed ? 'allowed' : 'denied'} ${o.repository}@${o.digest} by policy`];
  if (o.signature?.allowed) for (const a of o.signature.accepted) lines.push(`  signature: layer ${a.layer}, key ${a.key}, identity ${a.dockerReference}`);
  for (const a of o.attestations) {
    if (a.used.length === 0) lines.push(`  ${a.type}: none verified`);
    for (const u of a.used) lines.push(`  ${a.type}: ${u.platform ? `${u.platform} ` : ''}${u.origin}, key ${u.key}${u.time ? `, ${u.time}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `verify --policy FILE`: the policy module (and sigstore-js) load only when a policy is given. */
async function verifyPolicyCommand(policyFile: string, run: { ref: string; keys: string[]; identities: string[]; insecure?: boolean; format: 'text' | 'json'; display: ProgressDisplay }): Promise<CommandResult> {
  const { loadPolicy } = await import('../attest/policy');
  const { verifyWithPolicy } = await import('../attest/verify-policy');
  const policy = loadPolicy(policyFile);
  const keys = await verificationKeysFor(run.keys);
  const source = await openSigningSource('verify', run.ref, run.insecure, run.display);
  try {
    const outcome = await verifyWithPolicy({ source, keys, identities: run.identities, policy });
    const stdout = run.format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : policyText(outcome);
    if (outcome.allowed) return { exitCode: 0, stdout };
    const reasons = outcome.reasons.map((r) => `\n  ${r.replace(/\n/g, '\n  ')}`).join('');
    return { exitCode: 1, stdout, error: `verify: denied by policy ${policyFile}: ${outcome.repository}@${outcome.digest}${reasons}` };
  } finally {
    await source.close();
  }
}

/**
 * `verify REF --key PUB…`: exit 0 when some signature is accepted, 1 (reasons on stderr) when
 * none is, 2 when verification could not run (bad key, unreachable registry).
 */
export async function verifyCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('verify', argv);
  const format = oneOf('verify', '-o', values.output, ['text', 'json'] as const, 'text');
  if (!values.key?.length) throw new BadInputError(`verify: --key PUBKEY is required (usage: ${usageLine('verify')})`);
  // Verification reads a few small manifests: no stages, but -v shows its requests.
  const display = progressDisplay(values);
  if (values.policy !== undefined) {
    return verifyPolicyCommand(values.policy, { ref: positionals[0] as string, keys: values.key, identities: values.identity ?? [], insecure: values.insecure, format, display });
  }
  const keys = await verificationKeysFor(values.key);
  const source = await openSigningSource('verify', positionals[0] as string, values.insecure, display);
  try {
    const outcome = await verifyArtifact({ source, keys, identities: values.identity ?? [] });
    const stdout = format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : text(outcome);
    if (outcome.allowed) return { exitCode: 0, stdout };
    const reasons = outcome.reasons.map((r) => `\n  ${r}`).join('');
    return { exitCode: 1, stdout, error: `verify: denied: no acceptable signature for ${outcome.repository}@${outcome.digest}${reasons}` };
  } finally {
    await source.close();
  }
}
