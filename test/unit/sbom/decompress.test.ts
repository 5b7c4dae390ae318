import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadInputError, LimitExceededError } from '../../../lambdas/core/errors';
import { decompressor, PIPE_BUFFER } from '../../../lambdas/sbom/decompress';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'zstd', name));

/** A slow reader: it takes one chunk per tick, so the decompressor must wait for it. */
function slowSink(): { sink: Writable; received: () => number } {
  let received = 0;
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      setImmediate(cb);
    },
  });
  return { sink, received: () => received };
}

describe('zstd decompression (the pure-JS path on Node 20)', () => {
  it('stops a bomb at the ratio limit while it streams, holding no more than the pipe buffer', async () => {
    const bomb = fixture('zeros-64MiB.zst');
    const limits = { maxBytes: 1024 ** 3, maxRatio: 100, ratioGraceBytes: 4 * 1024 * 1024 };
    const [inflate, guard] = decompressor('zstd', bomb.length, 'layer sha256:bomb', limits);
    if (!inflate || !guard) throw new Error('zstd needs a decoder and a guard');
    let buffered = 0;
    inflate.on('data', () => (buffered = Math.max(buffered, inflate.readableLength)));
    const { sink, received } = slowSink();
    await expect(pipeline(Readable.from([bomb]), inflate, guard, sink)).rejects.toThrow(LimitExceededError);
    // Stopped close to the limit (grace, or 100x the compressed size), not after 64 MB.
    expect(received()).toBeLessThan(Math.max(limits.ratioGraceBytes, 100 * bomb.length) + 2 * PIPE_BUFFER);
    expect(buffered).toBeLessThanOrEqual(PIPE_BUFFER + 4 * 1024 * 1024);
  });

  it('decodes real data exactly, whatever the reader speed', async () => {
    const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}\n`).join(''));
    const zst = fixture('lines-20000.zst');
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), setImmediate(cb)) });
    const [inflate, guard] = decompressor('zstd', zst.length, 'layer');
    if (!inflate || !guard) throw new Error('zstd needs a decoder and a guard');
    await pipeline(Readable.from([zst]), inflate, guard, sink);
    expect(Buffer.concat(chunks).equals(text)).toBe(true);
  });

  it('stops a bomb at the byte limit too, when the ratio would allow it', async () => {
    const bomb = fixture('zeros-64MiB.zst');
    const limits = { maxBytes: 8 * 1024 * 1024, maxRatio: 1e9, ratioGraceBytes: 0 };
    const [inflate, guard] = decompressor('zstd', bomb.length, 'layer sha256:bomb', limits);
    if (!inflate || !guard) throw new Error('zstd needs a decoder and a guard');
    const { sink, received } = slowSink();
    await expect(pipeline(Readable.from([bomb]), inflate, guard, sink)).rejects.toThrow('layer sha256:bomb: expands beyond 8388608 bytes (decompression limit)');
    expect(received()).toBeLessThanOrEqual(limits.maxBytes);
  });

  it('stops producing while its reader does not read (backpressure), whatever the input holds', async () => {
    const bomb = fixture('zeros-64MiB.zst');
    const [inflate, guard] = decompressor('zstd', bomb.length, 'layer');
    if (!inflate || !guard) throw new Error('zstd needs a decoder and a guard');
    let taken = 0;
    // Takes one chunk and never asks for more.
    const stalled = new Writable({ highWaterMark: 1, write: (chunk: Buffer) => void (taken += chunk.length) });
    const run = pipeline(Readable.from([bomb]), inflate, guard, stalled).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const held = taken + inflate.readableLength + guard.writableLength + guard.readableLength;
    // The pipe buffers and one slice's output at most: never the 64 MiB the input stands for.
    expect(held).toBeLessThan(4 * PIPE_BUFFER + 8 * 1024 * 1024);
    inflate.destroy();
    await run;
  });

  it('stays bounded when a bomb follows ordinary data (no ratio learnt on earlier bytes carries over)', async () => {
    // Ordinary frames first, then 160 frames of 64 MiB of zeros: zstd frames concatenate.
    const zeros = fixture('zeros-64MiB.zst');
    const input = Buffer.concat([fixture('lines-20000.zst'), ...Array.from({ length: 160 }, () => zeros)]);
    const [inflate, guard] = decompressor('zstd', input.length, 'layer');
    if (!inflate || !guard) throw new Error('zstd needs a decoder and a guard');
    let taken = 0;
    let maxHeld = 0;
    const sink = new Writable({
      highWaterMark: 1,
      write: (chunk: Buffer, _e, cb) => {
        taken += chunk.length;
        maxHeld = Math.max(maxHeld, inflate.readableLength + guard.writableLength + guard.readableLength);
        // Reads slowly until 64 MiB have passed, then stops reading.
        if (taken < 64 * 1024 * 1024) setImmediate(cb);
      },
    });
    const run = pipeline(Readable.from([input]), inflate, guard, sink).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    maxHeld = Math.max(maxHeld, inflate.readableLength + guard.writableLength + guard.readableLength);
    expect(taken).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(maxHeld).toBeLessThan(4 * PIPE_BUFFER + 8 * 1024 * 1024);
    inflate.destroy();
    await run;
  });

  it('turns corrupt or truncated zstd into bad input', async () => {
    const zst = fixture('lines-20000.zst');
    const corrupt = Buffer.from(zst);
    corrupt.fill(0xff, 20, 60);
    for (const bytes of [corrupt, zst.subarray(0, zst.length - 100)]) {
      const [inflate, guard] = decompressor('zstd', bytes.length, 'layer');
      if (!inflate || !guard) throw new Error('zstd needs a decoder and a guard');
      await expect(pipeline(Readable.from([bytes]), inflate, guard, new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toBeInstanceOf(BadInputError);
    }
  });
});
