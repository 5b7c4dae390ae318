import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { BadInputError } from '../../core/errors';
import type { KeyedSigner, PublicKeyInfo, Signature } from '../../ports/signer';
import { isCosignEncryptedKey } from './cosign-key';
import { readUserFile } from './read-user-file';
import { assertP256, publicKeyHint, publicKeyPem } from '../../signing/ecdsa';

/**
 * A local signer over an EC P-256 private key: an unencrypted PEM, PKCS#8 (`BEGIN PRIVATE KEY`,
 * `openssl genpkey`) or SEC1 (`BEGIN EC PRIVATE KEY`, `openssl ecparam -genkey`), or a key the
 * caller decrypted (a cosign key: see cosign-key.ts).
 */
export class PemFileSigner implements KeyedSigner {
  private readonly info: PublicKeyInfo;

  private constructor(
    private readonly privateKey: KeyObject,
    keyId: string,
  ) {
    const pub = createPublicKey(privateKey);
    this.info = { pem: publicKeyPem(pub), hint: publicKeyHint(pub), keyId };
  }

  static fromPem(pem: string | Buffer, keyId: string): PemFileSigner {
    const text = pem.toString();
    if (isCosignEncryptedKey(text)) throw new BadInputError(`${keyId} is an encrypted cosign key: it needs its password (COSIGN_PASSWORD)`);
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(text)) {
      throw new BadInputError(`${keyId}: encrypted keys of this kind are not supported: decrypt it with openssl pkey first (openssl pkey -in ${keyId} -out key.pem)`);
    }
    if (/-----BEGIN PUBLIC KEY-----/.test(text)) throw new BadInputError(`${keyId} is a public key; signing needs the private key`);
    let key: KeyObject;
    try {
      key = createPrivateKey(text);
    } catch {
      throw new BadInputError(`${keyId} is not a PEM private key`);
    }
    return PemFileSigner.fromKeyObject(key, keyId);
  }

  /** A private key already loaded (and decrypted); it must be EC P-256. */
  static fromKeyObject(key: KeyObject, keyId: string): PemFileSigner {
    if (key.type !== 'private') throw new BadInputError(`${keyId} is not a private key`);
    assertP256(key, keyId);
    return new PemFileSigner(key, keyId);
  }

  static fromFile(path: string): PemFileSigner {
    return PemFileSigner.fromPem(readUserFile(path, 'key file'), path);
  }

  async publicKey(): Promise<PublicKeyInfo> {
    return this.info;
  }

  async sign(data: Buffer): Promise<Signature> {
    const signature = sign('sha256', data, { key: this.privateKey, dsaEncoding: 'der' });
    return { signature, key: { $case: 'publicKey', publicKey: this.info.pem, hint: this.info.hint } };
  }
}
