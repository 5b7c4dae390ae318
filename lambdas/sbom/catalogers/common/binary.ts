/**
 * Just enough of ELF, Mach-O (thin and universal) and PE to find named sections and read
 * virtual addresses in a buffered executable: what the Go build-info and Rust audit-data readers
 * need. Every offset and count is bounds-checked against the buffer; nothing here throws on bad
 * input (malformed files come back as an error string), and nothing is copied (sections and
 * address reads are views into the buffer).
 */

export type ExecutableFormat = 'elf' | 'macho' | 'macho-fat' | 'pe';

/** Leading bytes needed by {@link executableFormat}. */
export const EXECUTABLE_HEAD = 64;

export interface Section {
  readonly name: string;
  /** Segment name (Mach-O only). */
  readonly segment?: string;
  readonly addr: number;
  /** File offset of the section's bytes, or -1 when it has none (ELF NOBITS, zero-fill). */
  readonly offset: number;
  readonly size: number;
}

/** A file-backed range of the address space (ELF PT_LOAD, Mach-O segment, PE section). */
export interface Segment {
  readonly name?: string;
  readonly addr: number;
  readonly offset: number;
  readonly fileSize: number;
  readonly writable: boolean;
  readonly executable: boolean;
}

export interface Executable {
  readonly format: 'elf' | 'macho' | 'pe';
  readonly bigEndian: boolean;
  /** Pointer size in bytes (4 or 8). */
  readonly ptrSize: number;
  /** Architecture as the format names it (`x86_64`, `aarch64`, `arm64`, `amd64`, ...), if known. */
  readonly arch?: string;
  readonly sections: readonly Section[];
  readonly segments: readonly Segment[];
  /** The whole file (for a universal Mach-O: this slice). */
  readonly data: Buffer;
  /** PE image base (virtual addresses are relative to it); 0 elsewhere. */
  readonly imageBase: number;
}

const ELF_MAGIC = 0x7f454c46;
const MAX_SECTIONS = 65536;
const MAX_LOAD_COMMANDS = 65536;
const MAX_FAT_ARCHES = 20;

/** The format of an executable or object file from its first bytes, if it is one. */
export function executableFormat(head: Buffer): ExecutableFormat | undefined {
  if (head.length < 4) return undefined;
  const magic = head.readUInt32BE(0);
  if (magic === ELF_MAGIC) {
    if (head.length < 18) return undefined;
    const cls = head[4];
    const data = head[5];
    if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
    const type = data === 1 ? head.readUInt16LE(16) : head.readUInt16BE(16);
    // Executables and shared objects (PIE executables are ET_DYN); not relocatable objects or cores.
    return type === 2 || type === 3 ? 'elf' : undefined;
  }
  if (magic === 0xfeedface || magic === 0xfeedfacf || magic === 0xcefaedfe || magic === 0xcffaedfe) return 'macho';
  if (magic === 0xcafebabe || magic === 0xcafebabf) {
    // Java class files share the magic; their next word (minor/major version) is ≥ 45.
    if (head.length < 8) return undefined;
    const n = head.readUInt32BE(4);
    return n > 0 && n < MAX_FAT_ARCHES ? 'macho-fat' : undefined;
  }
  if (head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  return undefined;
}

/** True for a file worth sniffing as an executable: any execute bit, or a Windows executable suffix. */
export function isExecutableCandidate(path: string, mode: number): boolean {
  if ((mode & 0o111) !== 0) return true;
  const c = path.charCodeAt(path.length - 4);
  return c === 46 /* . */ && (path.endsWith('.exe') || path.endsWith('.EXE'));
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly be: boolean,
  ) {}

  ok(off: number, len: number): boolean {
    return Number.isSafeInteger(off) && off >= 0 && len >= 0 && off + len <= this.buf.length;
  }

  u16(off: number): number {
    return this.be ? this.buf.readUInt16BE(off) : this.buf.readUInt16LE(off);
  }

  u32(off: number): number {
    return this.be ? this.buf.readUInt32BE(off) : this.buf.readUInt32LE(off);
  }

  /** A 64-bit value as a number; NaN when it does not fit a safe integer. */
  u64(off: number): number {
    const v = this.be ? this.buf.readBigUInt64BE(off) : this.buf.readBigUInt64LE(off);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : NaN;
  }

  cstring(off: number, max: number): string {
    if (off < 0 || off >= this.buf.length) return '';
    let end = off;
    const limit = Math.min(this.buf.length, off + max);
    while (end < limit && this.buf[end] !== 0) end++;
    return this.buf.toString('latin1', off, end);
  }
}

