import fc from 'fast-check';
import { buildElf } from '../../../../test/support/elf-builder';
import type { CatalogedPackage } from '../../cataloger';
import { WarningSink } from '../common/text';
import { golangCataloger, parseGoBinary, stdlibVersion, vcsPseudoVersion } from './index';
import { parseModInfo, unquoteGoPrefix } from './parse-modinfo';

const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

const framed = (modinfo: string): Buffer => (modinfo ? Buffer.concat([INFO_START, Buffer.from(modinfo), INFO_END]) : Buffer.alloc(0));

/** The Go 1.18+ blob: header with flag 2, then varint-prefixed version and module info. */
function inlineBlob(goVersion: string, modinfo: string): Buffer {
  const mod = framed(modinfo);
  return Buffer.concat([MAGIC, Buffer.from([8, 2]), Buffer.alloc(16), uvarint(Buffer.byteLength(goVersion)), Buffer.from(goVersion), uvarint(mod.length), mod]);
}

/** The pre-1.18 blob: header, two pointers to Go string headers, the headers and the bytes, in one data segment at `vaddr`. */
function pointerSegment(goVersion: string, modinfo: string, vaddr: number, ptrSize: 4 | 8, bigEndian: boolean): Buffer {
  const mod = framed(modinfo);
  const ver = Buffer.from(goVersion);
  const hdrAt = 32;
  const verAt = hdrAt + 4 * ptrSize;
  const modAt = verAt + ver.length;
  const seg = Buffer.alloc(modAt + mod.length);
  MAGIC.copy(seg, 0);
  seg[14] = ptrSize;
  seg[15] = bigEndian ? 1 : 0;
  const put = (v: number, at: number): void => {
    if (ptrSize === 4 && bigEndian) seg.writeUInt32BE(v, at);
    else if (ptrSize === 4) seg.writeUInt32LE(v, at);
    else if (bigEndian) seg.writeBigUInt64BE(BigInt(v), at);
    else seg.writeBigUInt64LE(BigInt(v), at);
  };
  put(vaddr + hdrAt, 16);
  put(vaddr + hdrAt + 2 * ptrSize, 16 + ptrSize);
  put(vaddr + verAt, hdrAt);
  put(ver.length, hdrAt + ptrSize);
  put(vaddr + modAt, hdrAt + 2 * ptrSize);
  put(mod.length, hdrAt + 3 * ptrSize);
  ver.copy(seg, verAt);
  mod.copy(seg, modAt);
  return seg;
}

const CODE = { vaddr: 0x401000, data: Buffer.alloc(256, 0x90), flags: 5 };

const MODINFO = [
  'path\texample.com/cmd/tool',
  'mod\texample.com/cmd\tv1.4.0\th1:main=',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:errors=',
  'dep\tgithub.com/docker/docker\tv24.0.7+incompatible\th1:docker=',
  'dep\tgolang.org/x/sys\tv0.0.0-20230510143845-0f6e5d0ab87f\th1:sys=',
  'dep\tgithub.com/old/lib\tv1.0.0',
  '=>\tgithub.com/fork/lib\tv1.0.1-fix\th1:fork=',
  'build\t-compiler=gc',
  'build\tGOOS=linux',
  'build\tGOARCH=arm64',
  '',
].join('\n');

const purls = (pkgs: readonly CatalogedPackage[]) => pkgs.map((p) => golangCataloger.purl(p, {})).sort();

describe('golang content matching', () => {
  it.each([
    ['usr/local/bin/tool', 0o755, true],
    ['app/server', 0o700, true],
    ['opt/x/tool.exe', 0o644, true],
    ['usr/share/doc/readme', 0o644, false],
    ['usr/lib/libfoo.so', 0o644, false],
  ])('%s mode %o is a candidate: %s', (p, mode, expected) => {
    expect(golangCataloger.content!.candidate(p, mode)).toBe(expected);
  });

  it('accepts ELF executables and shared objects, Mach-O and PE; rejects scripts, objects and class files', () => {
    const elf = buildElf({ segments: [CODE] });
    const inspect = (b: Buffer) => golangCataloger.content!.inspect(b.subarray(0, 64), 'x', b.length);
    expect(inspect(elf)).toBe(true);
    const rel = Buffer.from(elf);
    rel.writeUInt16LE(1, 16); // ET_REL
    expect(inspect(rel)).toBe(false);
    expect(inspect(Buffer.from('#!/bin/sh\necho hi\n'))).toBe(false);
    expect(inspect(Buffer.from('cffaedfe0c000001', 'hex'))).toBe(true);
    expect(inspect(Buffer.from('MZ\x90\x00', 'latin1'))).toBe(true);
    expect(inspect(Buffer.from('cafebabe00000002', 'hex'))).toBe(true);
    expect(inspect(Buffer.from('cafebabe00000041', 'hex'))).toBe(false); // Java class file, major 65
    expect(golangCataloger.wants('usr/local/bin/tool')).toBe(false);
  });
});

