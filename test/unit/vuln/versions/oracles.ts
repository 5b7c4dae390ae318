/**
 * Real reference implementations on the test machine, used as oracles. A missing oracle is a
 * test failure with an install hint, never a silent skip: these tests are the evidence that
 * the orderings are exact.
 */
import { spawnSync } from 'node:child_process';

function fail(message: string): never {
  throw new Error(message);
}

// ---------------------------------------------------------------------------------------------
// dpkg

const DPKG_HINT =
  'The dpkg oracle is missing: these tests compare against `dpkg --compare-versions`. ' +
  'Install dpkg (e.g. `apt-get install dpkg` on Debian/Ubuntu, `brew install dpkg` on macOS).';

export function dpkgVersionString(): string {
  const r = spawnSync('dpkg', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) fail(`${DPKG_HINT} (${r.error?.message ?? r.stderr})`);
  const [firstLine = ''] = r.stdout.split('\n');
  return firstLine;
}

export interface DpkgVerdict {
  /** -1, 0 or 1 when dpkg ordered the pair; undefined when dpkg refused (exit status 2). */
  readonly order: number | undefined;
  /** dpkg printed a "bad syntax" warning or error for one of the two versions. */
  readonly complained: boolean;
}

/**
 * One bash process reads `a<TAB>b` lines and runs `dpkg --compare-versions -- a lt b` (then
 * `gt` when needed) per line; forking one dpkg per comparison is the only interface dpkg has.
 */
const DPKG_LOOP = [
  't=$(mktemp) || exit 3',
  'while IFS= read -r line; do',
  "  a=${line%%$'\\t'*}; b=${line#*$'\\t'}",
  '  dpkg --compare-versions -- "$a" lt "$b" 2>"$t"; r=$?',
  '  if [ -s "$t" ]; then w=1; else w=0; fi',
  '  if [ $r -eq 1 ]; then dpkg --compare-versions -- "$a" gt "$b" 2>/dev/null; g=$?; else g=-; fi',
  '  echo "$r $g $w"',
  'done',
  'rm -f "$t"',
].join('\n');

export function dpkgCompareBatch(pairs: ReadonlyArray<readonly [string, string]>): DpkgVerdict[] {
  dpkgVersionString();
  for (const [a, b] of pairs) {
    if (/[\t\n]/.test(a + b)) fail(`cannot send ${JSON.stringify([a, b])} through the line protocol`);
  }
  const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
  const r = spawnSync('bash', ['-c', DPKG_LOOP], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) fail(`dpkg oracle loop failed: ${r.error?.message ?? r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  if (lines.length !== pairs.length) fail(`dpkg oracle answered ${lines.length} of ${pairs.length} pairs`);
  return lines.map((line) => {
    const [lt, gt, warned] = line.split(' ');
    const complained = warned === '1' || lt === '2';
    if (lt === '0') return { order: -1, complained };
    if (lt === '2') return { order: undefined, complained };
    return { order: gt === '0' ? 1 : 0, complained };
  });
}

/** One direct call, for versions the line protocol cannot carry (newlines, tabs). */
export function dpkgCompareOne(a: string, b: string): DpkgVerdict {
  const lt = spawnSync('dpkg', ['--compare-versions', '--', a, 'lt', b], { encoding: 'utf8' });
  if (lt.error) fail(`${DPKG_HINT} (${lt.error.message})`);
  const complained = lt.stderr.trim() !== '' || lt.status === 2;
  if (lt.status === 0) return { order: -1, complained };
  if (lt.status === 2) return { order: undefined, complained };
  const gt = spawnSync('dpkg', ['--compare-versions', '--', a, 'gt', b], { encoding: 'utf8' });
  return { order: gt.status === 0 ? 1 : 0, complained };
}

// ---------------------------------------------------------------------------------------------
// Python packaging (PEP 440)

const PYTHON = process.env.AG_TEST_PYTHON ?? 'python3';
const PACKAGING_HINT =
  'The PEP 440 oracle is missing: these tests compare against Python\'s `packaging.version`. ' +
  `Install Python 3 and packaging (\`pip install packaging\`, or \`apt-get install python3-packaging\`), ` +
  'or point AG_TEST_PYTHON at an interpreter that has it.';

const PACKAGING_SCRIPT = String.raw`
import json, sys
import packaging
from packaging.version import Version, InvalidVersion
data = json.load(sys.stdin)
parsed = []
for s in data["versions"]:
    try:
        parsed.append(Version(s))
    except InvalidVersion:
        parsed.append(None)
cmp = []
for i, j in data["pairs"]:
    a, b = parsed[i], parsed[j]
    cmp.append(None if a is None or b is None else (a > b) - (a < b))
json.dump({"packaging": packaging.__version__, "python": sys.version.split()[0],
           "valid": [p is not None for p in parsed], "cmp": cmp}, sys.stdout)
`;

export interface PackagingAnswer {
  readonly packaging: string;
  readonly python: string;
  readonly valid: boolean[];
  readonly cmp: Array<number | null>;
}

export function packagingOracle(
  versions: readonly string[],
  pairs: ReadonlyArray<readonly [number, number]>,
): PackagingAnswer {
  const r = spawnSync(PYTHON, ['-c', PACKAGING_SCRIPT], {
    input: JSON.stringify({ versions, pairs }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) fail(`${PACKAGING_HINT} (${PYTHON}: ${r.error.message})`);
  if (r.status !== 0) {
    if (/No module named .?packaging/.test(r.stderr)) fail(`${PACKAGING_HINT} (${r.stderr.trim()})`);
    fail(`packaging oracle failed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as PackagingAnswer;
}