const ELF_MACHINES: Record<number, string> = { 3: 'i386', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390', 40: 'arm', 62: 'x86_64', 183: 'aarch64', 243: 'riscv', 258: 'loongarch' };

function parseElf(buf: Buffer): Executable | string {
  if (buf.length < 52) return 'truncated ELF header';
  const is64 = buf[4] === 2;
  const r = new Reader(buf, buf[5] === 2);
  const hdrSize = is64 ? 64 : 52;
  if (buf.length < hdrSize) return 'truncated ELF header';
  const machine = r.u16(18);
  const phoff = is64 ? r.u64(32) : r.u32(28);
  const shoff = is64 ? r.u64(40) : r.u32(32);
  const phentsize = r.u16(is64 ? 54 : 42);
  let phnum = r.u16(is64 ? 56 : 44);
  const shentsize = r.u16(is64 ? 58 : 46);
  let shnum = r.u16(is64 ? 60 : 48);
  let shstrndx = r.u16(is64 ? 62 : 50);
  const minPh = is64 ? 56 : 32;
  const minSh = is64 ? 64 : 40;

  const readSection = (i: number): { nameOff: number; type: number; addr: number; offset: number; size: number; link: number } | undefined => {
    const at = shoff + i * shentsize;
    if (shentsize < minSh || !r.ok(at, minSh)) return undefined;
    return is64
      ? { nameOff: r.u32(at), type: r.u32(at + 4), addr: r.u64(at + 16), offset: r.u64(at + 24), size: r.u64(at + 32), link: r.u32(at + 40) }
      : { nameOff: r.u32(at), type: r.u32(at + 4), addr: r.u32(at + 12), offset: r.u32(at + 16), size: r.u32(at + 20), link: r.u32(at + 24) };
  };

  // Extended numbering: counts that overflow the header live in section 0.
  if (shoff > 0 && (shnum === 0 || shstrndx === 0xffff)) {
    const s0 = readSection(0);
    if (s0) {
      if (shnum === 0) shnum = Math.min(s0.size, MAX_SECTIONS);
      if (shstrndx === 0xffff) shstrndx = s0.link;
    }
  }
  if (phnum === 0xffff) {
    const s0 = shoff > 0 ? readSection(0) : undefined;
    if (s0) phnum = Math.min(s0.size, MAX_SECTIONS);
  }

  const segments: Segment[] = [];
  if (phoff > 0 && phentsize >= minPh) {
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (!r.ok(at, minPh)) break;
      const type = r.u32(at);
      if (type !== 1 /* PT_LOAD */) continue;
      const flags = is64 ? r.u32(at + 4) : r.u32(at + 24);
      const offset = is64 ? r.u64(at + 8) : r.u32(at + 4);
      const addr = is64 ? r.u64(at + 16) : r.u32(at + 8);
      const fileSize = is64 ? r.u64(at + 32) : r.u32(at + 16);
      if (Number.isFinite(addr) && Number.isFinite(offset) && Number.isFinite(fileSize)) segments.push({ addr, offset, fileSize, writable: (flags & 2) !== 0, executable: (flags & 1) !== 0 });
    }
  }

  const sections: Section[] = [];
  if (shoff > 0 && shnum > 0) {
    const strtab = readSection(shstrndx);
    const strOff = strtab && Number.isFinite(strtab.offset) && r.ok(strtab.offset, 0) ? strtab.offset : -1;
    const strEnd = strtab && strOff >= 0 ? Math.min(buf.length, strOff + (Number.isFinite(strtab.size) ? strtab.size : 0)) : -1;
    for (let i = 0; i < Math.min(shnum, MAX_SECTIONS); i++) {
      const s = readSection(i);
      if (!s) break;
      const name = strOff >= 0 && strOff + s.nameOff < strEnd ? r.cstring(strOff + s.nameOff, Math.min(256, strEnd - strOff - s.nameOff)) : '';
      const hasData = s.type !== 8 /* NOBITS */ && Number.isFinite(s.offset) && Number.isFinite(s.size);
      sections.push({ name, addr: Number.isFinite(s.addr) ? s.addr : -1, offset: hasData ? s.offset : -1, size: Number.isFinite(s.size) ? s.size : 0 });
    }
  }
  return { format: 'elf', bigEndian: r.be, ptrSize: is64 ? 8 : 4, arch: ELF_MACHINES[machine], sections, segments, data: buf, imageBase: 0 };
}

