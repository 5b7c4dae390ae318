import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { buildElf } from '../../../../test/support/elf-builder';
import { parseRustAudit } from './parse-audit';
import { CARGO_AUDIT } from '../../../../test/support/cargo-audit';

const CODE = { vaddr: 0x401000, data: Buffer.alloc(128, 0x90), flags: 5 };
const elfWith = (name: string, section: Buffer) => buildElf({ segments: [CODE, { vaddr: 0x500000, data: section, flags: 4 }], sections: [{ name, segment: 1 }] });

describe('rust (cargo-auditable) sections', () => {
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

  it('warns when the section runs past the end of the file', () => {
    const section = zlib.deflateSync(JSON.stringify(CARGO_AUDIT));
    const lying = buildElf({ segments: [CODE, { vaddr: 0x500000, data: section, flags: 4 }], sections: [{ name: '.dep-v0', segment: 1, size: 1_000_000 }] });
    expect(parseRustAudit('x', lying).warnings[0]?.message).toBe('cargo-auditable section .dep-v0 lies outside the file (truncated executable?)');
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