describe('Go build info formats', () => {
  it('reads the Go 1.18+ inline format from a .go.buildinfo section', () => {
    const data = inlineBlob('go1.21.4', MODINFO);
    const elf = buildElf({ segments: [CODE, { vaddr: 0x500000, data }], sections: [{ name: '.go.buildinfo', segment: 1 }] });
    const result = parseGoBinary('usr/bin/tool', elf);
    expect(result.warnings).toEqual([]);
    expect(purls(result.packages)).toEqual([
      'pkg:golang/example.com/cmd@v1.4.0',
      'pkg:golang/github.com/docker/docker@v24.0.7+incompatible',
      'pkg:golang/github.com/fork/lib@v1.0.1-fix',
      'pkg:golang/github.com/pkg/errors@v0.9.1',
      'pkg:golang/golang.org/x/sys@v0.0.0-20230510143845-0f6e5d0ab87f',
      'pkg:golang/stdlib@1.21.4',
    ]);
    const fork = result.packages.find((p) => p.name === 'github.com/fork/lib');
    expect(fork?.metadata).toMatchObject({ replaces: 'github.com/old/lib@v1.0.0', h1Digest: 'h1:fork=', goarch: 'arm64', goos: 'linux', mainModule: 'example.com/cmd' });
    expect(result.packages.find((p) => p.name === 'stdlib')).toMatchObject({ version: '1.21.4', licenses: ['BSD-3-Clause'] });
  });

  it.each([
    [8, false],
    [8, true],
    [4, false],
    [4, true],
  ] as const)('reads the pre-1.18 pointer format (%i-byte pointers, big-endian %s) from the first writable segment', (ptrSize, bigEndian) => {
    const vaddr = 0x10080000;
    const data = pointerSegment('go1.16.15', MODINFO, vaddr, ptrSize, bigEndian);
    const elf = buildElf({ is64: ptrSize === 8, bigEndian, segments: [CODE, { vaddr, data }] });
    const result = parseGoBinary('usr/bin/tool', elf);
    expect(result.warnings).toEqual([]);
    expect(purls(result.packages)).toContain('pkg:golang/github.com/fork/lib@v1.0.1-fix');
    expect(purls(result.packages)).toContain('pkg:golang/stdlib@1.16.15');
    expect(result.packages).toHaveLength(6);
  });

  it('ignores a magic that is not 16-byte aligned and finds the aligned one after it', () => {
    const blob = inlineBlob('go1.20', MODINFO);
    const data = Buffer.concat([Buffer.alloc(3), MAGIC, Buffer.alloc(15), blob]);
    const elf = buildElf({ segments: [CODE, { vaddr: 0x500000, data }] });
    expect(purls(parseGoBinary('x', elf).packages)).toContain('pkg:golang/stdlib@1.20');
  });

  it('gives a main module built as (devel) no version, or the VCS pseudo-version when stamped', () => {
    const devel = 'path\texample.com/app\nmod\texample.com/app\t(devel)\t\n';
    const elf = (mod: string) => buildElf({ segments: [CODE, { vaddr: 0x500000, data: inlineBlob('go1.22.5 X:boringcrypto', mod) }], sections: [{ name: '.go.buildinfo', segment: 1 }] });
    const [main, std] = parseGoBinary('x', elf(devel)).packages;
    expect(main).toMatchObject({ name: 'example.com/app', version: '', metadata: expect.objectContaining({ version: '(devel)', role: 'main' }) });
    expect(golangCataloger.purl(main!, {})).toBe('pkg:golang/example.com/app');
    expect(std).toMatchObject({ name: 'stdlib', version: '1.22.5', metadata: expect.objectContaining({ goVersion: 'go1.22.5 X:boringcrypto' }) });
    const stamped = `${devel}build\tvcs=git\nbuild\tvcs.revision=0123456789abcdef0123456789abcdef01234567\nbuild\tvcs.time=2024-05-06T07:08:09Z\nbuild\tvcs.modified=false\n`;
    expect(parseGoBinary('x', elf(stamped)).packages[0]).toMatchObject({ version: 'v0.0.0-20240506070809-0123456789ab' });
  });

  it('warns about a Go executable without module information, and reports nothing for it', () => {
    const data = inlineBlob('go1.20.1', '');
    const result = parseGoBinary('usr/bin/gopath-tool', buildElf({ segments: [CODE, { vaddr: 0x500000, data }], sections: [{ name: '.go.buildinfo', segment: 1 }] }));
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([{ path: 'usr/bin/gopath-tool', message: 'Go executable (go1.20.1) without module information (built outside module mode): its modules are not in this SBOM' }]);
  });

  it('says nothing about executables that are not Go', () => {
    expect(parseGoBinary('bin/c', buildElf({ segments: [CODE, { vaddr: 0x500000, data: Buffer.alloc(100) }] }))).toEqual({ packages: [], warnings: [] });
    expect(parseGoBinary('bin/script', Buffer.from('#!/bin/sh\n'))).toEqual({ packages: [], warnings: [] });
  });

  it('warns when the build info points outside the file or is cut short', () => {
    const vaddr = 0x500000;
    const data = pointerSegment('go1.16', MODINFO, vaddr, 8, false);
    data.writeBigUInt64LE(0xdead0000n, 16);
    expect(parseGoBinary('x', buildElf({ segments: [CODE, { vaddr, data }] })).warnings[0]?.message).toBe('Go build info points outside the file');
    const cut = inlineBlob('go1.21.0', MODINFO).subarray(0, 60);
    expect(parseGoBinary('x', buildElf({ segments: [CODE, { vaddr, data: cut }], sections: [{ name: '.go.buildinfo', segment: 1 }] })).warnings[0]?.message).toBe('Go build info is truncated or corrupt');
  });

  it('round-trips generated module graphs through the inline format (property)', () => {
    const seg = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const modPath = fc.tuple(fc.constantFrom('github.com', 'golang.org/x', 'example.com', 'gopkg.in'), fc.array(seg, { minLength: 1, maxLength: 3 })).map(([h, s]) => `${h}/${s.join('/')}`);
    const version = fc.oneof(
      fc.tuple(fc.nat(20), fc.nat(50), fc.nat(99)).map(([a, b, c]) => `v${a}.${b}.${c}`),
      fc.tuple(fc.nat(20), fc.nat(50)).map(([a, b]) => `v${a + 2}.${b}.0+incompatible`),
      fc.tuple(fc.integer({ min: 20180101, max: 20291231 }), fc.stringMatching(/^[0-9a-f]{12}$/)).map(([d, h]) => `v0.0.0-${d}120000-${h}`),
    );
    const dep = fc.record({ path: modPath, version, replace: fc.option(fc.record({ path: modPath, version }), { nil: undefined }) });
    fc.assert(
      fc.property(modPath, fc.uniqueArray(dep, { selector: (d) => d.path, maxLength: 12 }), (main, deps) => {
        const lines = [`path\t${main}/cmd`, `mod\t${main}\tv1.0.0\th1:x=`];
        for (const d of deps) {
          lines.push(d.replace ? `dep\t${d.path}\t${d.version}` : `dep\t${d.path}\t${d.version}\th1:y=`);
          if (d.replace) lines.push(`=>\t${d.replace.path}\t${d.replace.version}\th1:z=`);
        }
        const elf = buildElf({ segments: [CODE, { vaddr: 0x600000, data: inlineBlob('go1.22.0', `${lines.join('\n')}\n`) }], sections: [{ name: '.go.buildinfo', segment: 1 }] });
        const got = parseGoBinary('x', elf);
        expect(got.warnings).toEqual([]);
        const expected = new Set([`${main}@v1.0.0`, 'stdlib@1.22.0', ...deps.map((d) => (d.replace ? `${d.replace.path}@${d.replace.version}` : `${d.path}@${d.version}`))]);
        expect(new Set(got.packages.map((p) => `${p.name}@${p.version}`))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes, ELF-looking or not (property)', () => {
    const elfHead = buildElf({ segments: [CODE, { vaddr: 0x500000, data: inlineBlob('go1.21.0', MODINFO) }], sections: [{ name: '.go.buildinfo', segment: 1 }] });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('', 'elf', 'macho', 'fat', 'pe'), (bytes, prefix) => {
        const head = { '': Buffer.alloc(0), elf: elfHead.subarray(0, 64), macho: Buffer.from('cffaedfe', 'hex'), fat: Buffer.from('cafebabe00000002', 'hex'), pe: Buffer.from('MZ') }[prefix];
        const result = parseGoBinary('x', Buffer.concat([head, Buffer.from(bytes)]));
        expect(Array.isArray(result.packages)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on a corrupted Go executable (property)', () => {
    const good = buildElf({ segments: [CODE, { vaddr: 0x500000, data: inlineBlob('go1.21.0', MODINFO) }], sections: [{ name: '.go.buildinfo', segment: 1 }] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.nat(255)), { minLength: 1, maxLength: 20 }), fc.nat(good.length), (flips, cut) => {
        const bad = Buffer.from(good.subarray(0, Math.max(cut, 1)));
        for (const [at, v] of flips) if (at < bad.length) bad[at] = v;
        parseGoBinary('x', bad);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Go module info text', () => {
  it('reads quoted build keys and values and skips malformed lines with warnings', () => {
    const w = new WarningSink('x');
    const info = parseModInfo('path\tp\nbuild\t-ldflags="-X main.version=1.2.3 -s"\nbuild\t"we ird"=`raw`\nmod\tonlypath\n=>\torphan\tv1\th\nnonsense\nbuild\tnoequals\ndep\ta\tv1\n', w);
    expect(info.settings.get('-ldflags')).toBe('-X main.version=1.2.3 -s');
    expect(info.settings.get('we ird')).toBe('raw');
    expect(info.deps).toEqual([{ path: 'a', version: 'v1', sum: '' }]);
    expect(info.main).toBeUndefined();
    expect(w.list().map((x) => x.message)).toEqual([
      'Go build info line 4: expected "mod PATH VERSION [SUM]": "mod?onlypath"',
      'Go build info line 5: replacement with no module before it: "=>?orphan?v1?h"',
      'Go build info line 6 not understood: "nonsense"',
      'Go build info line 7: build line without KEY=VALUE: "build?noequals"',
    ]);
  });

  it.each([
    ['"a\\tb\\x41\\u00e9\\101"', 'a\tbAéA'],
    ['`raw\\n`', 'raw\\n'],
    ['"unterminated', undefined],
    ['"bad\\q"', undefined],
  ])('unquotes %s', (input, expected) => {
    expect(unquoteGoPrefix(input)?.[0]).toBe(expected);
  });

  it.each([
    ['go1.22.5', '1.22.5'],
    ['go1.21.0 X:boringcrypto', '1.21.0'],
    ['go1.19', '1.19'],
    ['go1.21rc2', '1.21rc2'],
    ['devel go1.23-abcdef Tue', undefined],
  ])('stdlib version of %s is %s', (v, expected) => {
    expect(stdlibVersion(v)).toBe(expected);
  });

  it('builds pseudo-versions from VCS settings only when both are sane', () => {
    expect(vcsPseudoVersion(new Map([['vcs.revision', 'ABCDEF0123456789'], ['vcs.time', '2023-01-02T03:04:05Z']]))).toBe('v0.0.0-20230102030405-abcdef012345');
    expect(vcsPseudoVersion(new Map([['vcs.revision', 'not-hex'], ['vcs.time', '2023-01-02T03:04:05Z']]))).toBeUndefined();
    expect(vcsPseudoVersion(new Map([['vcs.revision', 'abcdef0']]))).toBeUndefined();
  });
});

