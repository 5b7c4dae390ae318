#!/usr/bin/env node
/**
 * The artifact-guard CLI. Each subcommand loads only its own modules (never aws-cdk-lib).
 * Exit codes: 0 success / allowed, 1 negative verdict, 2 error (one line on stderr).
 */
import type { CommandResult } from '../lambdas/cli/command';

const USAGE = `usage: artifact-guard <command> [options]

commands:
  sbom SOURCE [-o cyclonedx-json|spdx-json|table] [--file OUT] [--platform OS/ARCH]
                    software bill of materials of an image (one per platform of an index)
  scan SOURCE | --sbom FILE [--osv-dir DIR|ZIP | --osv-api] [--fail-on SEVERITY]
       [--unknown-severity fail|warn] [-o json|table|cyclonedx-json] [--file OUT]
       [--ignore FILE] [--vex FILE ...]
                    match components against OSV data; exit 1 if an unsuppressed finding
                    is at or above --fail-on (critical|high|medium|low|info|unknown), or
                    with --fail-on if the scan is incomplete (a component the data does
                    not cover, a version that cannot be ordered); findings of unknown
                    severity count as at or above it unless --unknown-severity warn
  sign REF --key KEY
                    sign REF's digest (and every platform of an index) in cosign's format;
                    KEY: PEM private key file or awskms:///alias/NAME
  attest REF --key KEY --type slsaprovenance1|cyclonedx|vuln --predicate FILE
                    in-toto attestation (DSSE) at sha256-<hex>.att, Sigstore bundle and
                    OCI referrer for REF's digest (and every platform of an index)
  verify REF --key PUBKEY [--key PUBKEY2 ...] [--identity HOST/REPO ...] [--policy FILE]
                    exit 0 if a signature verifies with one of the keys for REF's digest
                    and repository (or an --identity), 1 with reasons if none does;
                    --policy FILE: also the attestations and rules the policy requires
  process SOURCE    run the whole workflow locally on embedded stores

SOURCE: registry:HOST/REPO[:TAG|@DIGEST] (default scheme), oci-dir:PATH[:TAG],
        oci-archive:FILE[:TAG], docker-archive:FILE[:TAG], dir:PATH
REF:    registry:HOST/REPO[:TAG|@DIGEST] (the scheme is optional) or oci-dir:PATH[:TAG]`;

type Command = (argv: string[]) => Promise<CommandResult>;

// The AWS SDK warns on every start under Node 20 about its future Node 22 requirement; that is
// noise on a CLI whose stderr is for the user's own errors. Other warnings still show.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'NodeVersionSupportWarning' || /AWS SDK for JavaScript \(v3\)/.test(text)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

/**
 * Loads a command only when it runs, so `sbom` never pays for signing code and vice versa. Each
 * command is one bundled file (dist/cli/<command>.js, written by `npm run build`).
 */
function lazy(name: string, exportName: string): () => Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return () => (require(`../cli/${name}.js`) as Record<string, Command>)[exportName] as Command;
}

const commands: Record<string, () => Command> = {
  sbom: lazy('sbom', 'sbomCommand'),
  scan: lazy('scan', 'scanCommand'),
  sign: lazy('sign', 'signCommand'),
  attest: lazy('attest', 'attestCommand'),
  verify: lazy('verify', 'verifyCommand'),
  process: lazy('process', 'processCommand'),
};

// `artifact-guard sbom … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`artifact-guard: unknown command "${name}"\n${USAGE}\n`);
    return 2;
  }
  const result = await load()(rest);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.error) process.stderr.write(`artifact-guard: ${result.error}\n`);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    process.stderr.write(`artifact-guard: ${message}\n`);
    if (process.env.ARTIFACT_GUARD_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 2;
  },
);
