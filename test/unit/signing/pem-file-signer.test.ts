import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { BadInputError, NotFoundError } from '../../../lambdas/core/errors';
import { loadPublicKey, verifyEcdsaSha256 } from '../../../lambdas/signing/ecdsa';
import { p256Key, tempDir } from './helpers';

describe('PemFileSigner', () => {
  const dir = tempDir('pem');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('signs with a PKCS#8 P-256 key; the Signature carries the public key PEM and hint', async () => {
    const key = p256Key();
    const file = path.join(dir, 'pkcs8.pem');
    fs.writeFileSync(file, key.privatePem);
    const signer = PemFileSigner.fromFile(file);
    const info = await signer.publicKey();
    expect(info.pem).toBe(key.publicPem);
    expect(info.keyId).toBe(file);
    const data = Buffer.from('data');
    const { signature, key: material } = await signer.sign(data);
    expect(verifyEcdsaSha256(loadPublicKey(info.pem, 'pub'), data, signature)).toBe(true);
    expect(material).toEqual({ $case: 'publicKey', publicKey: info.pem, hint: info.hint });
    // ECDSA is randomised: two signatures over the same bytes differ and both verify.
    const again = await signer.sign(data);
    expect(again.signature.equals(signature)).toBe(false);
  });

  it('says clearly what is wrong with other files', () => {
    const write = (name: string, text: string | Buffer) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    expect(() => PemFileSigner.fromFile(path.join(dir, 'missing.pem'))).toThrow(NotFoundError);
    expect(() => PemFileSigner.fromFile(write('pub.pem', p256Key().publicPem))).toThrow('is a public key; signing needs the private key');
    expect(() => PemFileSigner.fromFile(write('garbage.pem', 'hello'))).toThrow('is not a PEM private key');
    expect(() => PemFileSigner.fromFile(write('cosign.key', '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nxx\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n'))).toThrow(
      'is an encrypted cosign key: it needs its password (COSIGN_PASSWORD)',
    );
    // Encrypted PKCS#8 and legacy OpenSSL (Proc-Type) encryption: one line saying what to do.
    const unsupported = 'encrypted keys of this kind are not supported: decrypt it with openssl pkey first';
    const key = p256Key().privateKey;
    const pkcs8 = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(pkcs8).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(() => PemFileSigner.fromFile(write('enc-pkcs8.pem', pkcs8))).toThrow(unsupported);
    const sec1 = key.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(sec1).toContain('Proc-Type: 4,ENCRYPTED');
    expect(() => PemFileSigner.fromFile(write('enc-sec1.pem', sec1))).toThrow(unsupported);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => PemFileSigner.fromFile(write('p384.pem', p384))).toThrow(BadInputError);
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => PemFileSigner.fromFile(write('ed.pem', ed))).toThrow('is a ed25519 key');
  });
});
