/**
 * Writes small ELF executables byte by byte for tests (independently of the reader under test):
 * loadable segments at given virtual addresses, optional named sections over them, 32 or 64-bit,
 * either byte order.
 */
export interface ElfSegment {
  readonly vaddr: number;
  readonly data: Buffer;
  /** PF_X 1, PF_W 2, PF_R 4. @default 6 (RW) */
  readonly flags?: number;
}

export interface ElfSection {
  readonly name: string;
  /** The section covers this segment's bytes (from `start`, `size` bytes). */
  readonly segment: number;
  readonly start?: number;
  readonly size?: number;
}

export interface ElfSpec {
  readonly is64?: boolean;
  readonly bigEndian?: boolean;
  readonly machine?: number;
  readonly segments: readonly ElfSegment[];
  readonly sections?: readonly ElfSection[];
}

export function buildElf(spec: ElfSpec): Buffer {
  const is64 = spec.is64 ?? true;
  const be = spec.bigEndian ?? false;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const phoff = ehsize;
  let cursor = phoff + phentsize * spec.segments.length;
  const segOffsets: number[] = [];
  for (const s of spec.segments) {
    cursor = Math.ceil(cursor / 16) * 16;
    segOffsets.push(cursor);
    cursor += s.data.length;
  }
  const sections = spec.sections ?? [];
  const names = Buffer.from(`\0.shstrtab\0${sections.map((s) => `${s.name}\0`).join('')}`, 'latin1');
  const strtabOff = cursor;
  cursor += names.length;
  const shoff = Math.ceil(cursor / 8) * 8;
  const shnum = sections.length ? sections.length + 2 : 0;
  const total = shoff + shentsize * shnum;
  const b = Buffer.alloc(total);
  const u16 = (v: number, o: number) => (be ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  const u32 = (v: number, o: number) => (be ? b.writeUInt32BE(v >>> 0, o) : b.writeUInt32LE(v >>> 0, o));
  const addr = (v: number, o: number) => (is64 ? (be ? b.writeBigUInt64BE(BigInt(v), o) : b.writeBigUInt64LE(BigInt(v), o)) : u32(v, o));
  b.write('\x7fELF', 0, 'latin1');
  b[4] = is64 ? 2 : 1;
  b[5] = be ? 2 : 1;
  b[6] = 1;
  u16(2, 16); // ET_EXEC
  u16(spec.machine ?? (is64 ? 62 : 3), 18);
  u32(1, 20);
  addr(spec.segments[0]?.vaddr ?? 0, 24);
  if (is64) {
    addr(phoff, 32);
    addr(shnum ? shoff : 0, 40);
    u16(ehsize, 52);
    u16(phentsize, 54);
    u16(spec.segments.length, 56);
    u16(shentsize, 58);
    u16(shnum, 60);
    u16(shnum ? 1 : 0, 62);
  } else {
    u32(phoff, 28);
    u32(shnum ? shoff : 0, 32);
    u16(ehsize, 40);
    u16(phentsize, 42);
    u16(spec.segments.length, 44);
    u16(shentsize, 46);
    u16(shnum, 48);
    u16(shnum ? 1 : 0, 50);
  }
  spec.segments.forEach((s, i) => {
    const at = phoff + i * phentsize;
    u32(1, at);
    if (is64) {
      u32(s.flags ?? 6, at + 4);
      addr(segOffsets[i]!, at + 8);
      addr(s.vaddr, at + 16);
      addr(s.vaddr, at + 24);
      addr(s.data.length, at + 32);
      addr(s.data.length, at + 40);
      addr(16, at + 48);
    } else {
      u32(segOffsets[i]!, at + 4);
      u32(s.vaddr, at + 8);
      u32(s.vaddr, at + 12);
      u32(s.data.length, at + 16);
      u32(s.data.length, at + 20);
      u32(s.flags ?? 6, at + 24);
      u32(16, at + 28);
    }
    s.data.copy(b, segOffsets[i]!);
  });
  names.copy(b, strtabOff);
  const section = (i: number, nameOff: number, type: number, address: number, offset: number, size: number) => {
    const at = shoff + i * shentsize;
    u32(nameOff, at);
    u32(type, at + 4);
    if (is64) {
      addr(address, at + 16);
      addr(offset, at + 24);
      addr(size, at + 32);
    } else {
      u32(address, at + 12);
      u32(offset, at + 16);
      u32(size, at + 20);
    }
  };
  if (shnum) {
    section(1, 1, 3, 0, strtabOff, names.length);
    let nameOff = '\0.shstrtab\0'.length;
    sections.forEach((s, i) => {
      const seg = spec.segments[s.segment]!;
      const start = s.start ?? 0;
      section(i + 2, nameOff, 1, seg.vaddr + start, segOffsets[s.segment]! + start, s.size ?? seg.data.length - start);
      nameOff += s.name.length + 1;
    });
  }
  return b;
}
