import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { BadInputError } from '../core/errors';

/**
 * ECDSA P-256 / SHA-256 with ASN.1 DER signatures: the only scheme a KMS ECC_NIST_P256 key,
 * cosign with such a key and containers/image's sigstoreSigned policy have in common.
 */

/** A P-256 public key from PEM (SPKI, a certificate, or a private key whose public half we take). */
export function loadPublicKey(pem: string | Buffer, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new BadInputError(`${what} is not a PEM public key`);
  }
  return assertP256(key, what);
}

/** A public key from DER SubjectPublicKeyInfo (what KMS GetPublicKey returns). */
export function publicKeyFromSpki(der: Uint8Array, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    throw new BadInputError(`${what} is not a DER SubjectPublicKeyInfo`);
  }
  return assertP256(key, what);
}

export function assertP256(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new BadInputError(`${what} is a ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` ${curve}` : ''} key; cosign-compatible signing here uses ECDSA P-256`);
  }
  return key;
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** base64(SHA-256(DER SPKI)): the hint cosign and sigstore-go use to name a public key. */
export function publicKeyHint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64');
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** One INTEGER of an ECDSA signature: minimal, non-negative, at most 33 bytes for P-256. */
function skipInteger(sig: Buffer, pos: number): number | undefined {
  if (sig[pos] !== 0x02) return undefined;
  const len = sig[pos + 1];
  if (len === undefined || len === 0 || len > 33) return undefined;
  const start = pos + 2;
  const end = start + len;
  if (end > sig.length) return undefined;
  const first = sig[start] as number;
  if (first & 0x80) return undefined;
  if (first === 0 && len > 1 && !((sig[start + 1] as number) & 0x80)) return undefined;
  return end;
}

/**
 * True when `sig` is exactly `SEQUENCE { INTEGER r, INTEGER s }` in DER. Checked before the
 * cryptography so that a truncated or raw r||s signature is reported as what it is.
 */
export function isDerEcdsaSignature(sig: Buffer): boolean {
  if (sig.length < 8 || sig[0] !== 0x30) return false;
  const len = sig[1] as number;
  if (len >= 0x80 || len !== sig.length - 2) return false;
  const afterR = skipInteger(sig, 2);
  if (afterR === undefined) return false;
  return skipInteger(sig, afterR) === sig.length;
}

/** ECDSA over SHA-256(data). Never throws on hostile input: a bad signature is just false. */
export function verifyEcdsaSha256(key: KeyObject, data: Buffer, derSignature: Buffer): boolean {
  if (!isDerEcdsaSignature(derSignature)) return false;
  try {
    return verify('sha256', data, { key, dsaEncoding: 'der' }, derSignature);
  } catch {
    return false;
  }
}

const STD_BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding, as Go's base64.StdEncoding wants; undefined when it is not. */
export function decodeStdBase64(text: string): Buffer | undefined {
  if (!STD_BASE64_RE.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
