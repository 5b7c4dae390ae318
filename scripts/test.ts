/**
 * `npm test`: installs what the tests need (Debian packages, as root), builds the CLI, then
 * type-checks, lints and runs the whole Jest suite. Extra arguments go to Jest.
 */
import { spawnSync } from 'node:child_process';
import { ensurePrerequisites } from './prerequisites';

function run(what: string, cmd: string, args: string[]): void {
  const started = Date.now();
  process.stderr.write(`\n== ${what}\n`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
  if (res.status !== 0) {
    process.stderr.write(`npm test: ${what} failed (exit ${res.status ?? res.signal})\n`);
    process.exit(res.status ?? 1);
  }
  process.stderr.write(`== ${what}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

try {
  ensurePrerequisites();
} catch (err) {
  process.stderr.write(`npm test: ${(err as Error).message}\n`);
  process.exit(2);
}
const jestArgs = process.argv.slice(2);
run('build (definition + CLI)', 'npm', ['run', 'build', '--silent']);
if (jestArgs.length === 0) {
  run('type-check', 'npx', ['tsc', '--noEmit', '-p', '.']);
  run('lint', 'npx', ['eslint', '.']);
}
run('jest', 'npx', ['jest', ...jestArgs]);
