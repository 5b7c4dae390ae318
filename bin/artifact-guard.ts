#!/usr/bin/env node
/**
 * The artifact-guard CLI. Each subcommand loads only its own modules (never aws-cdk-lib).
 * Exit codes: 0 success / allowed, 1 negative verdict, 2 error (one line on stderr).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandResult } from '../lambdas/cli/command';
import { commandHelp, isCommand, overallHelp } from '../lambdas/cli/command-specs';
import { closest } from '../lambdas/core/closest';

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
  tree: lazy('tree', 'treeCommand'),
  download: lazy('download', 'downloadCommand'),
  gate: lazy('gate', 'gateCommand'),
  redrive: lazy('redrive', 'redriveCommand'),
  'import-findings': lazy('import-findings', 'importFindingsCommand'),
  policy: lazy('policy', 'policyCommand'),
  promote: lazy('promote', 'promoteCommand'),
  history: lazy('history', 'historyCommand'),
  'record-build': lazy('record-build', 'recordBuildCommand'),
  backfill: lazy('backfill', 'backfillCommand'),
  audit: lazy('audit', 'auditCommand'),
  find: lazy('find', 'findCommand'),
  watch: lazy('watch', 'watchCommand'),
};

// `artifact-guard sbom … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

/** The package version, read from package.json beside the installed files (dist/bin/ or bin/). */
function version(): string {
  for (const dir of [path.join(__dirname, '..', '..'), path.join(__dirname, '..')]) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** `-h`/`--help` anywhere before `--` asks for help, whatever else is on the line. */
const wantsHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '-h' || a === '--help');
};

function unknownCommand(name: string): string {
  const hint = closest(name, Object.keys(commands));
  return `artifact-guard: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; run 'artifact-guard --help' for the list\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h') {
    (name ? process.stdout : process.stderr).write(overallHelp());
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (!topic) process.stdout.write(overallHelp());
    else if (isCommand(topic)) process.stdout.write(commandHelp(topic));
    else {
      process.stderr.write(unknownCommand(topic));
      return 2;
    }
    return 0;
  }
  const load = commands[name];
  if (!load || !isCommand(name)) {
    process.stderr.write(unknownCommand(name));
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(name));
    return 0;
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
