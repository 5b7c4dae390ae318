import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { buildLayerTar, compress } from '../../../lambdas/oci/image-builder';
import type { LayerEntry } from '../../../lambdas/oci/image-builder';
import type { ArenaBuffer } from '../../../lambdas/sbom/buffer-budget';
import { BufferBudget } from '../../../lambdas/sbom/buffer-budget';
import { CatalogCollector } from '../../../lambdas/sbom/layers/catalog-builder';
import { catalogers as allCatalogers } from '../../../lambdas/sbom/catalogers';
import { scanDirectory } from '../../../lambdas/sbom/dir-scanner';
import { scanLayer } from '../../../lambdas/sbom/layers/scan-layer';
import type { Cataloger, ParseResult } from '../../../lambdas/sbom/cataloger';
import type { SniffRequest, TarHeader } from '../../../lambdas/sbom/tar-reader';
import { TarReader } from '../../../lambdas/sbom/tar-reader';

const MAGIC = Buffer.from('MAGIC!');

/** A content cataloger for tests: executables starting with MAGIC!, one package per file named after its second line. */
function magicCataloger(name: string, opts: { async?: boolean; max?: number; seen?: string[] } = {}): Cataloger {
  const parse = (p: string, content: Buffer): ParseResult => {
    opts.seen?.push(p);
    const [, pkg = ''] = content.toString('utf8').split('\n');
    return pkg ? { packages: [{ ecosystem: name, name: pkg, version: `${content.length}`, licenses: [] }], warnings: [] } : { packages: [], warnings: [{ path: p, message: `${name}: nothing here` }] };
  };
  return {
    name,
    maxFileSize: opts.max ?? 1024 * 1024,
    wants: () => false,
    content: {
      candidate: (_p, mode) => (mode & 0o111) !== 0,
      headBytes: MAGIC.length,
      inspect: (head) => head.equals(MAGIC),
    },
    parse: opts.async ? (p, c) => new Promise((resolve) => setTimeout(() => resolve(parse(p, c)), 2)) : parse,
    purl: (pkg) => `pkg:generic/${name}/${pkg.name}@${pkg.version}`,
  };
}

async function scan(entries: LayerEntry[], catalogers: readonly Cataloger[], budget?: BufferBudget) {
  const bytes = compress(await buildLayerTar(entries), 'gzip');
  return scanLayer(Readable.from([bytes]), 'gzip', bytes.length, 'sha256:test', { catalogers, budget });
}

