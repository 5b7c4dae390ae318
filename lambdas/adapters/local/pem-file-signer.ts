import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { BadInputError } from '../../core/errors';
import type { KeyedSigner, PublicKeyInfo, Signature } from '../../ports/signer';
import { readUserFile } from './read-user-file';
import { assertP256, publicKeyHint, publicKeyPem } from '../../signing/ecdsa';

/**
 * A local signer over an unencrypted EC P-256 private key in PEM: PKCS#8 (`BEGIN PRIVATE KEY`,
 * `openssl genpkey`) or SEC1 (`BEGIN EC PRIVATE KEY`, `openssl ecparam -genkey`).
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
    if (/-----BEGIN (ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY|ENCRYPTED PRIVATE KEY)-----/.test(text)) {
      throw new BadInputError(`${keyId} is an encrypted private key; give an unencrypted PKCS#8 EC P-256 key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)`);
    }
    if (/-----BEGIN PUBLIC KEY-----/.test(text)) throw new BadInputError(`${keyId} is a public key; signing needs the private key`);
    let key: KeyObject;
    try {
      key = createPrivateKey(text);
    } catch {
      throw new BadInputError(`${keyId} is not a PEM private key`);
    }
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
