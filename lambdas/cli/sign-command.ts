import { BadInputError } from '../core/errors';
import type { SignOutcome } from '../signing/sign-artifact';
import { signArtifact } from '../signing/sign-artifact';
import { normalizedName } from '../signing/identity';
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

/**
 * `--identity HOST/REPO`: the repository the signature is for, normalised as verifiers compare
 * it (`app` is `docker.io/library/app`). A tag or digest is refused: a signature names a
 * repository, and the digest it covers is REF's.
 */
function signingIdentity(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const name = normalizedName(value);
  if (!name.ok) throw new BadInputError(`sign: --identity ${name.reason}; give a repository, HOST/REPO`);
  const lastComponent = value.slice(value.lastIndexOf('/') + 1);
  if (value.includes('@') || lastComponent.includes(':')) {
    throw new BadInputError(`sign: --identity ${JSON.stringify(value)} has a tag or digest; give the repository alone, HOST/REPO`);
  }
  return name.name;
}

/** `sign REF --key KEY`: a cosign-compatible signature for REF's digest (and each platform of an index). */
export async function signCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('sign', argv);
  const format = oneOf('sign', '-o', values.output, ['text', 'json'] as const, 'text');
  if (!values.key) throw new BadInputError(`sign: --key KEY is required (usage: ${usageLine('sign')})`);
  const identity = signingIdentity(values.identity);
  const signer = await signerFor(values.key);
  const display = progressDisplay(values);
  const source = await openSigningSource('sign', positionals[0] as string, values.insecure, display);
  try {
    const outcome = await signArtifact({ source, signer, progress: display, ...(identity ? { identity } : {}) });
    return { exitCode: 0, stdout: format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : summary(outcome) };
  } finally {
    display.end();
    await source.close();
  }
}
