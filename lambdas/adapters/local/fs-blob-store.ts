import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BadInputError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';

/** BlobStore in a local directory: the evidence bucket of local runs. Keys never escape it. */
export class FsBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  private file(key: string): string {
    const norm = path.posix.normalize(key);
    if (norm.startsWith('..') || path.posix.isAbsolute(norm)) throw new BadInputError(`blob key "${key}" escapes the store`);
    return path.join(this.root, ...norm.split('/'));
  }

  async put(key: string, body: Buffer, _contentType?: string): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // A unique temporary name: two writers of one key (two identical layers of an image) must
    // not share it; rename is atomic, so readers see the old or the new file, never half of one.
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, body);
      await fs.rename(tmp, file);
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /** Write-once: the file is written under a temporary name, then linked into place (link fails if the key exists). */
  async putIfAbsent(key: string, body: Buffer, _contentType?: string): Promise<'created' | 'exists'> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, body, { mode: 0o444 });
      await fs.link(tmp, file);
      return 'created';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw err;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  location(key: string): string {
    return this.file(key);
  }
}
