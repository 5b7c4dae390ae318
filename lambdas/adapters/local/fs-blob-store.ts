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

  async put(key: string, body: Buffer): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, file);
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
