import type { KeyObject } from 'node:crypto';
import { randomBytes, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';

/**
 * Writes a key in cosign's encrypted format, built here from the format's description
 * (go-securesystemslib `encrypted`, cosign `pkg/cosign/keys.go`) rather than by the code under
 * test: scrypt(password, 32-byte salt, N, r, p) → 32-byte secretbox key; a random 24-byte nonce
 * kept beside the ciphertext; secretbox(PKCS#8 DER) = 16-byte tag then the enciphered key;
 * standard base64 in JSON; a PEM block with 64-character lines, as Go's pem.Encode writes it.
 */
export interface CosignKeyOptions {
  /** cosign since mid-2023 writes N=65536 (go-securesystemslib Standard); before, 32768. */
  readonly N?: number;
  readonly r?: number;
  readonly p?: number;
  readonly label?: 'ENCRYPTED SIGSTORE PRIVATE KEY' | 'ENCRYPTED COSIGN PRIVATE KEY';
  /** Change the document after encrypting (tests of hostile or damaged files). */
  readonly edit?: (doc: CosignKeyDocument) => void;
}

export interface CosignKeyDocument {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

export function cosignKeyDocument(plaintext: Buffer, password: string, opts: CosignKeyOptions = {}): CosignKeyDocument {
  const params = { N: opts.N ?? 65536, r: opts.r ?? 8, p: opts.p ?? 1 };
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(password, salt, 32, { ...params, maxmem: 256 * 1024 * 1024 });
  const sealed = nacl.secretbox(new Uint8Array(plaintext), new Uint8Array(nonce), new Uint8Array(key));
  return {
    kdf: { name: 'scrypt', params, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  };
}

export function pemBlock(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function cosignKeyPem(privateKey: KeyObject, password: string, opts: CosignKeyOptions = {}): string {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const doc = cosignKeyDocument(der, password, opts);
  opts.edit?.(doc);
  return pemBlock(opts.label ?? 'ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(JSON.stringify(doc)));
}