describe('TarReader mode, sniffing and asynchronous handlers', () => {
  async function run(bytes: Buffer, chunk: number, onEntry: (h: TarHeader) => boolean | SniffRequest, onFile: (h: TarHeader, c: Buffer) => void | Promise<void>): Promise<void> {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
    await pipeline(Readable.from(chunks), new TarReader({ onEntry, onFile }));
  }

  it('reports the permission bits of each entry', async () => {
    const bytes = await buildLayerTar([
      { path: 'bin/tool', content: 'x', mode: 0o755 },
      { path: 'etc/conf', content: 'y', mode: 0o640 },
      { path: 'usr/bin/su', content: 'z', mode: 0o4755 },
    ]);
    const modes: number[] = [];
    await run(bytes, 512, (h) => (modes.push(h.mode), false), () => undefined);
    expect(modes).toEqual([0o755, 0o640, 0o4755]);
  });

  it('hands the head to decide, then the whole file (head included) or nothing, whatever the chunking (property)', async () => {
    const file = fc.record({ content: fc.uint8Array({ maxLength: 3000 }), head: fc.integer({ min: 0, max: 40 }), take: fc.boolean(), asyncDecide: fc.boolean(), asyncFile: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1500 }), async (files, chunk) => {
        const bytes = await buildLayerTar(files.map((f, i) => ({ path: `f${i}`, content: Buffer.from(f.content) })));
        const heads: Buffer[] = [];
        const got = new Map<string, Buffer>();
        let i = -1;
        await run(
          bytes,
          chunk,
          () => {
            const f = files[++i]!;
            return {
              head: f.head,
              decide: (head: Buffer) => {
                heads.push(Buffer.from(head));
                return f.asyncDecide ? new Promise<boolean>((r) => setImmediate(() => r(f.take))) : f.take;
              },
            };
          },
          (h, c) => {
            const copy = Buffer.from(c);
            if (files[Number(h.name.slice(1))]!.asyncFile) return new Promise<void>((r) => setImmediate(() => (got.set(h.name, copy), r())));
            got.set(h.name, copy);
          },
        );
        files.forEach((f, n) => {
          expect(heads[n]).toEqual(Buffer.from(f.content.subarray(0, Math.min(f.head, f.content.length))));
          expect(got.get(`f${n}`)).toEqual(f.take ? Buffer.from(f.content) : undefined);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('consumes nothing more while an asynchronous onFile is pending', async () => {
    const bytes = await buildLayerTar([
      { path: 'a', content: 'A' },
      { path: 'b', content: 'B' },
    ]);
    const events: string[] = [];
    await run(
      bytes,
      100_000,
      (h) => (events.push(`entry ${h.name}`), true),
      (h) =>
        new Promise((resolve) =>
          setTimeout(() => {
            events.push(`done ${h.name}`);
            resolve();
          }, 5),
        ),
    );
    expect(events).toEqual(['entry a', 'done a', 'entry b', 'done b']);
  });

  it('turns a rejected onFile into a stream error', async () => {
    const bytes = await buildLayerTar([{ path: 'a', content: 'A' }]);
    await expect(run(bytes, 512, () => true, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('content catalogers in the engine', () => {
  const elfish = (pkg: string) => Buffer.concat([MAGIC, Buffer.from(`\n${pkg}\n`)]);

  it('offers executables only, sniffs them and reads those a cataloger accepts', async () => {
    const seen: string[] = [];
    const cat = await scan(
      [
        { path: 'usr/bin/tool', content: elfish('tool-pkg'), mode: 0o755 },
        { path: 'usr/bin/script', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
        { path: 'usr/lib/data', content: elfish('not-executable'), mode: 0o644 },
      ],
      [magicCataloger('magic', { seen })],
    );
    expect(seen).toEqual(['usr/bin/tool']);
    expect(Object.keys(cat.files)).toEqual(['usr/bin/tool']);
    expect(cat.files['usr/bin/tool']?.packages[0]).toMatchObject({ name: 'tool-pkg' });
  });

  it('lets several catalogers parse one file and keeps all their packages under it', async () => {
    const a = magicCataloger('alpha');
    const b = magicCataloger('beta', { async: true });
    const cat = await scan([{ path: 'app', content: elfish('both'), mode: 0o700 }], [a, b]);
    expect(cat.files.app).toMatchObject({ cataloger: 'alpha' });
    expect(cat.files.app?.packages.map((p) => `${p.ecosystem}:${p.name}`)).toEqual(['alpha:both', 'beta:both']);
  });

  it('warns about an accepted file bigger than the cataloger reads, after sniffing only', async () => {
    const seen: string[] = [];
    const big = Buffer.concat([elfish('big'), Buffer.alloc(5000)]);
    const cat = await scan([{ path: 'bin/big', content: big, mode: 0o755 }], [magicCataloger('magic', { max: 1000, seen })]);
    expect(seen).toEqual([]);
    expect(cat.warnings).toEqual([{ path: 'bin/big', message: `${big.length} bytes, more than the 1000 read for magic; skipped` }]);
  });

  it('records an inspect message as a warning and skips the file', async () => {
    const c: Cataloger = { ...magicCataloger('magic'), content: { candidate: () => true, headBytes: 4, inspect: (head) => (head.toString() === 'BDB!' ? 'format BDB not read' : false) } };
    const cat = await scan([{ path: 'var/db', content: 'BDB!rest' }], [c]);
    expect(cat.files).toEqual({});
    expect(cat.warnings).toEqual([{ path: 'var/db', message: 'format BDB not read' }]);
  });

  it('waits for room in the shared arena before buffering a large file, collects it there and gives it back', async () => {
    const budget = new BufferBudget(3 * 1024 * 1024);
    const big = Buffer.concat([elfish('large'), Buffer.alloc(2 * 1024 * 1024)]);
    const held = budget.acquire(2 * 1024 * 1024);
    expect(held).not.toBeInstanceOf(Promise);
    let done = false;
    const scanning = scan([{ path: 'bin/large', content: big, mode: 0o755 }], [magicCataloger('magic', { max: 64 * 1024 * 1024 })], budget).then((c) => {
      done = true;
      return c;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    (held as ArenaBuffer).release();
    const cat = await scanning;
    expect(cat.files['bin/large']?.packages[0]).toMatchObject({ name: 'large', version: String(big.length) });
    expect(budget.inUse).toBe(0);
  });

  it('releases its reservation when the layer turns out to be truncated', async () => {
    const budget = new BufferBudget(8 * 1024 * 1024);
    const tarBytes = await buildLayerTar([{ path: 'bin/large', content: Buffer.concat([elfish('x'), Buffer.alloc(3 * 1024 * 1024)]), mode: 0o755 }]);
    const cut = tarBytes.subarray(0, 2 * 1024 * 1024);
    await expect(scanLayer(Readable.from([cut]), 'none', cut.length, 'sha256:cut', { catalogers: [magicCataloger('magic', { max: 64 * 1024 * 1024 })], budget })).rejects.toThrow(/truncated tar/);
    expect(budget.inUse).toBe(0);
  });

  it('sniffs directory sources the same way (dir: scans)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-sniff-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'tool'), elfish('dir-tool'), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'bin', 'plain'), elfish('plain'), { mode: 0o644 });
    const cat = await scanDirectory(dir, [magicCataloger('magic')]);
    expect(Object.keys(cat.files)).toEqual(['bin/tool']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns a throwing or rejecting parser into a warning', async () => {
    const throwing: Cataloger = { ...magicCataloger('t'), parse: () => { throw new Error('sync bug'); } };
    const rejecting: Cataloger = { ...magicCataloger('r'), parse: () => Promise.reject(new Error('async bug')) };
    const collector = new CatalogCollector('sha256:x', [throwing, rejecting]);
    await collector.file('a', [throwing, rejecting], elfish('a'));
    expect(collector.finish().warnings.map((w) => w.message)).toEqual(['t parser failed: sync bug', 'r parser failed: async bug']);
  });
});

describe('BufferBudget', () => {
  it('hands out non-overlapping views of one arena, first come first served, reusing freed room', async () => {
    const b = new BufferBudget(10);
    const a = b.acquire(6) as ArenaBuffer;
    a.buffer.fill(1);
    const order: string[] = [];
    const second = (b.acquire(6) as Promise<ArenaBuffer>).then((x) => (order.push('second'), x));
    const third = (b.acquire(1) as Promise<ArenaBuffer>).then((x) => (order.push('third'), x));
    expect(b.inUse).toBe(6);
    a.release();
    a.release(); // idempotent
    const [s2, s3] = await Promise.all([second, third]);
    expect(order).toEqual(['second', 'third']);
    expect(b.inUse).toBe(7);
    s2.buffer.fill(2);
    s3.buffer.fill(3);
    expect(s2.buffer.length + s3.buffer.length).toBe(7);
    expect([...s2.buffer]).toEqual([2, 2, 2, 2, 2, 2]);
    expect(s2.buffer.buffer).toBe(s3.buffer.buffer);
    s2.release();
    const fits = b.acquire(5) as ArenaBuffer;
    expect(fits.buffer.byteOffset).toBe(s2.buffer.byteOffset);
    s3.release();
    fits.release();
    expect(b.inUse).toBe(0);
    expect(() => b.acquire(11)).toThrow(RangeError);
  });

  it('never overlaps live blocks, whatever the order of requests and releases (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.nat(5)), { minLength: 1, maxLength: 40 }), async (ops) => {
        const b = new BufferBudget(64);
        const live: ArenaBuffer[] = [];
        let waiting = 0;
        for (const [size, releaseIndex] of ops) {
          const got = b.acquire(size);
          if (got instanceof Promise) {
            waiting++;
            void got.then((x) => {
              waiting--;
              live.push(x);
            });
          } else live.push(got);
          if (live.length > releaseIndex) live.splice(releaseIndex, 1)[0]!.release();
          const ranges = live.map((l) => [l.buffer.byteOffset, l.buffer.byteOffset + l.buffer.length]).sort((x, y) => x[0]! - y[0]!);
          for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]!);
          await Promise.resolve();
        }
        // Every waiter is granted once enough is released.
        do {
          while (live.length) live.pop()!.release();
          await new Promise((r) => setImmediate(r));
        } while (waiting > 0 || live.length);
        expect(b.inUse).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the real catalogers', () => {
  it('leave non-executable, non-wanted files alone without sniffing', () => {
    const collector = new CatalogCollector('sha256:x', allCatalogers);
    expect(collector.reader('usr/share/doc/x/changelog.gz', 100, 0o644)).toBeUndefined();
    expect(collector.reader('usr/bin/ls', 100, 0o755)).toMatchObject({ head: expect.any(Number) });
  });
});
