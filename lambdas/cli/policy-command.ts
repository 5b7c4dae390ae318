import { stringify } from 'yaml';
import { BadInputError } from '../core/errors';
import type { AdmissionFormat } from '../gate/admission-policies';
import { ADMISSION_FORMATS, admissionPolicy, containersRegistriesD } from '../gate/admission-policies';
import { environmentNamed, loadEnvironments } from '../gate/environments';
import { localPaths } from '../local/paths';
import { normalizedName } from '../signing/identity';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';
import { defaultPublicKeys } from './dev-public-key';
import { verificationKeysFor } from './signing-wiring';

/** The repositories the policy governs: --image, else the environment's own. */
function repositoriesFor(images: readonly string[] | undefined, envRepositories: readonly string[] | undefined, env: string): string[] {
  const given = images?.length ? images : envRepositories;
  if (!given?.length) throw new BadInputError(`policy: environment ${env} names no repositories: give the images it governs with --image HOST/REPO (usage: ${usageLine('policy')})`);
  return given.map((r) => {
    const n = normalizedName(r);
    if (!n.ok) throw new BadInputError(`policy: --image ${r}: ${n.reason}`);
    return n.name;
  });
}

/**
 * `policy kyverno|policy-controller|containers-policy --env E`: an admission policy for E, for the
 * stack's key (the PEM of `--key`, like verify: a PEM file or awskms:///…; default the local
 * development key), with E's required attestations and rules. Documents on stdout.
 */
export async function policyCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('policy', argv);
  const format = positionals[0] as string;
  if (!(ADMISSION_FORMATS as readonly string[]).includes(format)) throw new BadInputError(`policy: FORMAT must be one of ${ADMISSION_FORMATS.join(', ')} (got "${format}")`);
  const fallback = format === 'containers-policy' ? 'json' : 'yaml';
  const output = oneOf('policy', '-o', values.output, ['yaml', 'json'] as const, fallback);
  if (!values.env) throw new BadInputError(`policy: --env ENV is required (usage: ${usageLine('policy')})`);
  const environment = environmentNamed(loadEnvironments(values.environments ?? localPaths().environments), values.env);
  const repositories = repositoriesFor(values.image, environment.repositories, environment.name);
  const keyArgs = values.key ? [values.key] : defaultPublicKeys('policy');
  const [key] = await verificationKeysFor(keyArgs);
  if (!key) throw new BadInputError('policy: no key');
  const publicKeyPem = key.key.export({ type: 'spki', format: 'pem' }).toString();
  const doc = admissionPolicy(format as AdmissionFormat, { environment, publicKeyPem, repositories });
  const stdout = output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  const note = format === 'containers-policy' ? `policy: containers/image reads .sig attachments only where registries.d turns them on; e.g. /etc/containers/registries.d/artifact-guard.yaml:\n${containersRegistriesD(repositories)}` : undefined;
  if (note) process.stderr.write(note);
  return { exitCode: 0, stdout };
}
