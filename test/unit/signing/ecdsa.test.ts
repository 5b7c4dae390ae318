import { createHash, generateKeyPairSync } from 'node:crypto';
import { decodeStdBase64, isDerEcdsaSignature, loadPublicKey, publicKeyHint, verifyEcdsaSha256 } from '../../../lambdas/signing/ecdsa';
import { derSign, p256Key } from './helpers';

describe('ECDSA P-256 helpers', () => {
  const key = p256Key();
  const data = Buffer.from('payload');
  const sig = derSign(key, data);

  it('verifies a DER signature over SHA-256(data) and nothing else', () => {
    expect(isDerEcdsaSignature(sig)).toBe(true);
    expect(verifyEcdsaSha256(key.publicKey, data, sig)).toBe(true);
    expect(verifyEcdsaSha256(key.publicKey, Buffer.from('payloaD'), sig)).toBe(false);
    expect(verifyEcdsaSha256(p256Key().publicKey, data, sig)).toBe(false);
  });

  it('rejects truncated, padded and raw r||s signatures as non-DER', () => {
    expect(isDerEcdsaSignature(sig.subarray(0, sig.length - 1))).toBe(false);
    expect(isDerEcdsaSignature(Buffer.concat([sig, Buffer.from([0])]))).toBe(false);
    expect(isDerEcdsaSignature(Buffer.alloc(64, 1))).toBe(false);
    expect(isDerEcdsaSignature(Buffer.alloc(0))).toBe(false);
    // Non-minimal INTEGER (leading zero before a byte < 0x80) is BER, not DER.
    expect(isDerEcdsaSignature(Buffer.from('30080202000102020001', 'hex'))).toBe(false);
    expect(isDerEcdsaSignature(Buffer.from('30060201010201ff', 'hex'))).toBe(false); // negative s
    expect(isDerEcdsaSignature(Buffer.from('300602010102017f', 'hex'))).toBe(true);
    expect(verifyEcdsaSha256(key.publicKey, data, sig.subarray(0, 40))).toBe(false);
  });

  it('decodes only standard, padded base64', () => {
    expect(decodeStdBase64(sig.toString('base64'))?.equals(sig)).toBe(true);
    expect(decodeStdBase64('')?.length).toBe(0);
    expect(decodeStdBase64('YWJj')?.toString()).toBe('abc');
    expect(decodeStdBase64('YWI')).toBeUndefined();
    expect(decodeStdBase64('YW_-')).toBeUndefined();
    expect(decodeStdBase64('YW Jj')).toBeUndefined();
  });

  it('loads P-256 public keys from SPKI or private PEM and names other key types', () => {
    expect(publicKeyHint(loadPublicKey(key.publicPem, 'k'))).toBe(publicKeyHint(key.publicKey));
    expect(publicKeyHint(loadPublicKey(key.privatePem, 'k'))).toBe(publicKeyHint(key.publicKey));
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => loadPublicKey(p384, 'p384.pub')).toThrow('p384.pub is a ec secp384r1 key; cosign-compatible signing here uses ECDSA P-256');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => loadPublicKey(rsa, 'rsa.pub')).toThrow('rsa.pub is a rsa key');
    expect(() => loadPublicKey('not a key', 'x.pub')).toThrow('x.pub is not a PEM public key');
  });

  it('computes the key hint as base64(SHA-256(DER SPKI))', () => {
    const der = key.publicKey.export({ type: 'spki', format: 'der' });
    expect(publicKeyHint(key.publicKey)).toBe(createHash('sha256').update(der).digest('base64'));
  });
});
