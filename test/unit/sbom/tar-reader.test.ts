import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import * as tar from 'tar-stream';
import { BadInputError } from '../../../lambdas/core/errors';
import type { TarHeader } from '../../../lambdas/sbom/tar-reader';
import { headerSum, TarReader } from '../../../lambdas/sbom/tar-reader';
import { flipBits } from '../../support/bytes';

interface Seen {
  header: TarHeader;
  content?: string;
}

async function read(bytes: Buffer, chunk = 65536, want: (h: TarHeader) => boolean = () => true): Promise<Seen[]> {
  const seen: Seen[] = [];
  const reader = new TarReader({
    onEntry: (header) => {
      seen.push({ header });
      return want(header);
    },
    onFile: (_h, content) => {
      (seen[seen.length - 1] as Seen).content = content.toString('utf8');
    },
  });
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  await pipeline(Readable.from(chunks), reader);
  return seen;
}

async function pack(entries: { name: string; type: 'file' | 'symlink' | 'directory'; content?: string; linkname?: string }[]): Promise<Buffer> {
  const p = tar.pack();
  const out: Buffer[] = [];
  p.on('data', (c: unknown) => {
    out.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === 'file') p.entry({ name: e.name, type: 'file' }, e.content ?? '', cb);
      else p.entry({ name: e.name, type: e.type, linkname: e.linkname }, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(out);
}

describe('TarReader', () => {
  it('reads what tar-stream writes, long (pax) names and links included, whatever the chunking (property)', async () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9._é-]{1,40}$/);
    const entry = fc.record({
      name: fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/')),
      type: fc.constantFrom('file' as const, 'symlink' as const, 'directory' as const),
      content: fc.string({ maxLength: 2000 }),
      linkname: fc.array(segment, { minLength: 1, maxLength: 8 }).map((s) => `../${s.join('/')}`),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 12 }), fc.integer({ min: 1, max: 3000 }), async (entries, chunk) => {
        const seen = await read(await pack(entries), chunk);
        expect(seen).toHaveLength(entries.length);
        seen.forEach((s, i) => {
          const e = entries[i]!;
          const type = e.type === 'symlink' ? 'symlink' : e.type;
          expect(s.header.type).toBe(type);
          expect(s.header.name.replace(/\/$/, '')).toBe(e.name);
          if (e.type === 'file') expect(s.content).toBe(e.content);
          if (e.type === 'symlink') expect(s.header.linkname).toBe(e.linkname);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('reads GNU tar archives in gnu and posix formats (long names, hard links)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tar-'));
    const long = `${'d'.repeat(120)}/${'f'.repeat(110)}.txt`;
    fs.mkdirSync(path.join(dir, 'root', path.dirname(long)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'root', long), 'long content');
    fs.linkSync(path.join(dir, 'root', long), path.join(dir, 'root', 'hard'));
    fs.symlinkSync(long, path.join(dir, 'root', 'soft'));
    for (const format of ['gnu', 'posix']) {
      const archive = path.join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-C', path.join(dir, 'root'), '-cf', archive, '.']);
      const seen = await read(fs.readFileSync(archive), 777);
      const file = seen.find((s) => s.header.name.endsWith(`${'f'.repeat(110)}.txt`) || s.header.name === 'hard');
      expect(file?.content).toBe('long content');
      expect(seen.find((s) => s.header.name === './soft')?.header).toMatchObject({ type: 'symlink', linkname: long });
      const hard = seen.find((s) => s.header.type === 'hardlink');
      expect(hard).toBeDefined();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('only copies the files it is asked for', async () => {
    const seen = await read(await pack([{ name: 'a', type: 'file', content: 'A' }, { name: 'b', type: 'file', content: 'B' }]), 100, (h) => h.name === 'b');
    expect(seen.map((s) => s.content)).toEqual([undefined, 'B']);
  });

  it('rejects a corrupt header checksum and a truncated archive with one clear error', async () => {
    const good = await pack([{ name: 'x', type: 'file', content: 'y'.repeat(1000) }]);
    const corrupt = Buffer.from(good);
    flipBits(corrupt, 10, 0xff);
    await expect(read(corrupt)).rejects.toThrow(new BadInputError('corrupt tar header at offset 0 (checksum mismatch)'));
    await expect(read(good.subarray(0, 800))).rejects.toThrow(/truncated tar/);
  });

  it('a handler that throws something other than an Error still fails the stream with an Error', async () => {
    const reader = new TarReader({
      onEntry: () => {
        throw 'not an Error'; // the case under test
      },
      onFile: () => undefined,
    });
    const err = await pipeline(Readable.from([await pack([{ name: 'a', type: 'file', content: 'A' }])]), reader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('not an Error');
  });

  it('sums a header four bytes at a time exactly as byte by byte (property)', () => {
    const byteByByte = (h: Uint8Array): number => h.reduce((n, b, i) => n + (i >= 148 && i < 156 ? 0x20 : b), 0);
    const header = fc.oneof(fc.uint8Array({ minLength: 512, maxLength: 512 }), fc.constant(new Uint8Array(512).fill(0xff)));
    fc.assert(
      fc.property(header, (h) => {
        expect(headerSum(new DataView(h.buffer, h.byteOffset, 512))).toBe(byteByByte(h));
      }),
    );
  });

  it('never fails with anything but BadInputError on random bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        try {
          await read(Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(BadInputError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
