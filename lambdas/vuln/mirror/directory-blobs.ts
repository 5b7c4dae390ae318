import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BadInputError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';

/**
 * A mirror directory read as a BlobStore (`scan --osv-dir MIRROR`): reads only, as the offline
 * loaders read OSV directories. The sync writes through the local FsBlobStore adapter.
 */
export class DirectoryBlobs implements BlobStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    const norm = path.posix.normalize(key);
    if (norm.startsWith('..') || path.posix.isAbsolute(norm)) throw new BadInputError(`mirror key "${key}" escapes ${this.root}`);
    return path.join(this.root, ...norm.split('/'));
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

  put(key: string): Promise<void> {
    return Promise.reject(new BadInputError(`${this.file(key)}: the mirror is read-only here`));
  }

  putIfAbsent(key: string): Promise<'created' | 'exists'> {
    return Promise.reject(new BadInputError(`${this.file(key)}: the mirror is read-only here`));
  }
}
