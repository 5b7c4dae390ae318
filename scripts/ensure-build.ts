/**
 * `tsx scripts/ensure-build.ts NAME`: builds (npm run build) only when dist/ is older than what the
 * build reads, saying so on stderr as NAME. `npm run demo` and `npm run bench` run compiled scripts
 * from dist/, and `npm ci` has already built through `prepare`: rebuilding every time cost ~43 s of
 * a ~46 s demo.
 *
 * dist/ is as new as BUILD_STAMP, which the build's last step writes (scripts/bundle-cli.ts); the
 * inputs are the files under lambdas/, lib/, bin/, scripts/ and types/ (and those folders, so a
 * deleted file counts) other than tests and test fixtures, package.json, package-lock.json and the
 * tsconfig files.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './repo-root';

export const BUILD_STAMP = path.join(REPO_ROOT, 'dist', '.build-stamp');

const INPUT_DIRS = ['lambdas', 'lib', 'bin', 'scripts', 'types'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** Read by the tests only, never by the build. */
const NOT_BUILT = (name: string): boolean => name.endsWith('.test.ts') || name === 'fixtures';

interface Input {
  readonly file: string;
  readonly mtimeMs: number;
}

function newest(a: Input | undefined, b: Input): Input {
  return a && a.mtimeMs >= b.mtimeMs ? a : b;
}

function newestUnder(dir: string): Input {
  let best: Input = { file: dir, mtimeMs: fs.statSync(dir).mtimeMs };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (NOT_BUILT(entry.name)) continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      best = newest(best, newestUnder(file));
    } else if (entry.isFile()) {
      best = newest(best, { file, mtimeMs: fs.statSync(file).mtimeMs });
    }
  }
  return best;
}

/** The newest file (or folder) the build reads. */
export function newestInput(repo = REPO_ROOT): Input | undefined {
  let best: Input | undefined;
  for (const d of INPUT_DIRS) {
    const dir = path.join(repo, d);
    if (fs.existsSync(dir)) best = newest(best, newestUnder(dir));
  }
  for (const f of INPUT_FILES) {
    const file = path.join(repo, f);
    if (fs.existsSync(file)) best = newest(best, { file, mtimeMs: fs.statSync(file).mtimeMs });
  }
  return best;
}

/** Why dist/ must be rebuilt, or undefined when it is current. */
export function staleness(repo = REPO_ROOT, stamp = BUILD_STAMP): string | undefined {
  if (!fs.existsSync(stamp)) return 'dist/ has no complete build';
  const built = fs.statSync(stamp).mtimeMs;
  const input = newestInput(repo);
  if (input && input.mtimeMs > built) return `${path.relative(repo, input.file)} is newer than dist/`;
  return undefined;
}

function main(): void {
  const name = process.argv[2] ?? 'ensure-build';
  const reason = staleness();
  if (!reason) return;
  process.stderr.write(`${name}: ${reason}; rebuilding (npm run build)\n`);
  const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write(`${name}: the build failed (exit ${res.status ?? res.signal})\n`);
    process.exit(res.status ?? 2);
  }
}

if (require.main === module) main();
