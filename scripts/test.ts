/**
 * The test runs (jest.config.js has the two projects):
 *
 *   npm test                  type-check, lint, unit tests, then the integration tests (below)
 *   npm run test:unit         unit tests only: no Debian packages, no registry, no build
 *   npm run test:integration  installs what the tests need (Debian packages, as root), builds the
 *                             CLI, then runs the integration tests (test/integration, *.tools.test.ts)
 *
 * Extra arguments go to Jest. `npm test -- ARGS` skips type-check and lint and runs both projects
 * in one Jest run (after the prerequisites and the build), as `npm test` always did. The first step
 * that fails ends the run with its exit code; missing prerequisites exit 2.
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

/**
 * Unit tests spread over every core; integration tests keep Jest's default (they start processes).
 * Last on the command line: --selectProjects takes every word after it as a project name.
 */
const UNIT_JEST_ARGS = ['--maxWorkers=100%', '--selectProjects', 'unit'];
const INTEGRATION_JEST_ARGS = ['--selectProjects', 'integration'];

function prerequisitesAndBuild(): void {
  try {
    ensurePrerequisites();
  } catch (err) {
    process.stderr.write(`npm test: ${(err as Error).message}\n`);
    process.exit(2);
  }
  run('build (definition + CLI)', 'npm', ['run', 'build', '--silent']);
}

const [first, ...rest] = process.argv.slice(2);
const scope = first === 'unit' || first === 'integration' ? first : 'all';
const jestArgs = scope === 'all' ? process.argv.slice(2) : rest;

if (scope === 'unit') {
  run('unit tests', 'npx', ['jest', ...jestArgs, ...UNIT_JEST_ARGS]);
} else if (scope === 'integration') {
  prerequisitesAndBuild();
  run('integration tests', 'npx', ['jest', ...jestArgs, ...INTEGRATION_JEST_ARGS]);
} else if (jestArgs.length > 0) {
  prerequisitesAndBuild();
  run('jest', 'npx', ['jest', ...jestArgs]);
} else {
  run('type-check', 'npx', ['tsc', '--noEmit', '-p', '.']);
  run('lint', 'npx', ['eslint', '.']);
  run('unit tests', 'npx', ['jest', ...UNIT_JEST_ARGS]);
  prerequisitesAndBuild();
  run('integration tests', 'npx', ['jest', ...INTEGRATION_JEST_ARGS]);
}
