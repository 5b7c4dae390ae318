import * as zlib from 'node:zlib';
import { colourCounts, readPng, rgbAt } from '../support/png';

/** The test PNG reader (test/support/png.ts) against PNGs written here with each scanline filter. */
function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** Encodes `pixels` (rows of samples), row y with filter `filters[y]`, as the PNG spec defines them. */
function encode(width: number, channels: number, pixels: Buffer, filters: readonly number[], opts: { colour?: number; interlace?: number } = {}): Buffer {
  const stride = width * channels;
  const rows = filters.map((filter, y) => {
    const out = Buffer.alloc(stride + 1);
    out[0] = filter;
    for (let x = 0; x < stride; x++) {
      const at = (dx: number, dy: number) => (x - dx >= 0 && y - dy >= 0 ? (pixels[(y - dy) * stride + x - dx] as number) : 0);
      const [a, b, c] = [at(channels, 0), at(0, 1), at(channels, 1)];
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter] as number;
      out[x + 1] = ((pixels[y * stride + x] as number) - predicted) & 0xff;
    }
    return out;
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(filters.length, 4);
  ihdr.set([8, opts.colour ?? { 1: 0, 2: 4, 3: 2, 4: 6 }[channels] ?? 2, 0, 0, opts.interlace ?? 0], 8);
  const data = zlib.deflateSync(Buffer.concat(rows));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', data.subarray(0, 7)), chunk('IDAT', data.subarray(7)), chunk('IEND', Buffer.alloc(0))]);
}

const samples = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 73 + 41) % 256));

describe('readPng', () => {
  it('undoes every scanline filter, across split IDAT chunks, for RGB, RGBA and grey', () => {
    for (const channels of [3, 4, 1]) {
      const pixels = samples(4 * 5 * channels);
      const png = readPng(encode(4, channels, pixels, [0, 1, 2, 3, 4]));
      expect([png.width, png.height, png.channels]).toEqual([4, 5, channels]);
      expect(png.data.equals(pixels)).toBe(true);
    }
  });

  it('reads pixels and counts colours', () => {
    const png = readPng(encode(2, 3, Buffer.from([255, 0, 0, 250, 250, 250, 250, 250, 250, 250, 250, 250]), [4, 2]));
    expect(rgbAt(png, 0, 0)).toBe(0xff0000);
    expect([...colourCounts(png).entries()]).toEqual([
      [0xff0000, 1],
      [0xfafafa, 3],
    ]);
  });

  it('refuses what it cannot read exactly', () => {
    const good = encode(2, 3, samples(12), [1, 4]);
    const badCrc = Buffer.from(good);
    badCrc.writeUInt8(badCrc.readUInt8(good.length - 20) ^ 1, good.length - 20);
    expect(() => readPng(badCrc)).toThrow(/bad CRC/);
    expect(() => readPng(good.subarray(0, good.length - 12))).toThrow('PNG ends before IEND');
    expect(() => readPng(Buffer.from('GIF89a'))).toThrow('not a PNG');
    expect(() => readPng(encode(2, 3, samples(12), [1, 4], { interlace: 1 }))).toThrow(/not supported .*interlace 1/);
    expect(() => readPng(encode(2, 3, samples(12), [1, 5]))).toThrow('PNG row 1: unknown filter 5');
  });
});
