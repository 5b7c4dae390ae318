import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { buildElf } from '../../../../test/support/elf-builder';
import { rustCataloger } from './index';
import { parseRustAudit } from './parse-audit';

/** Audit data as cargo-auditable writes it (format 1; `kind` omitted for runtime, `root` only on the root). */
const AUDIT = {
  format: 1,
  packages: [
    { name: 'hello-audited', version: '0.1.0', source: 'local', dependencies: [1, 2, 4], root: true },
    { name: 'serde', version: '1.0.197', source: 'crates.io', dependencies: [3] },
    { name: 'regex', version: '1.10.3', source: 'crates.io' },
    { name: 'serde_derive', version: '1.0.197', source: 'crates.io', kind: 'build' },
    { name: 'forked-util', version: '0.3.0-alpha.1', source: 'git' },
    { name: 'private-crate', version: '2.0.0', source: { Other: 'registry+https://example.com/index' } },
  ],
};

const CODE = { vaddr: 0x401000, data: Buffer.alloc(128, 0x90), flags: 5 };
const elfWith = (name: string, section: Buffer) => buildElf({ segments: [CODE, { vaddr: 0x500000, data: section, flags: 4 }], sections: [{ name, segment: 1 }] });

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

describe('rust (cargo-auditable)', () => {
  let dir: string;
  let real: { file: string; compiler: string };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rust-'));
    real = realAudited(dir, zlib.deflateSync(JSON.stringify(AUDIT)));
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

  it('accepts the older rust-audit section names', () => {
    const result = parseRustAudit('x', elfWith('.rust-deps-v0', zlib.deflateSync(JSON.stringify({ packages: [{ name: 'old', version: '0.1.0', source: 'crates.io' }] }))));
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['old@0.1.0']);
  });

  it.each([
    ['not zlib', Buffer.from('plain text, not compressed'), /^cargo-auditable data is not valid zlib data/],
    ['not JSON', zlib.deflateSync('{"packages": [ oops'), /^cargo-auditable data is not valid JSON/],
    ['no packages', zlib.deflateSync('{"pkgs": []}'), /^cargo-auditable data has no "packages" array$/],
    ['a zlib bomb', zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), /inflates beyond 8388608 bytes; not read$/],
  ])('warns about a section that is %s', (_what, section, message) => {
    const result = parseRustAudit('x', elfWith('.dep-v0', section));
    expect(result.packages).toEqual([]);
    expect(result.warnings[0]?.message).toMatch(message);
  });

  it('skips entries without a name or version, with a warning', () => {
    const result = parseRustAudit('x', elfWith('.dep-v0', zlib.deflateSync(JSON.stringify({ packages: [{ name: 'ok', version: '1.0.0', source: 'crates.io' }, { name: 'noversion' }, null, 7] }))));
    expect(result.packages.map((p) => p.name)).toEqual(['ok']);
    expect(result.warnings).toHaveLength(3);
  });

  it('warns when the section runs past the end of the file, and never throws on any truncation of a real executable', () => {
    const section = zlib.deflateSync(JSON.stringify(AUDIT));
    const lying = buildElf({ segments: [CODE, { vaddr: 0x500000, data: section, flags: 4 }], sections: [{ name: '.dep-v0', segment: 1, size: 1_000_000 }] });
    expect(parseRustAudit('x', lying).warnings[0]?.message).toBe('cargo-auditable section .dep-v0 lies outside the file (truncated executable?)');
    const full = fs.readFileSync(real.file);
    for (let cut = 0; cut < full.length; cut += Math.floor(full.length / 89)) {
      const result = parseRustAudit('x', full.subarray(0, cut));
      expect(result.packages.length === 0 || result.packages.length === AUDIT.packages.length).toBe(true);
    }
  });

  it('round-trips generated crate lists (property)', () => {
    const crate = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/), version: fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).map((v) => v.join('.')), source: fc.constantFrom('crates.io', 'git', 'local', 'registry'), kind: fc.constantFrom(undefined, 'build', 'runtime') });
    fc.assert(
      fc.property(fc.uniqueArray(crate, { selector: (c) => `${c.name}@${c.version}`, maxLength: 30 }), (crates) => {
        const result = parseRustAudit('x', elfWith('.dep-v0', zlib.deflateSync(JSON.stringify({ packages: crates }))));
        expect(result.warnings).toEqual([]);
        expect(result.packages.map((p) => `${p.name}@${p.version}:${p.metadata?.dependencyKind ?? 'runtime'}`)).toEqual(crates.map((c) => `${c.name}@${c.version}:${c.kind ?? 'runtime'}`));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary section bytes or arbitrary files (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), fc.boolean(), (bytes, asSection) => {
        const result = parseRustAudit('x', asSection ? elfWith('.dep-v0', Buffer.from(bytes)) : Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.from(bytes)]));
        expect(Array.isArray(result.packages)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
