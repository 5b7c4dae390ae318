import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsBlobStore } from '../../../lambdas/adapters/local/fs-blob-store';
import { IntegrityError, NotFoundError } from '../../../lambdas/core/errors';
import { readVerified, writeOnce } from '../../../lambdas/ports/write-once';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-blobs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('FsBlobStore', () => {
  it('creates a key once and leaves it untouched afterwards', async () => {
    const store = new FsBlobStore(dir);
    expect(await store.putIfAbsent('evidence/a/b.json', Buffer.from('first'), 'application/json')).toBe('created');
    expect(await store.putIfAbsent('evidence/a/b.json', Buffer.from('second'), 'application/json')).toBe('exists');
    expect((await store.get('evidence/a/b.json'))?.toString()).toBe('first');
    expect(fs.readdirSync(path.join(dir, 'evidence', 'a'))).toEqual(['b.json']);
  });

  it('lets two writers of one cache key race without a collision (unique temporary names)', async () => {
    const store = new FsBlobStore(dir);
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.put('layer-cache/same', Buffer.from(`writer ${i}`), 'application/json')));
    expect((await store.get('layer-cache/same'))?.toString()).toMatch(/^writer \d$/);
    expect(fs.readdirSync(path.join(dir, 'layer-cache'))).toEqual(['same']);
  });

  it('reads evidence back only when it is what was written', async () => {
    const store = new FsBlobStore(dir);
    const doc = await writeOnce(store, 'evidence/r.json', Buffer.from('{"ok":true}'), 'application/json');
    expect((await readVerified(store, doc)).toString()).toBe('{"ok":true}');
    fs.chmodSync(store.location(doc.key), 0o644);
    fs.writeFileSync(store.location(doc.key), '{"ok":false}');
    await expect(readVerified(store, doc)).rejects.toThrow(IntegrityError);
    await expect(readVerified(store, { key: 'evidence/none.json', sha256: doc.sha256 })).rejects.toThrow(NotFoundError);
  });
});
