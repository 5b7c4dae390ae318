import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { rustCataloger } from './index';
import { parseRustAudit } from './parse-audit';
import { CARGO_AUDIT } from '../../../../test/support/cargo-audit';

/*
 * The rust cataloger on a real executable (rustc, or Debian's gcc) with a .dep-v0 section added
 * by objcopy, readelf agreeing: an integration test (npm run test:integration installs binutils
 * and gcc). Sections in generated ELF files are in rust.test.ts.
 */

/** A real executable (rustc, or gcc where rustc is missing) with a `.dep-v0` section added by objcopy. */
function realAudited(dir: string, deps: Buffer): { file: string; compiler: string } {
  const src = path.join(dir, 'main.rs');
  const exe = path.join(dir, 'hello');
  let compiler = 'rustc';
  try {
    fs.writeFileSync(src, 'fn main() { println!("hello"); }\n');
    execFileSync('rustc', ['-C', 'opt-level=0', '-o', exe, src], { stdio: 'pipe' });
  } catch {
    compiler = 'gcc';
    fs.writeFileSync(path.join(dir, 'main.c'), 'int main(void) { return 0; }\n');
    execFileSync('gcc', ['-o', exe, path.join(dir, 'main.c')], { stdio: 'pipe' });
  }
  fs.writeFileSync(path.join(dir, 'deps.zlib'), deps);
  const out = path.join(dir, 'hello-audited');
  execFileSync('objcopy', ['--add-section', `.dep-v0=${path.join(dir, 'deps.zlib')}`, '--set-section-flags', '.dep-v0=noload,readonly', exe, out]);
  return { file: out, compiler };
}

describe('rust (cargo-auditable) in real executables', () => {
  let dir: string;
  let real: { file: string; compiler: string };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rust-'));
    real = realAudited(dir, zlib.deflateSync(JSON.stringify(CARGO_AUDIT)));
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every crate of a real executable with a .dep-v0 section, build-time ones marked', () => {
    const result = parseRustAudit('usr/local/bin/hello', fs.readFileSync(real.file));
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => rustCataloger.purl(p, {}))).toEqual([
      'pkg:cargo/hello-audited@0.1.0',
      'pkg:cargo/serde@1.0.197',
      'pkg:cargo/regex@1.10.3',
      'pkg:cargo/serde_derive@1.0.197',
      'pkg:cargo/forked-util@0.3.0-alpha.1',
      'pkg:cargo/private-crate@2.0.0',
    ]);
    expect(result.packages[0]?.metadata).toMatchObject({ root: 'true', source: 'local', auditFormat: '1', arch: 'x86_64' });
    expect(result.packages[3]?.metadata).toMatchObject({ dependencyKind: 'build' });
    expect(result.packages[5]?.metadata).toMatchObject({ source: 'registry+https://example.com/index' });
    // objcopy wrote the section where readelf sees it: the reader agrees with binutils.
    expect(execFileSync('readelf', ['-S', '-W', real.file], { encoding: 'utf8' })).toContain('.dep-v0');
  });

  it('finds nothing, and says nothing, in a real executable without the section', () => {
    const plain = fs.readFileSync(path.join(dir, 'hello'));
    expect(parseRustAudit('bin/hello', plain)).toEqual({ packages: [], warnings: [] });
  });

  it('never throws on any truncation of a real executable', () => {
    const full = fs.readFileSync(real.file);
    for (let cut = 0; cut < full.length; cut += Math.floor(full.length / 89)) {
      const result = parseRustAudit('x', full.subarray(0, cut));
      expect(result.packages.length === 0 || result.packages.length === CARGO_AUDIT.packages.length).toBe(true);
    }
  });
});
