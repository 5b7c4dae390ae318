import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { writeZip } from './zip-writer';

const run = promisify(execFile);

/** A module served by the local file proxy: its path, version and whether its zip has a go.mod. */
interface ProxyModule {
  readonly path: string;
  readonly version: string;
  /** Package name and the Go source of its one file. */
  readonly pkg: string;
  readonly goMod?: string;
}

/**
 * The module graph of the test program: a plain release, a pseudo-version, a `+incompatible`
 * major version without go.mod, a `/v3` module, a module replaced by another module and one
 * replaced by a local directory. All served offline by a `file://` GOPROXY.
 */
const MODULES: readonly ProxyModule[] = [
  { path: 'example.com/alpha', version: 'v1.2.3', pkg: 'alpha' },
  { path: 'example.com/beta', version: 'v0.0.0-20240102030405-abcdefabcdef', pkg: 'beta' },
  { path: 'example.com/gamma', version: 'v2.0.0+incompatible', pkg: 'gamma', goMod: '' },
  { path: 'example.com/delta/v3', version: 'v3.1.0', pkg: 'delta' },
  { path: 'example.com/old', version: 'v1.0.0', pkg: 'old' },
  { path: 'example.com/new', version: 'v1.1.0', pkg: 'old', goMod: 'module example.com/old\n' },
  { path: 'example.com/local', version: 'v1.5.0', pkg: 'local' },
];

const GO_MOD = `module example.com/app

go 1.18

require (
\texample.com/alpha v1.2.3
\texample.com/beta v0.0.0-20240102030405-abcdefabcdef
\texample.com/gamma v2.0.0+incompatible
\texample.com/delta/v3 v3.1.0
\texample.com/old v1.0.0
\texample.com/local v1.5.0
)

replace example.com/old => example.com/new v1.1.0

replace example.com/local => ../local
`;

const MAIN_GO = `package main

import (
\t"example.com/alpha"
\t"example.com/beta"
\t"example.com/delta/v3"
\t"example.com/gamma"
\t"example.com/local"
\t"example.com/old"
)

func main() {
\tprintln(alpha.Name(), beta.Name(), gamma.Name(), delta.Name(), old.Name(), local.Name())
}
`;

const source = (pkg: string): string => `package ${pkg}\n\n// Name says which module this is.\nfunc Name() string { return "${pkg}" }\n`;

function writeProxy(dir: string): void {
  for (const m of MODULES) {
    const at = path.join(dir, m.path, '@v');
    fs.mkdirSync(at, { recursive: true });
    const goMod = m.goMod ?? `module ${m.path}\n\ngo 1.18\n`;
    fs.writeFileSync(path.join(at, `${m.version}.info`), JSON.stringify({ Version: m.version, Time: '2024-01-02T03:04:05Z' }));
    fs.writeFileSync(path.join(at, `${m.version}.mod`), goMod || `module ${m.path}\n`);
    const prefix = `${m.path}@${m.version}/`;
    const files = [{ name: `${prefix}${m.pkg}.go`, data: source(m.pkg) }];
    if (m.goMod !== '') files.push({ name: `${prefix}go.mod`, data: goMod });
    fs.writeFileSync(path.join(at, `${m.version}.zip`), writeZip(files));
    fs.appendFileSync(path.join(at, 'list'), `${m.version}\n`);
  }
}

export interface GoTarget {
  readonly goos: string;
  readonly goarch: string;
}

export interface GoBuild {
  readonly dir: string;
  /** Target → path of the built binary. */
  readonly binaries: ReadonlyMap<string, string>;
  /** `go version -m` output for a binary (the oracle). */
  versionM(binary: string): string;
  cleanup(): void;
}

export function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the test program for each target, offline: modules come from a `file://` proxy in a
 * temporary directory, the module cache is private to the build and removed by `cleanup`.
 */
export async function buildGoProgram(targets: readonly GoTarget[], opts: { ldflags?: string; trimpath?: boolean } = {}): Promise<GoBuild> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-go-'));
  writeProxy(path.join(dir, 'proxy'));
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'go.mod'), GO_MOD);
  fs.writeFileSync(path.join(app, 'main.go'), MAIN_GO);
  fs.mkdirSync(path.join(dir, 'local'));
  fs.writeFileSync(path.join(dir, 'local', 'go.mod'), 'module example.com/local\n\ngo 1.18\n');
  fs.writeFileSync(path.join(dir, 'local', 'local.go'), source('local'));
  const env = {
    ...process.env,
    GOFLAGS: '-mod=mod',
    GOPROXY: `file://${path.join(dir, 'proxy')}`,
    GOSUMDB: 'off',
    GONOSUMDB: '*',
    GOTOOLCHAIN: 'local',
    GOMODCACHE: path.join(dir, 'modcache'),
    GOPATH: path.join(dir, 'gopath'),
    CGO_ENABLED: '0',
    GO111MODULE: 'on',
  };
  // Resolve the graph once (writes go.sum), then build every target in parallel.
  await run('go', ['mod', 'download', 'all'], { cwd: app, env });
  const binaries = new Map<string, string>();
  await Promise.all(
    targets.map(async (t) => {
      const out = path.join(dir, `app-${t.goos}-${t.goarch}${t.goos === 'windows' ? '.exe' : ''}`);
      const args = ['build', '-buildvcs=false', ...(opts.trimpath ? ['-trimpath'] : []), ...(opts.ldflags ? ['-ldflags', opts.ldflags] : []), '-o', out, '.'];
      await run('go', args, { cwd: app, env: { ...env, GOOS: t.goos, GOARCH: t.goarch } });
      binaries.set(`${t.goos}/${t.goarch}`, out);
    }),
  );
  return {
    dir,
    binaries,
    versionM: (binary) => execFileSync('go', ['version', '-m', binary], { env, encoding: 'utf8' }),
    cleanup: () => {
      // The module cache is read-only by design.
      execFileSync('chmod', ['-R', 'u+w', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Parses `go version -m` output into module lines (`mod`, `dep`, `=>`) and build settings. */
export function parseVersionM(text: string): { goVersion: string; lines: string[][]; settings: Map<string, string> } {
  const [first = '', ...rest] = text.trim().split('\n');
  const goVersion = first.slice(first.indexOf(': ') + 2).trim();
  const lines: string[][] = [];
  const settings = new Map<string, string>();
  for (const l of rest) {
    const cols = l.replace(/^\t/, '').split('\t');
    if (cols[0] === 'build') {
      const kv = cols.slice(1).join('\t');
      const eq = kv.indexOf('=');
      settings.set(kv.slice(0, eq), kv.slice(eq + 1));
    } else lines.push(cols);
  }
  return { goVersion, lines, settings };
}