const MACHO_CPUS: Record<number, string> = { 7: 'i386', 0x01000007: 'amd64', 12: 'arm', 0x0100000c: 'arm64', 18: 'ppc', 0x01000012: 'ppc64' };

function parseMachO(buf: Buffer): Executable | string {
  if (buf.length < 28) return 'truncated Mach-O header';
  const magic = buf.readUInt32BE(0);
  const be = magic === 0xfeedface || magic === 0xfeedfacf;
  const is64 = magic === 0xfeedfacf || magic === 0xcffaedfe;
  const r = new Reader(buf, be);
  const cpu = r.u32(4);
  const ncmds = r.u32(16);
  let at = is64 ? 32 : 28;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < Math.min(ncmds, MAX_LOAD_COMMANDS); i++) {
    if (!r.ok(at, 8)) return sections.length || segments.length ? 'truncated Mach-O load commands' : 'truncated Mach-O header';
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8) return 'corrupt Mach-O load command size';
    if ((cmd === 0x1 || cmd === 0x19) && r.ok(at, cmd === 0x19 ? 72 : 56)) {
      const seg64 = cmd === 0x19;
      const segname = r.cstring(at + 8, 16);
      const addr = seg64 ? r.u64(at + 24) : r.u32(at + 24);
      const fileoff = seg64 ? r.u64(at + 40) : r.u32(at + 32);
      const filesize = seg64 ? r.u64(at + 48) : r.u32(at + 36);
      const maxprot = r.u32(at + (seg64 ? 56 : 40));
      const initprot = r.u32(at + (seg64 ? 60 : 44));
      const nsects = r.u32(at + (seg64 ? 64 : 48));
      if (Number.isFinite(addr) && Number.isFinite(fileoff) && Number.isFinite(filesize)) {
        segments.push({ name: segname, addr, offset: fileoff, fileSize: filesize, writable: (initprot & 2) !== 0 && (maxprot & 2) !== 0, executable: (initprot & 4) !== 0 });
      }
      const sectSize = seg64 ? 80 : 68;
      let s = at + (seg64 ? 72 : 56);
      for (let j = 0; j < Math.min(nsects, MAX_SECTIONS) && s + sectSize <= at + size && r.ok(s, sectSize); j++, s += sectSize) {
        const sectname = r.cstring(s, 16);
        const seg = r.cstring(s + 16, 16);
        const saddr = seg64 ? r.u64(s + 32) : r.u32(s + 32);
        const ssize = seg64 ? r.u64(s + 40) : r.u32(s + 36);
        const soff = r.u32(s + (seg64 ? 48 : 40));
        const type = r.u32(s + (seg64 ? 64 : 56)) & 0xff;
        // Zero-fill sections (S_ZEROFILL 1, S_GB_ZEROFILL 12, S_THREAD_LOCAL_ZEROFILL 18) have no file data.
        const zerofill = type === 1 || type === 12 || type === 18;
        sections.push({ name: sectname, segment: seg, addr: Number.isFinite(saddr) ? saddr : -1, offset: zerofill || soff === 0 ? -1 : soff, size: Number.isFinite(ssize) ? ssize : 0 });
      }
    }
    at += size;
  }
  return { format: 'macho', bigEndian: be, ptrSize: is64 ? 8 : 4, arch: MACHO_CPUS[cpu], sections, segments, data: buf, imageBase: 0 };
}

const PE_MACHINES: Record<number, string> = { 0x14c: '386', 0x8664: 'amd64', 0x1c0: 'arm', 0xaa64: 'arm64' };

function parsePe(buf: Buffer): Executable | string {
  if (buf.length < 0x40) return 'truncated PE header';
  const r = new Reader(buf, false);
  const pe = r.u32(0x3c);
  if (!r.ok(pe, 24) || buf.readUInt32BE(pe) !== 0x50450000) return 'not a PE file (no PE signature)';
  const machine = r.u16(pe + 4);
  const nsects = r.u16(pe + 6);
  const optSize = r.u16(pe + 20);
  const opt = pe + 24;
  let imageBase = 0;
  let ptrSize = 4;
  if (r.ok(opt, 2)) {
    const magic = r.u16(opt);
    if (magic === 0x20b && r.ok(opt, 32)) {
      ptrSize = 8;
      imageBase = r.u64(opt + 24);
    } else if (magic === 0x10b && r.ok(opt, 32)) imageBase = r.u32(opt + 28);
  }
  if (!Number.isFinite(imageBase)) imageBase = 0;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  let s = opt + optSize;
  for (let i = 0; i < nsects && r.ok(s, 40); i++, s += 40) {
    const name = r.cstring(s, 8);
    const vaddr = r.u32(s + 12);
    const rawSize = r.u32(s + 16);
    const rawPtr = r.u32(s + 20);
    const chars = r.u32(s + 36);
    sections.push({ name, addr: imageBase + vaddr, offset: rawSize ? rawPtr : -1, size: rawSize });
    segments.push({ name, addr: imageBase + vaddr, offset: rawPtr, fileSize: rawSize, writable: (chars & 0x80000000) !== 0, executable: (chars & 0x20000000) !== 0 });
  }
  return { format: 'pe', bigEndian: false, ptrSize, arch: PE_MACHINES[machine], sections, segments, data: buf, imageBase };
}

