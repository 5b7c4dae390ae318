import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HmacFileKey } from '../../../lambdas/adapters/local/hmac-file-key';
import { BadInputError } from '../../../lambdas/core/errors';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-hmac-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('HmacFileKey', () => {
  it('makes a 32-byte key (64 hex, mode 0600) on first use only, and MACs with HMAC-SHA256', async () => {
    const file = path.join(dir, 'home', 'cache-mac.key');
    const key = new HmacFileKey(file);
    expect(fs.existsSync(file)).toBe(false);
    const mac = await key.mac(Buffer.from('catalog'));
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(mac).toBe(createHmac('sha256', Buffer.from(text.trim(), 'hex')).update('catalog').digest('hex'));
  });

  it('another instance on the same file uses the same key; another file is another key', async () => {
    const file = path.join(dir, 'cache-mac.key');
    const mac = await new HmacFileKey(file).mac(Buffer.from('x'));
    expect(await new HmacFileKey(file).verify(Buffer.from('x'), mac)).toBe(true);
    expect(await new HmacFileKey(path.join(dir, 'other.key')).verify(Buffer.from('x'), mac)).toBe(false);
  });

  it('does not verify other bytes, a changed MAC or a malformed one', async () => {
    const key = new HmacFileKey(path.join(dir, 'k'));
    const mac = await key.mac(Buffer.from('x'));
    expect(await key.verify(Buffer.from('y'), mac)).toBe(false);
    expect(await key.verify(Buffer.from('x'), `${mac.slice(0, 63)}${mac[63] === '0' ? '1' : '0'}`)).toBe(false);
    expect(await key.verify(Buffer.from('x'), mac.toUpperCase())).toBe(false);
    expect(await key.verify(Buffer.from('x'), mac.slice(0, 32))).toBe(false);
  });

  it('rejects (never throws at the call) when the key file is not a key', async () => {
    const file = path.join(dir, 'k');
    fs.writeFileSync(file, 'not a key\n');
    const pending = new HmacFileKey(file).mac(Buffer.from('x'));
    await expect(pending).rejects.toThrow(BadInputError);
    await expect(new HmacFileKey(file).verify(Buffer.from('x'), 'ab'.repeat(32))).rejects.toThrow(`${file}: not a layer-cache MAC key`);
  });
});
