import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GoBuild } from '../../../../test/support/go-binaries';
import { buildGoProgram, goAvailable, parseVersionM } from '../../../../test/support/go-binaries';
import type { CatalogedPackage } from '../../cataloger';
import { golangCataloger, parseGoBinary } from './index';

/*
 * The golang cataloger against real executables built by Debian's golang-go, and `go version -m`
 * as its oracle: an integration test (npm run test:integration installs golang-go first). The
 * build info formats themselves are covered, without Go, by golang.test.ts.
 */

const purls = (pkgs: readonly CatalogedPackage[]) => pkgs.map((p) => golangCataloger.purl(p, {})).sort();

describe('real Go executables (Debian golang-go, local module proxy)', () => {
  const TARGETS = [
    { goos: 'linux', goarch: 'amd64' },
    { goos: 'linux', goarch: '386' },
    { goos: 'linux', goarch: 's390x' },
    { goos: 'darwin', goarch: 'arm64' },
    { goos: 'windows', goarch: 'amd64' },
  ];
  let build: GoBuild;

  beforeAll(async () => {
    if (!goAvailable()) throw new Error('go is not installed: run `npm test` as root (it installs golang-go) or apt-get install golang-go');
    build = await buildGoProgram(TARGETS);
  }, 120_000);
  afterAll(() => build?.cleanup());

  /** What `go version -m` says the binary holds, as name@version pairs by our rules. */
  function oracle(binary: string): { expected: string[]; goVersion: string } {
    const { goVersion, lines } = parseVersionM(build.versionM(binary));
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const [kind, p, v] = lines[i]!;
      if (kind !== 'mod' && kind !== 'dep') continue;
      const next = lines[i + 1];
      if (next?.[0] === '=>') {
        out.push(next[2] === '(devel)' ? `${p}@` : `${next[1]}@${next[2]}`);
        i++;
      } else out.push(`${p}@${v === '(devel)' ? '' : v}`);
    }
    out.push(`stdlib@${goVersion.replace(/^go/, '')}`);
    return { expected: out.sort(), goVersion };
  }

  it.each(TARGETS.map((t) => `${t.goos}/${t.goarch}`))('agrees with go version -m on %s', (target) => {
    const binary = build.binaries.get(target)!;
    const result = parseGoBinary(binary, fs.readFileSync(binary));
    expect(result.warnings).toEqual([]);
    const { expected } = oracle(binary);
    expect(result.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(expected);
    const [goos, goarch] = target.split('/');
    for (const p of result.packages) expect(p.metadata).toMatchObject({ goos, goarch });
  });

  it('writes the purls: pseudo-versions, +incompatible, /vN, module and directory replacements, stdlib', () => {
    const binary = build.binaries.get('linux/amd64')!;
    const { packages } = parseGoBinary(binary, fs.readFileSync(binary));
    const goVersion = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
    expect(purls(packages)).toEqual([
      'pkg:golang/example.com/alpha@v1.2.3',
      'pkg:golang/example.com/app',
      'pkg:golang/example.com/beta@v0.0.0-20240102030405-abcdefabcdef',
      'pkg:golang/example.com/delta/v3@v3.1.0',
      'pkg:golang/example.com/gamma@v2.0.0+incompatible',
      'pkg:golang/example.com/local',
      'pkg:golang/example.com/new@v1.1.0',
      `pkg:golang/stdlib@${goVersion.slice(2)}`,
    ]);
    expect(packages.find((p) => p.name === 'example.com/local')?.metadata).toMatchObject({ replacedByDirectory: '../local', requiredVersion: 'v1.5.0' });
    expect(packages.find((p) => p.name === 'example.com/new')?.metadata).toMatchObject({ replaces: 'example.com/old@v1.0.0' });
  });

  it('reads every slice of a universal (fat) Mach-O file', () => {
    const slice = fs.readFileSync(build.binaries.get('darwin/arm64')!);
    const align = 0x4000;
    const first = align;
    const second = Math.ceil((first + slice.length) / align) * align;
    const fat = Buffer.alloc(second + slice.length);
    fat.writeUInt32BE(0xcafebabe, 0);
    fat.writeUInt32BE(2, 4);
    for (const [i, offset] of [first, second].entries()) {
      fat.writeUInt32BE(0x0100000c, 8 + 20 * i); // CPU_TYPE_ARM64
      fat.writeUInt32BE(offset, 16 + 20 * i);
      fat.writeUInt32BE(slice.length, 20 + 20 * i);
      fat.writeUInt32BE(14, 24 + 20 * i);
      slice.copy(fat, offset);
    }
    expect(golangCataloger.content!.inspect(fat.subarray(0, 64), 'x', fat.length)).toBe(true);
    const result = parseGoBinary('Applications/tool', fat);
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(parseGoBinary('x', slice).packages.map((p) => `${p.name}@${p.version}`).sort());
    const cut = Buffer.from(fat.subarray(0, second + 100));
    expect(parseGoBinary('x', cut)).toEqual({ packages: [], warnings: [] });
  });

  it('warns about a real binary built outside module mode (GOPATH), with no components', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gopath-'));
    fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() { println("gopath") }\n');
    const out = path.join(dir, 'tool');
    execFileSync('go', ['build', '-o', out, 'main.go'], { cwd: dir, env: { ...process.env, GO111MODULE: 'off', GOPATH: path.join(dir, 'gopath'), GOFLAGS: '', CGO_ENABLED: '0' } });
    const result = parseGoBinary('usr/bin/tool', fs.readFileSync(out));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.packages).toEqual([]);
    expect(result.warnings[0]?.message).toMatch(/^Go executable \(go1\.\d+(\.\d+)?\) without module information/);
  });

  it('survives every truncation of a real binary without throwing', () => {
    const binary = fs.readFileSync(build.binaries.get('linux/amd64')!);
    for (let cut = 0; cut < binary.length; cut += Math.max(1, Math.floor(binary.length / 97))) {
      const result = parseGoBinary('x', binary.subarray(0, cut));
      expect(result.packages.length === 0 || result.packages.length === 8).toBe(true);
    }
  });
});
