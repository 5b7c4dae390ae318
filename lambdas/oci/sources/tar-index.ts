import * as fs from 'node:fs/promises';
import { BadInputError } from '../../core/errors';

/** Where a regular file's bytes sit inside an uncompressed tar. */
export interface TarEntryLocation {
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;
/** An OCI/Docker archive lists a handful of entries per blob; this bounds a hostile header storm. */
const MAX_ENTRIES = 1_000_000;

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end >= start && end < start + len ? end : start + len);
}

function numeric(buf: Buffer, start: number, len: number, what: string): number {
  const first = buf[start] as number;
  if (first & 0x80) {
    // GNU base-256 for sizes ≥ 8 GiB; its sign bit set means negative, never valid here.
    if (first & 0x40) throw new BadInputError(`archive: negative ${what} field in tar header`);
    let n = first & 0x3f;
    for (let i = 1; i < len; i++) n = n * 256 + (buf[start + i] as number);
    if (!Number.isSafeInteger(n)) throw new BadInputError(`archive: ${what} field in tar header is too large`);
    return n;
  }
  const text = cString(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new BadInputError(`archive: invalid ${what} field in tar header`);
  return parseInt(text, 8);
}

/** A PAX `size` record: decimal digits only, within what a file offset can be. */
function paxSize(value: string): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new BadInputError(`archive: invalid PAX size ${JSON.stringify(value.slice(0, 40))} in tar header`);
  return n;
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
  return sum === stored;
}

function paxPath(data: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.toString('ascii', i, space), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) break;
    const record = data.toString('utf8', space + 1, i + len - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') out.size = paxSize(value);
    i += len;
  }
  return out;
}

/**
 * Indexes the regular files of an uncompressed tar by reading only its headers, so that an
 * archive's blobs can then be streamed by offset without extracting or reading the whole file.
 */
export async function indexTar(file: string): Promise<Map<string, TarEntryLocation>> {
  const fh = await fs.open(file, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const entries = new Map<string, TarEntryLocation>();
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let pax: { path?: string; size?: number } = {};
    for (let count = 0; count < MAX_ENTRIES; count++) {
      if (pos + BLOCK > fileSize) break;
      await fh.read(header, 0, BLOCK, pos);
      if (header.every((b) => b === 0)) break;
      if (!checksumOk(header)) throw new BadInputError(`archive ${file}: corrupt tar header at offset ${pos}`);
      let size = numeric(header, 124, 12, 'size');
      const type = String.fromCharCode(header[156] as number);
      const magic = header.toString('ascii', 257, 262);
      const prefix = magic === 'ustar' ? cString(header, 345, 155) : '';
      const rawName = cString(header, 0, 100);
      const dataStart = pos + BLOCK;
      if (pax.size !== undefined && (type === '0' || type === '\0')) size = pax.size;
      if (dataStart + size > fileSize) throw new BadInputError(`archive ${file}: truncated (entry at ${pos} runs past the end)`);
      if (type === 'x' || type === 'L') {
        if (size > 1024 * 1024) throw new BadInputError(`archive ${file}: oversized extended header at ${pos}`);
        const data = Buffer.alloc(size);
        await fh.read(data, 0, size, dataStart);
        if (type === 'x') pax = paxPath(data);
        else longName = cString(data, 0, size);
      } else {
        if (type === '0' || type === '\0') {
          const name = pax.path ?? longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
          entries.set(name.replace(/^\.\//, ''), { offset: dataStart, size });
        }
        longName = undefined;
        pax = {};
      }
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      // Every header moves forward by at least its own block; anything else would loop.
      if (!(next > pos)) throw new BadInputError(`archive ${file}: tar entry at offset ${pos} does not advance`);
      pos = next;
    }
    return entries;
  } finally {
    await fh.close();
  }
}
