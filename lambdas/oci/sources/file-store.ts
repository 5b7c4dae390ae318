import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { BadInputError, NotFoundError } from '../../core/errors';
import type { TarEntryLocation } from './tar-index';
import { indexTar } from './tar-index';

/** Read access to the files of an OCI layout, whether a directory or a tar archive. */
export interface FileStore {
  readonly display: string;
  exists(rel: string): boolean;
  size(rel: string): number;
  open(rel: string): Readable;
  read(rel: string, maxBytes: number): Promise<Buffer>;
}

async function readStream(stream: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > max) {
      stream.destroy();
      throw new BadInputError(`${what} is more than the ${max} bytes allowed`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Paths inside a layout come from its own JSON: keep them inside the layout root. */
function safeRelative(rel: string): string {
  const norm = path.posix.normalize(rel.replace(/^\.\//, ''));
  if (norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm)) {
    throw new BadInputError(`path "${rel}" escapes the archive or layout`);
  }
  return norm;
}

export class DirFileStore implements FileStore {
  constructor(readonly root: string) {}
  get display(): string {
    return this.root;
  }
  private full(rel: string): string {
    return path.join(this.root, safeRelative(rel));
  }
  exists(rel: string): boolean {
    return fs.existsSync(this.full(rel));
  }
  size(rel: string): number {
    return fs.statSync(this.full(rel)).size;
  }
  open(rel: string): Readable {
    if (!this.exists(rel)) throw new NotFoundError(`${rel} not found in ${this.root}`);
    return fs.createReadStream(this.full(rel), { highWaterMark: 1024 * 1024 });
  }
  read(rel: string, maxBytes: number): Promise<Buffer> {
    if (!this.exists(rel)) throw new NotFoundError(`${rel} not found in ${this.root}`);
    return readStream(this.open(rel), maxBytes, rel);
  }
  /** Atomic write (temp file + rename), so a crash never leaves a half-written blob or index. */
  write(rel: string, bytes: Buffer): void {
    const target = this.full(rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 8)}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, target);
  }
}

export class TarFileStore implements FileStore {
  private constructor(
    readonly file: string,
    private readonly entries: Map<string, TarEntryLocation>,
  ) {}

  static async open(file: string): Promise<TarFileStore> {
    if (!fs.existsSync(file)) throw new NotFoundError(`archive ${file} not found`);
    const head = Buffer.alloc(4);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head[0] === 0x1f && head[1] === 0x8b) {
      throw new BadInputError(`archive ${file} is gzip-compressed: decompress it first (gunzip), archives are read by offset`);
    }
    return new TarFileStore(file, await indexTar(file));
  }

  get display(): string {
    return this.file;
  }
  private entry(rel: string): TarEntryLocation {
    const e = this.entries.get(safeRelative(rel));
    if (!e) throw new NotFoundError(`${rel} not found in archive ${this.file}`);
    return e;
  }
  exists(rel: string): boolean {
    return this.entries.has(safeRelative(rel));
  }
  size(rel: string): number {
    return this.entry(rel).size;
  }
  open(rel: string): Readable {
    const e = this.entry(rel);
    if (e.size === 0) return fs.createReadStream(this.file, { start: 1, end: 0 });
    return fs.createReadStream(this.file, { start: e.offset, end: e.offset + e.size - 1, highWaterMark: 1024 * 1024 });
  }
  read(rel: string, maxBytes: number): Promise<Buffer> {
    return readStream(this.open(rel), maxBytes, rel);
  }
}
