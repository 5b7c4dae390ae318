import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The local development signing key: an EC P-256 PKCS#8 key generated once (mode 0600) with
 * its public key beside it, so local runs sign without a KMS key. Never for production.
 */
export function ensureDevKey(file: string): { privateKeyFile: string; publicKeyFile: string; created: boolean } {
  const publicKeyFile = file.replace(/\.pem$/, '.pub');
  if (fs.existsSync(file)) return { privateKeyFile: file, publicKeyFile, created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  fs.writeFileSync(file, privateKey, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicKeyFile, publicKey, { mode: 0o644 });
  return { privateKeyFile: file, publicKeyFile, created: true };
}
