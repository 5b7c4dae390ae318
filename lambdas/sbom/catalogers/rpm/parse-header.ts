/**
 * An rpm header as the rpm database stores it (lib/header.c's on-disk "blob", without the
 * 8-byte magic of package files): big-endian `il` (index entries) and `dl` (data bytes), then
 * `il` 16-byte entries (tag, type, offset into the data, count), then the data store. The first
 * entry is usually a region tag (HEADER_IMMUTABLE 63) covering the signed part; entries after
 * the region ("dribbles", added at install time) replace earlier ones with the same tag, so the
 * last occurrence of a tag wins here. Every offset and length is bounds-checked; nothing throws.
 */

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  MODULARITYLABEL: 5096,
} as const;

export const TYPE = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

/** rpm refuses headers this big (lib/header.c headerMaxbytes). */
const HEADER_MAX = 256 * 1024 * 1024;
const MAX_INDEX = 1_000_000;

interface IndexEntry {
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

export interface RpmHeader {
  /** The first string of a string-typed tag (STRING, I18NSTRING's C locale, STRING_ARRAY's first). */
  string(tag: number): string | undefined;
  /** The first integer of an integer-typed tag. */
  int(tag: number): number | undefined;
  has(tag: number): boolean;
}

/** Parses a header blob; an error message when its structure is broken. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader | string {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 8) return 'header blob shorter than its 8-byte preamble';
  const il = buf.readInt32BE(0);
  const dl = buf.readInt32BE(4);
  if (il < 1 || il > MAX_INDEX) return `header with ${il} index entries`;
  if (dl < 0 || dl > HEADER_MAX) return `header with ${dl} data bytes`;
  const dataStart = 8 + 16 * il;
  if (dataStart + dl > buf.length) return `header blob truncated (${buf.length} bytes, ${dataStart + dl} declared)`;
  const entries = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + 16 * i;
    const tag = buf.readInt32BE(at);
    const type = buf.readUInt32BE(at + 4);
    const offset = buf.readInt32BE(at + 8);
    const count = buf.readUInt32BE(at + 12);
    if (tag >= 1000 && offset >= 0 && offset < dl && type <= TYPE.I18NSTRING) entries.set(tag, { type, offset, count });
  }
  const data = buf.subarray(dataStart, dataStart + dl);
  const stringAt = (offset: number): string | undefined => {
    const end = data.indexOf(0, offset);
    return end < 0 ? undefined : data.toString('utf8', offset, end);
  };
  return {
    has: (tag) => entries.has(tag),
    string(tag) {
      const e = entries.get(tag);
      if (!e || (e.type !== TYPE.STRING && e.type !== TYPE.I18NSTRING && e.type !== TYPE.STRING_ARRAY) || e.count < 1) return undefined;
      return stringAt(e.offset);
    },
    int(tag) {
      const e = entries.get(tag);
      if (!e || e.count < 1) return undefined;
      const size = e.type === TYPE.INT32 ? 4 : e.type === TYPE.INT16 ? 2 : e.type === TYPE.INT8 || e.type === TYPE.CHAR ? 1 : e.type === TYPE.INT64 ? 8 : 0;
      if (!size || e.offset + size > data.length) return undefined;
      if (size === 4) return data.readInt32BE(e.offset);
      if (size === 2) return data.readUInt16BE(e.offset);
      if (size === 1) return data[e.offset];
      const v = data.readBigInt64BE(e.offset);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
    },
  };
}
