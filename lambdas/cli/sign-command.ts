import { BadInputError } from '../core/errors';
import type { SignOutcome } from '../signing/sign-artifact';
import { signArtifact } from '../signing/sign-artifact';
import { oneOf, parseCommand } from './args';
import { usageLine } from './command-specs';
import type { CommandResult } from './command';
import { progressDisplay } from './progress-render';
import { openSigningSource, signerFor } from './signing-wiring';

function summary(o: SignOutcome): string {
  const lines = [`signed ${o.repository} for identity ${o.identity} with ${o.key.keyId} (key hint ${o.key.hint})`];
  for (const t of o.targets) {
    const what = t.platform ?? (t.mediaType.includes('index') || t.mediaType.includes('list') ? 'index' : 'manifest');
    const count = `${t.signatures} signature${t.signatures === 1 ? '' : 's'}`;
    lines.push(`  ${t.digest}  ${what.padEnd(14)} ${t.outcome.padEnd(14)} ${o.repository}:${t.tag} (${count})`);
  }
  return `${lines.join('\n')}\n`;
}

/** `sign REF --key KEY`: a cosign-compatible signature for REF's digest (and each platform of an index). */
export async function signCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('sign', argv);
  const format = oneOf('sign', '-o', values.output, ['text', 'json'] as const, 'text');
  if (!values.key) throw new BadInputError(`sign: --key KEY is required (usage: ${usageLine('sign')})`);
  const signer = await signerFor(values.key);
  const display = progressDisplay(values);
  const source = await openSigningSource('sign', positionals[0] as string, values.insecure, display);
  try {
    const outcome = await signArtifact({ source, signer, progress: display });
    return { exitCode: 0, stdout: format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : summary(outcome) };
  } finally {
    display.end();
    await source.close();
  }
}
