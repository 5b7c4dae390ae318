import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../../core/errors';
import type { MacKey } from '../../ports/mac-key';

const KEY_BYTES = 32;
const KEY_TEXT = /^([0-9a-f]{64})\s*$/;

/**
 * HMAC-SHA256 with a 32-byte random key kept in a file (64 hex characters, mode 0600), created
 * the first time a MAC is needed: runs that never use the cache (`dir:` sources) write nothing.
 * The key lives apart from what it protects (the local home, not the cache directory), so a
 * cache restored from elsewhere, or written by another user, is re-read rather than trusted.
 */
export class HmacFileKey implements MacKey {
  private key?: Buffer;

  constructor(readonly file: string) {}

  private load(): Buffer {
    if (this.key) return this.key;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      text = this.create();
    }
    const m = KEY_TEXT.exec(text);
    if (!m) throw new BadInputError(`${this.file}: not a layer-cache MAC key (expected 64 hex characters); delete it to have a new one made`);
    this.key = Buffer.from(m[1] as string, 'hex');
    return this.key;
  }

  /** Writes a new key, or returns the one another process wrote first (`wx` never overwrites). */
  private create(): string {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const text = `${randomBytes(KEY_BYTES).toString('hex')}\n`;
    try {
      fs.writeFileSync(this.file, text, { mode: 0o600, flag: 'wx' });
      return text;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(this.file, 'utf8');
      throw err;
    }
  }

  private digest(bytes: Buffer): Buffer {
    return createHmac('sha256', this.load()).update(bytes).digest();
  }

  // async: a key that cannot be read or made rejects the promise rather than throwing at the call.
  async mac(bytes: Buffer): Promise<string> {
    return this.digest(bytes).toString('hex');
  }

  async verify(bytes: Buffer, mac: string): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(mac)) return false;
    return timingSafeEqual(this.digest(bytes), Buffer.from(mac, 'hex'));
  }
}
