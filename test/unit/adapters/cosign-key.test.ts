import { generateKeyPairSync } from 'node:crypto';
import { decryptCosignKey, isCosignEncryptedKey, MAX_SCRYPT_MEMORY, openEncryptedJson } from '../../../lambdas/adapters/local/cosign-key';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { BadInputError, LimitExceededError } from '../../../lambdas/core/errors';
import { loadPublicKey, verifyEcdsaSha256 } from '../../../lambdas/signing/ecdsa';
import { cosignKeyDocument, cosignKeyPem, pemBlock } from '../../support/cosign-key';
import { p256Key } from '../signing/helpers';

/**
 * Interoperability vectors published with the reference implementation
 * (go-securesystemslib encrypted/encrypted_test.go): the plaintext "reallyimportant" under the
 * password "supersecret" at the Legacy (N=2^15) and Standard (N=2^16, cosign's current) levels.
 * They pin what no self-made round trip can: the scrypt key is the secretbox key, the nonce is
 * stored apart, the tag comes first.
 */
const GO_VECTORS = {
  legacy:
    '{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g="},"cipher":{"name":"nacl/secretbox","nonce":"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik"},"ciphertext":"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ=="}',
  // Marshal()ed, so the plaintext is the JSON string of base64("reallyimportant").
  standard:
    '{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs="},"cipher":{"name":"nacl/secretbox","nonce":"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE"},"ciphertext":"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8="}',
};

describe('cosign encrypted keys', () => {
  it('opens the reference implementation\'s vectors with the parameters stored in them', async () => {
    expect((await openEncryptedJson(Buffer.from(GO_VECTORS.legacy), 'supersecret', 'v')).toString()).toBe('reallyimportant');
    const standard = await openEncryptedJson(Buffer.from(GO_VECTORS.standard), 'supersecret', 'v');
    expect(Buffer.from(JSON.parse(standard.toString()) as string, 'base64').toString()).toBe('reallyimportant');
    await expect(openEncryptedJson(Buffer.from(GO_VECTORS.legacy), 'supersecreT', 'v')).rejects.toThrow(new BadInputError('wrong password for cosign key v (or the key file was altered)'));
  });

  it('decrypts a P-256 key written with the published parameters, under both PEM labels; the key signs', async () => {
    const key = p256Key();
    for (const [label, N] of [['ENCRYPTED SIGSTORE PRIVATE KEY', 65536], ['ENCRYPTED COSIGN PRIVATE KEY', 32768]] as const) {
      const pem = cosignKeyPem(key.privateKey, 'correct horse', { label, N });
      expect(isCosignEncryptedKey(pem)).toBe(true);
      const signer = PemFileSigner.fromKeyObject(await decryptCosignKey(pem, 'correct horse', 'cosign.key'), 'cosign.key');
      expect((await signer.publicKey()).pem).toBe(key.publicPem);
      const { signature } = await signer.sign(Buffer.from('payload'));
      expect(verifyEcdsaSha256(loadPublicKey(key.publicPem, 'pub'), Buffer.from('payload'), signature)).toBe(true);
    }
    // cosign allows an empty password (COSIGN_PASSWORD=""), and so does the format.
    const empty = cosignKeyPem(key.privateKey, '', { N: 32768 });
    expect((await decryptCosignKey(empty, '', 'k')).asymmetricKeyType).toBe('ec');
  });

  it('a wrong password or an altered file is one clear error', async () => {
    const key = p256Key();
    const pem = cosignKeyPem(key.privateKey, 'right', { N: 32768 });
    await expect(decryptCosignKey(pem, 'wrong', 'cosign.key')).rejects.toThrow(new BadInputError('wrong password for cosign key cosign.key (or the key file was altered)'));
    const flipped = cosignKeyPem(key.privateKey, 'right', {
      N: 32768,
      edit: (doc) => {
        const c = Buffer.from(doc.ciphertext, 'base64');
        c[c.length - 1]! ^= 1;
        doc.ciphertext = c.toString('base64');
      },
    });
    await expect(decryptCosignKey(flipped, 'right', 'cosign.key')).rejects.toThrow('wrong password for cosign key cosign.key');
  });

  it('refuses parameters that would take more than the memory bound before deriving anything', async () => {
    const key = p256Key().privateKey;
    const hostile = [
      cosignKeyPem(key, 'pw', { N: 32768, edit: (doc) => (doc.kdf.params.N = 2 ** 30) }),
      cosignKeyPem(key, 'pw', { N: 32768, edit: (doc) => (doc.kdf.params.r = 4096) }),
      cosignKeyPem(key, 'pw', { N: 32768, edit: (doc) => (doc.kdf.params.p = 1 << 20) }),
    ];
    const started = Date.now();
    for (const pem of hostile) {
      await expect(decryptCosignKey(pem, 'pw', 'evil.key')).rejects.toThrow(LimitExceededError);
      await expect(decryptCosignKey(pem, 'pw', 'evil.key')).rejects.toThrow(/^evil\.key: scrypt parameters .* refusing to derive the key/);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect(128 * 2 ** 17 * 8).toBeLessThanOrEqual(MAX_SCRYPT_MEMORY); // the OWASP level is readable
  });

  it('says what is wrong with malformed documents', async () => {
    const key = p256Key().privateKey;
    const cases: [Parameters<typeof cosignKeyPem>[2], RegExp][] = [
      [{ N: 32768, edit: (d) => (d.kdf.name = 'pbkdf2') }, /unsupported key derivation "pbkdf2"/],
      [{ N: 32768, edit: (d) => (d.cipher.name = 'aes-gcm') }, /unsupported cipher "aes-gcm"/],
      [{ N: 32768, edit: (d) => (d.kdf.params.N = 1000) }, /must be a power of two/],
      [{ N: 32768, edit: (d) => (d.cipher.nonce = Buffer.alloc(12).toString('base64')) }, /the nonce is 12 bytes, not 24/],
      [{ N: 32768, edit: (d) => (d.ciphertext = 'not base64!') }, /the ciphertext is not base64/],
    ];
    for (const [opts, message] of cases) await expect(decryptCosignKey(cosignKeyPem(key, 'pw', opts), 'pw', 'k')).rejects.toThrow(message);
    await expect(decryptCosignKey(pemBlock('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from('{')), 'pw', 'k')).rejects.toThrow('its PEM body is not JSON');
    // A secretbox that opens but does not hold a PKCS#8 key.
    const notAKey = pemBlock('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(JSON.stringify(cosignKeyDocument(Buffer.from('hello'), 'pw', { N: 32768 }))));
    await expect(decryptCosignKey(notAKey, 'pw', 'k')).rejects.toThrow('the decrypted cosign key is not a PKCS#8 private key');
    // An Ed25519 cosign key decrypts, and the signer says why it cannot use it.
    const ed = cosignKeyPem(generateKeyPairSync('ed25519').privateKey, 'pw', { N: 32768 });
    const edKey = await decryptCosignKey(ed, 'pw', 'ed.key');
    expect(() => PemFileSigner.fromKeyObject(edKey, 'ed.key')).toThrow('ed.key is a ed25519 key; cosign-compatible signing here uses ECDSA P-256');
  });
});