/**
 * Parses an executable: one entry for ELF, PE and thin Mach-O, one per architecture for a
 * universal (fat) Mach-O. Returns an error message for files that are not executables or whose
 * headers are malformed.
 */
export function parseExecutable(buf: Buffer): Executable[] | string {
  // The Go and Rust catalogers parse the same buffer in turn: parse it once.
  let parsed = parsedExecutables.get(buf);
  if (parsed === undefined) {
    parsed = parseUncached(buf);
    parsedExecutables.set(buf, parsed);
  }
  return parsed;
}

const parsedExecutables = new WeakMap<Buffer, Executable[] | string>();

function parseUncached(buf: Buffer): Executable[] | string {
  const format = executableFormat(buf.subarray(0, EXECUTABLE_HEAD));
  if (!format) return 'not an ELF, Mach-O or PE executable';
  if (format === 'elf') return wrap(parseElf(buf));
  if (format === 'macho') return wrap(parseMachO(buf));
  if (format === 'pe') return wrap(parsePe(buf));
  // Universal binary: big-endian fat header, then one Mach-O per architecture.
  const fat64 = buf.readUInt32BE(0) === 0xcafebabf;
  const n = buf.readUInt32BE(4);
  const entry = fat64 ? 32 : 20;
  const out: Executable[] = [];
  for (let i = 0; i < n; i++) {
    const at = 8 + i * entry;
    if (at + entry > buf.length) return 'truncated universal Mach-O header';
    const offset = fat64 ? Number(buf.readBigUInt64BE(at + 8)) : buf.readUInt32BE(at + 8);
    const size = fat64 ? Number(buf.readBigUInt64BE(at + 16)) : buf.readUInt32BE(at + 12);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset + size > buf.length) return 'universal Mach-O slice beyond the end of the file';
    const slice = buf.subarray(offset, offset + size);
    const parsed = executableFormat(slice.subarray(0, EXECUTABLE_HEAD)) === 'macho' ? parseMachO(slice) : 'universal Mach-O slice is not a Mach-O file';
    if (typeof parsed === 'string') return parsed;
    out.push(parsed);
  }
  return out;
}

function wrap(x: Executable | string): Executable[] | string {
  return typeof x === 'string' ? x : [x];
}

/** The bytes of a section (a view), or undefined when it has no file data or lies outside the file. */
export function sectionData(x: Executable, s: Section): Buffer | undefined {
  if (s.offset < 0 || !Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.size)) return undefined;
  if (s.offset > x.data.length) return undefined;
  return x.data.subarray(s.offset, Math.min(x.data.length, s.offset + s.size));
}

/** The first section with one of these names (any segment). */
export function findSection(x: Executable, names: readonly string[]): Section | undefined {
  for (const n of names) {
    const s = x.sections.find((sec) => sec.name === n);
    if (s) return s;
  }
  return undefined;
}

/**
 * Up to `size` bytes at virtual address `addr` (a view), from the file-backed segment holding it;
 * fewer when the segment's file data ends first; undefined when no segment maps it.
 */
export function readAddress(x: Executable, addr: number, size: number): Buffer | undefined {
  if (!Number.isSafeInteger(addr) || addr < 0) return undefined;
  for (const seg of x.segments) {
    if (seg.name === '__PAGEZERO') continue;
    if (seg.fileSize > 0 && seg.addr <= addr && addr < seg.addr + seg.fileSize) {
      const start = seg.offset + (addr - seg.addr);
      const avail = seg.addr + seg.fileSize - addr;
      if (start >= x.data.length) return undefined;
      return x.data.subarray(start, Math.min(x.data.length, start + Math.min(size, avail)));
    }
  }
  return undefined;
}
