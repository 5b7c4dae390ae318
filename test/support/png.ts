import * as zlib from 'node:zlib';

/**
 * A small PNG reader for tests that look at screenshots (no image library is among the
 * dependencies): 8-bit grey, grey+alpha, RGB or RGBA, not interlaced, the five scanline filters.
 * Anything else, a bad CRC or a short image is an error, never a guess.
 */
export interface Png {
  readonly width: number;
  readonly height: number;
  /** Samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  readonly channels: number;
  /** Unfiltered samples, row after row. */
  readonly data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function readPng(bytes: Buffer): Png {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  let at = 8;
  let header: { width: number; height: number; channels: number } | undefined;
  const idat: Buffer[] = [];
  for (;;) {
    if (at + 12 > bytes.length) throw new Error('PNG ends before IEND');
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (body.length !== length || at + 12 + length > bytes.length) throw new Error(`PNG chunk ${type} is cut short`);
    if (zlib.crc32(bytes.subarray(at + 4, at + 8 + length)) !== bytes.readUInt32BE(at + 8 + length)) throw new Error(`PNG chunk ${type}: bad CRC`);
    at += 12 + length;
    if (type === 'IHDR') {
      const [depth, colour, compression, filter, interlace] = [body[8], body[9], body[10], body[11], body[12]];
      const channels = colour === undefined ? undefined : CHANNELS[colour];
      if (depth !== 8 || channels === undefined || compression !== 0 || filter !== 0 || interlace !== 0) {
        throw new Error(`PNG not supported by this reader: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      }
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), channels };
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
  }
  if (!header || idat.length === 0) throw new Error('PNG without IHDR or IDAT');
  return { ...header, data: unfilter(zlib.inflateSync(Buffer.concat(idat)), header.width, header.height, header.channels) };
}

/** Undoes the per-scanline filters (PNG spec, section 9): each row starts with its filter type. */
function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG image data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (out[row + x - bpp] as number) : 0;
      const b = y > 0 ? (out[row - stride + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (out[row - stride + x - bpp] as number) : 0;
      const v = raw[src + x] as number;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) predicted = paeth(a, b, c);
      else throw new Error(`PNG row ${y}: unknown filter ${filter}`);
      out[row + x] = (v + predicted) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The pixel at (x, y) as 0xRRGGBB (grey repeated; alpha ignored). */
export function rgbAt(png: Png, x: number, y: number): number {
  const i = (y * png.width + x) * png.channels;
  const d = png.data;
  if (png.channels < 3) return ((d[i] as number) << 16) | ((d[i] as number) << 8) | (d[i] as number);
  return ((d[i] as number) << 16) | ((d[i + 1] as number) << 8) | (d[i + 2] as number);
}

/** How many pixels have each colour (0xRRGGBB). */
export function colourCounts(png: Png): Map<number, number> {
  const counts = new Map<number, number>();
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) {
    const rgb = rgbAt(png, x, y);
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  return counts;
}
