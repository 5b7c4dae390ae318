import type { KeyObject } from 'node:crypto';
import { createPrivateKey, scrypt } from 'node:crypto';
import nacl from 'tweetnacl';
import { BadInputError, LimitExceededError } from '../../core/errors';

/**
 * cosign's encrypted private key (`cosign generate-key-pair`): a PEM block
 * `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign: `ENCRYPTED COSIGN PRIVATE KEY`) whose body is
 * the JSON of go-securesystemslib's `encrypted` package:
 *
 *   {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<32 bytes>"},
 *    "cipher":{"name":"nacl/secretbox","nonce":"<24 bytes>"},"ciphertext":"<…>"}
 *
 * (byte strings in standard padded base64, as Go encodes []byte). The secretbox key is the 32
 * bytes scrypt derives from the password and salt with the stored N, r, p; the nonce is the
 * stored 24 bytes, not part of the ciphertext; the ciphertext is NaCl secretbox's output, the
 * 16-byte Poly1305 tag then the XSalsa20 stream-enciphered plaintext, a PKCS#8 DER private key.
 * cosign writes N=2^16 (2^15 before mid-2023, 2^17 is the third level Go accepts), r=8, p=1.
 */

export const COSIGN_KEY_PEM = /-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----\r?\n([\s\S]*?)-----END \1-----/;

/** Enough for the published levels and some headroom; a hostile file cannot ask for more. */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
/** 128·N·r·p bounds the time scrypt takes (the OWASP level is 128 MiB of it). */
const MAX_SCRYPT_WORK = 1024 * 1024 * 1024;
const KEY_BYTES = 32;
const NONCE_BYTES = nacl.secretbox.nonceLength;
const TAG_BYTES = nacl.secretbox.overheadLength;
const MAX_CIPHERTEXT_BYTES = 64 * 1024;
const MAX_SALT_BYTES = 1024;

export function isCosignEncryptedKey(text: string): boolean {
  return COSIGN_KEY_PEM.test(text);
}

function base64Field(value: unknown, what: string, keyId: string): Buffer {
  const s = typeof value === 'string' ? value : '';
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) || s === '') {
    throw new BadInputError(`${keyId} is not a valid cosign key: ${what} is not base64`);
  }
  return Buffer.from(s, 'base64');
}

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

function checkParams(params: unknown, keyId: string): ScryptParams {
  const o = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
  const { N, r, p } = o;
  if (!Number.isSafeInteger(N) || !Number.isSafeInteger(r) || !Number.isSafeInteger(p)) {
    throw new BadInputError(`${keyId} is not a valid cosign key: scrypt parameters N, r and p must be integers`);
  }
  const n = N as number;
  const rr = r as number;
  const pp = p as number;
  if (n < 2 || !Number.isInteger(Math.log2(n)) || rr < 1 || pp < 1) {
    throw new BadInputError(`${keyId} is not a valid cosign key: scrypt N=${n} must be a power of two above 1, r=${rr} and p=${pp} at least 1`);
  }
  if (128 * n * rr > MAX_SCRYPT_MEMORY || 128 * n * rr * pp > MAX_SCRYPT_WORK) {
    throw new LimitExceededError(
      `${keyId}: scrypt parameters N=${n}, r=${rr}, p=${pp} ask for more than ${MAX_SCRYPT_MEMORY / 1024 / 1024} MiB or ${MAX_SCRYPT_WORK / 1024 / 1024 / 1024} GiB of work; refusing to derive the key (cosign writes N=65536, r=8, p=1)`,
    );
  }
  return { N: n, r: rr, p: pp };
}

function deriveKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // OpenSSL's scrypt needs 128·r·(N + p + 2) bytes; maxmem must allow it.
  const maxmem = 128 * params.r * (params.N + params.p + 2) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Opens go-securesystemslib's `encrypted` JSON (the body of a cosign key) with `password`: the
 * scrypt parameters stored in it are used, within MAX_SCRYPT_MEMORY. A wrong password (or an
 * altered document: secretbox authenticates it) is one BadInputError line.
 */
export async function openEncryptedJson(json: Buffer, password: string, keyId: string): Promise<Buffer> {
  let doc: { kdf?: { name?: unknown; params?: unknown; salt?: unknown }; cipher?: { name?: unknown; nonce?: unknown }; ciphertext?: unknown };
  try {
    doc = JSON.parse(json.toString('utf8')) as typeof doc;
  } catch {
    throw new BadInputError(`${keyId} is not a valid cosign key: its PEM body is not JSON`);
  }
  if (!doc || typeof doc !== 'object') throw new BadInputError(`${keyId} is not a valid cosign key: its PEM body is not a JSON object`);
  if (doc.kdf?.name !== 'scrypt') throw new BadInputError(`${keyId}: unsupported key derivation ${JSON.stringify(doc.kdf?.name ?? null)} (cosign keys use scrypt)`);
  if (doc.cipher?.name !== 'nacl/secretbox') throw new BadInputError(`${keyId}: unsupported cipher ${JSON.stringify(doc.cipher?.name ?? null)} (cosign keys use nacl/secretbox)`);
  const params = checkParams(doc.kdf.params, keyId);
  const salt = base64Field(doc.kdf.salt, 'the salt', keyId);
  const nonce = base64Field(doc.cipher.nonce, 'the nonce', keyId);
  const ciphertext = base64Field(doc.ciphertext, 'the ciphertext', keyId);
  if (salt.length > MAX_SALT_BYTES) throw new BadInputError(`${keyId} is not a valid cosign key: a ${salt.length}-byte salt`);
  if (nonce.length !== NONCE_BYTES) throw new BadInputError(`${keyId} is not a valid cosign key: the nonce is ${nonce.length} bytes, not ${NONCE_BYTES}`);
  if (ciphertext.length < TAG_BYTES || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
    throw new BadInputError(`${keyId} is not a valid cosign key: a ${ciphertext.length}-byte ciphertext`);
  }
  const key = await deriveKey(password, salt, params);
  const plaintext = nacl.secretbox.open(new Uint8Array(ciphertext), new Uint8Array(nonce), new Uint8Array(key));
  key.fill(0);
  if (!plaintext) throw new BadInputError(`wrong password for cosign key ${keyId} (or the key file was altered)`);
  return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
}

/** The private key of a cosign encrypted key file (PEM text), decrypted with `password`. */
export async function decryptCosignKey(pem: string, password: string, keyId: string): Promise<KeyObject> {
  const block = COSIGN_KEY_PEM.exec(pem);
  if (!block) throw new BadInputError(`${keyId} is not a cosign encrypted private key`);
  const der = await openEncryptedJson(base64Field((block[2] ?? '').replace(/\s+/g, ''), 'the PEM body', keyId), password, keyId);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new BadInputError(`${keyId}: the decrypted cosign key is not a PKCS#8 private key`);
  } finally {
    der.fill(0);
  }
}
