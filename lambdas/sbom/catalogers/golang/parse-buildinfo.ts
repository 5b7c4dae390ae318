import type { Executable } from '../common/binary';
import { findSection, readAddress } from '../common/binary';

/**
 * Reads the build information the Go linker embeds in every executable since Go 1.13, the way
 * `debug/buildinfo` does: a 32-byte header starting `\xff Go buildinf:` (16-byte aligned) at the
 * start of the `.go.buildinfo` section (ELF), `__go_buildinfo` (Mach-O), or else within the first
 * 64 KiB of the first writable data segment/section. Go 1.18+ stores the toolchain version and
 * the module information inline after the header as varint-prefixed strings (flag bit 2); older
 * toolchains store two pointers to Go string headers (address, length) in the binary's pointer
 * size and byte order.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER = 32;
const ALIGN = 16;
const SEARCH = 64 * 1024;
/** Module information longer than this is not believed (real ones are a few KiB to a few hundred). */
const MAX_STRING = 16 * 1024 * 1024;

export interface RawBuildInfo {
  /** Toolchain version, e.g. `go1.22.5` or `go1.22.5 X:boringcrypto`. */
  readonly goVersion: string;
  /** The module information text without its framing; empty when built without modules. */
  readonly modinfo: string;
  readonly arch?: string;
}

/** Where the linker puts build info (debug/buildinfo's DataStart). */
function dataStart(x: Executable): number | undefined {
  if (x.format === 'elf') {
    const s = x.sections.find((sec) => sec.name === '.go.buildinfo');
    if (s) return s.addr;
    return x.segments.find((seg) => seg.writable && !seg.executable)?.addr;
  }
  if (x.format === 'macho') {
    const s = findSection(x, ['__go_buildinfo']);
    if (s) return s.addr;
    return x.segments.find((seg) => seg.addr !== 0 && seg.fileSize !== 0 && seg.writable && !seg.executable)?.addr;
  }
  // PE: the first initialised, readable, writable data section (.data).
  return x.segments.find((seg) => seg.addr !== 0 && seg.fileSize !== 0 && seg.writable && !seg.executable)?.addr;
}

function uvarint(buf: Buffer, at: number): [value: number, length: number] | undefined {
  let value = 0;
  let shift = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[at + i];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * shift;
    if (b < 0x80) return Number.isSafeInteger(value) ? [value, i + 1] : undefined;
    shift *= 128;
  }
  return undefined;
}

function inlineString(buf: Buffer, at: number): [text: string, next: number] | undefined {
  const v = uvarint(buf, at);
  if (!v) return undefined;
  const [len, n] = v;
  if (len > MAX_STRING || at + n + len > buf.length) return undefined;
  return [buf.toString('utf8', at + n, at + n + len), at + n + len];
}

/** A Go string header (data pointer, length) at `addr`, followed to its bytes. */
function pointerString(x: Executable, ptrSize: number, bigEndian: boolean, addr: number): string | undefined {
  const hdr = readAddress(x, addr, 2 * ptrSize);
  if (!hdr || hdr.length < 2 * ptrSize) return undefined;
  const ptr = (b: Buffer, off: number): number => {
    if (ptrSize === 4) return bigEndian ? b.readUInt32BE(off) : b.readUInt32LE(off);
    const v = bigEndian ? b.readBigUInt64BE(off) : b.readBigUInt64LE(off);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
  };
  const dataAddr = ptr(hdr, 0);
  const len = ptr(hdr, ptrSize);
  if (len < 0 || len > MAX_STRING) return undefined;
  if (len === 0) return '';
  const data = readAddress(x, dataAddr, len);
  if (!data || data.length < len) return undefined;
  return data.toString('utf8');
}

/** Strips the 16-byte sentinels around the module information, as debug/buildinfo does. */
function unframe(mod: string): string {
  return mod.length >= 33 && mod.charCodeAt(mod.length - 17) === 10 ? mod.slice(16, -16) : '';
}

export type BuildInfoResult = { readonly kind: 'found'; readonly info: RawBuildInfo } | { readonly kind: 'none' } | { readonly kind: 'error'; readonly message: string };

/** The build info of one executable (debug/buildinfo's readRawBuildInfo). */
export function buildInfoOf(x: Executable): BuildInfoResult {
  const start = dataStart(x);
  if (start === undefined) return { kind: 'none' };
  const data = readAddress(x, start, SEARCH);
  if (!data) return { kind: 'none' };
  let at = -1;
  for (let from = 0; ; ) {
    const i = data.indexOf(MAGIC, from);
    if (i < 0 || data.length - i < HEADER) return { kind: 'none' };
    if (i % ALIGN === 0) {
      at = i;
      break;
    }
    from = i + 1;
  }
  const blob = data.subarray(at);
  const ptrSize = blob.readUInt8(14); // within the HEADER bytes checked above
  const flags = blob.readUInt8(15);
  let goVersion: string | undefined;
  let mod: string | undefined;
  if (flags & 2) {
    const v = inlineString(blob, HEADER);
    const m = v ? inlineString(blob, v[1]) : undefined;
    goVersion = v?.[0];
    mod = m?.[0];
    if (goVersion === undefined || mod === undefined) return { kind: 'error', message: 'Go build info is truncated or corrupt' };
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) return { kind: 'error', message: `Go build info with an invalid pointer size ${ptrSize}` };
    const bigEndian = flags !== 0;
    const readPtr = (off: number): number => {
      if (ptrSize === 4) return bigEndian ? blob.readUInt32BE(off) : blob.readUInt32LE(off);
      const v = bigEndian ? blob.readBigUInt64BE(off) : blob.readBigUInt64LE(off);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
    };
    goVersion = pointerString(x, ptrSize, bigEndian, readPtr(16));
    mod = pointerString(x, ptrSize, bigEndian, readPtr(16 + ptrSize)) ?? '';
    if (goVersion === undefined) return { kind: 'error', message: 'Go build info points outside the file' };
  }
  if (!goVersion) return { kind: 'none' };
  return { kind: 'found', info: { goVersion, modinfo: unframe(mod), ...(x.arch ? { arch: x.arch } : {}) } };
}

/** True when the executable has a section only the Go toolchain writes (so missing build info deserves a warning). */
export function hasGoSections(x: Executable): boolean {
  return findSection(x, ['.go.buildinfo', '__go_buildinfo', '.gopclntab', '__gopclntab', '.note.go.buildid']) !== undefined;
}
