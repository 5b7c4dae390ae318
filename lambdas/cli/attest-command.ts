import { FsBlobStore } from '../adapters/local/fs-blob-store';
import { readUserFile } from '../adapters/local/read-user-file';
import type { AttestSummary } from '../attest/attest-artifact';
import { attestArtifact } from '../attest/attest-artifact';
import { predicateFromFile } from '../attest/predicate-file';
import { predicateTypeFor } from '../attest/predicate-types';
import { BadInputError } from '../core/errors';
import { localPaths } from '../local/paths';
import { oneOf, parseCommand } from './args';
import { usageLine } from './command-specs';
import type { CommandResult } from './command';
import { progressDisplay } from './progress-render';
import { openSigningSource, signerFor } from './signing-wiring';

function summary(o: AttestSummary): string {
  const lines = [`attested ${o.repository} with ${o.keyId} (key hint ${o.keyHint})`];
  for (const a of o.attestations) {
    const where = a.referrer.mode === 'fallback-tag' ? `referrer ${a.referrer.digest} in ${a.referrer.tag}` : a.referrer.mode === 'referrers-api' ? `referrer ${a.referrer.digest}` : `no referrer (${a.referrer.reason})`;
    lines.push(`  ${a.digest}  ${(a.platform ?? '').padEnd(12)} ${a.type}: ${a.att ? `${a.att.outcome} in ${a.att.tag}` : 'bundle only'}; bundle ${a.bundle.location}; ${where}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `attest REF --key KEY --type T --predicate FILE`: an in-toto attestation in DSSE at
 * `sha256-<hex>.att` for REF's digest (and each platform manifest of an index), its Sigstore
 * bundle in `--bundle-dir` (default the local evidence folder) and as an OCI referrer.
 */
export async function attestCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('attest', argv);
  const format = oneOf('attest', '-o', values.output, ['text', 'json'] as const, 'text');
  if (!values.key) throw new BadInputError(`attest: --key KEY is required (usage: ${usageLine('attest')})`);
  if (!values.type) throw new BadInputError(`attest: --type is required (usage: ${usageLine('attest')})`);
  if (!values.predicate) throw new BadInputError(`attest: --predicate FILE is required (usage: ${usageLine('attest')})`);
  const predicateType = predicateTypeFor(values.type);
  const predicate = predicateFromFile(predicateType, readUserFile(values.predicate, 'predicate file'), values.predicate, new Date());
  const signer = await signerFor(values.key);
  const display = progressDisplay(values);
  const source = await openSigningSource('attest', positionals[0] as string, values.insecure, display);
  try {
    const root = await source.resolve();
    const repository = source.writer?.repositoryName ?? source.display;
    const outcome = await attestArtifact({
      source,
      signer,
      statements: [{ predicateType, predicate }],
      bundles: new FsBlobStore(values['bundle-dir'] ?? localPaths().evidence),
      // The evidence layout of the workflow: evidence/<repo>/<digest>/bundles/<manifest>/…
      bundleKeyPrefix: `evidence/${repository}/${root.digest.replace(':', '-')}/bundles`,
      replace: !values['no-replace'],
      progress: display,
      ...(values['rekor-url'] ? { rekorUrl: values['rekor-url'] } : {}),
    });
    return { exitCode: 0, stdout: format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : summary(outcome) };
  } finally {
    display.end();
    await source.close();
  }
}
