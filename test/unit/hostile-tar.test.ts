import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadInputError } from '../../lambdas/core/errors';
import { openSource, parseSource } from '../../lambdas/oci/open-source';
import { indexTar } from '../../lambdas/oci/sources/tar-index';
import { TarReader } from '../../lambdas/sbom/tar-reader';

/**
 * Hostile tar headers, for both tar readers: the oci-archive/docker-archive index (random access
 * by offset) and the layer reader (streaming). Sizes must be non-negative decimal or octal numbers
 * that move the reader forward; anything else is one BadInputError, at once.
 */
const BLOCK = 512;

/** A ustar header; `size` is written as given (octal text, or raw bytes for base-256). */
function header(name: string, type: string, size: string | Buffer): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  if (typeof size === 'string') h.write(size, 124, 12, 'ascii');
  else size.copy(h, 124, 0, 12);
  h.write('00000000000\0', 136, 'ascii');
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((BLOCK - (b.length % BLOCK)) % BLOCK)]);
const octal = (n: number) => `${n.toString(8).padStart(11, '0')}\0`;

/** A PAX extended header carrying `records` (e.g. `size=-1024`), then a file entry. */
function paxThenFile(records: string[], content = 'hello'): Buffer {
  const body = Buffer.from(
    records
      .map((r) => {
        // The length prefix counts itself: "<len> <key>=<value>\n".
        let len = r.length + 3;
        while (`${len} ${r}\n`.length !== len) len = `${len} ${r}\n`.length;
        return `${len} ${r}\n`;
      })
      .join(''),
  );
  return Buffer.concat([header('PaxHeaders/file', 'x', octal(body.length)), pad(body), header('file', '0', octal(content.length)), pad(Buffer.from(content)), Buffer.alloc(2 * BLOCK)]);
}

/** Base-256 size fields (GNU): the sign bit set (negative), or a value past 2^53. */
const negative256 = Buffer.alloc(12, 0xff);
const huge256 = Buffer.from([0x80, 0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

const hostile: [string, Buffer, RegExp][] = [
  ['a negative PAX size', paxThenFile(['size=-1024']), /PAX size "-1024"/],
  // -1536 points the next header back at the PAX header itself: the index used to loop on it.
  ['a PAX size that points back at its own header', paxThenFile(['size=-1536']), /PAX size "-1536"/],
  ['a non-numeric PAX size', paxThenFile(['size=abc']), /PAX size "abc"/],
  ['a PAX size past 2^53', paxThenFile(['size=99999999999999999999']), /PAX size "99999999999999999999"/],
  ['a fractional PAX size', paxThenFile(['size=1.5']), /PAX size "1.5"/],
  ['a negative base-256 size', Buffer.concat([header('file', '0', negative256), Buffer.alloc(3 * BLOCK)]), /negative/],
  ['a base-256 size past 2^53', Buffer.concat([header('file', '0', huge256), Buffer.alloc(3 * BLOCK)]), /too large|truncated/],
  ['a non-octal size', Buffer.concat([header('file', '0', '12x45670000\0'), Buffer.alloc(3 * BLOCK)]), /invalid size|bad octal/],
];

function tmpFile(bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-hostile-'));
  const file = path.join(dir, 'archive.tar');
  fs.writeFileSync(file, bytes);
  return file;
}

async function stream(bytes: Buffer): Promise<string[]> {
  const names: string[] = [];
  const reader = new TarReader({ onEntry: (h) => (names.push(h.name), true), onFile: () => undefined });
  await pipeline(Readable.from([bytes]), reader);
  return names;
}

describe('hostile tar headers', () => {
  it('the crafted archives are otherwise valid: the same shapes with a good size read fine (control)', async () => {
    const good = paxThenFile(['size=5']);
    expect([...(await indexTar(tmpFile(good))).entries()]).toEqual([['file', { offset: 3 * BLOCK, size: 5 }]]);
    expect(await stream(good)).toEqual(['file']);
    // A positive base-256 size is read as a size (512 bytes here).
    const gnu = Buffer.concat([header('gnu', '0', Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0])), Buffer.alloc(BLOCK, 0x61), Buffer.alloc(2 * BLOCK)]);
    expect([...(await indexTar(tmpFile(gnu))).entries()]).toEqual([['gnu', { offset: BLOCK, size: 512 }]]);
    expect(await stream(gnu)).toEqual(['gnu']);
  });

  describe.each(hostile)('%s', (_, bytes, message) => {
    it('is refused by the archive index (oci-archive, docker-archive) at once', async () => {
      const started = Date.now();
      const err = await indexTar(tmpFile(bytes)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadInputError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/NaN/);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('is refused by the layer reader', async () => {
      const err = await stream(bytes).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadInputError);
    });
  });

  it('an oci-archive whose PAX size is negative fails as bad input through the CLI\'s source opener', async () => {
    const file = tmpFile(paxThenFile(['size=-512']));
    const err = await openSource(parseSource(`oci-archive:${file}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe('archive: invalid PAX size "-512" in tar header');
  });
});

/** A tar of the given files, with the end-of-archive blocks. */
function tarOf(files: Record<string, string>): Buffer {
  const parts = Object.entries(files).flatMap(([name, text]) => [header(name, '0', octal(Buffer.byteLength(text))), pad(Buffer.from(text))]);
  return Buffer.concat([...parts, Buffer.alloc(2 * BLOCK)]);
}

describe('hostile archive index files (docker-archive manifest.json, oci-archive index.json)', () => {
  const LAYOUT = '{"imageLayoutVersion":"1.0.0"}';
  it('well-formed ones open (control): RepoTags a list of strings, or null', async () => {
    const tagged = tmpFile(tarOf({ 'manifest.json': '[{"Config":"c.json","RepoTags":["app:1"],"Layers":[]}]' }));
    expect((await openSource(parseSource(`docker-archive:${tagged}:1`))).tag).toBe('1');
    const untagged = tmpFile(tarOf({ 'manifest.json': '[{"Config":"c.json","RepoTags":null,"Layers":[]}]' }));
    expect((await openSource(parseSource(`docker-archive:${untagged}`))).tag).toBeUndefined();
  });
  it.each([
    ['docker-archive', 'RepoTags that is a string', { 'manifest.json': '[{"Config":"c.json","RepoTags":"app:1","Layers":[]}]' }, 'manifest.json entry 0: RepoTags is not a list of strings'],
    ['docker-archive', 'RepoTags holding a number', { 'manifest.json': '[{"Config":"c.json","RepoTags":[1],"Layers":[]}]' }, 'manifest.json entry 0: RepoTags is not a list of strings'],
    ['docker-archive', 'RepoTags holding null', { 'manifest.json': '[{"Config":"c.json","RepoTags":[null],"Layers":[]}]' }, 'manifest.json entry 0: RepoTags is not a list of strings'],
    ['oci-archive', 'an index.json that is null', { 'oci-layout': LAYOUT, 'index.json': 'null' }, 'index.json is not a JSON object'],
    ['oci-archive', 'an index.json that is a list', { 'oci-layout': LAYOUT, 'index.json': '[{"manifests":[]}]' }, 'index.json is not a JSON object'],
  ])('%s with %s is one clear bad input', async (scheme, _what, files, message) => {
    const file = tmpFile(tarOf(files));
    const err = await openSource(parseSource(`${scheme}:${file}:latest`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(`${scheme}:${file}:latest: ${message}`);
  });
});
