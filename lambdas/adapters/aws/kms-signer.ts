import type { KMSClientConfig } from '@aws-sdk/client-kms';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { BadInputError, UnavailableError } from '../../core/errors';
import type { KeyedSigner, PublicKeyInfo, Signature } from '../../ports/signer';
import { publicKeyFromSpki, publicKeyHint, publicKeyPem, sha256 } from '../../signing/ecdsa';
import type { KeyRef } from '../../signing/key-ref';
import { kmsError } from './kms-errors';

const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * Signs with an AWS KMS ECC_NIST_P256 key as sigstore's awskms signer does: SHA-256 computed
 * here, `Sign` with `MessageType: DIGEST` (KMS would otherwise hash again, and RAW caps the
 * message at 4 KiB), `ECDSA_SHA_256`; KMS returns a DER signature. The public key comes from
 * `GetPublicKey` (DER SPKI), fetched once per signer.
 */
export class KmsSigner implements KeyedSigner {
  private info?: Promise<PublicKeyInfo>;

  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  publicKey(): Promise<PublicKeyInfo> {
    // Cached for the signer's life; a failed lookup is not cached, so the next call tries again.
    this.info ??= this.fetchPublicKey().catch((err: unknown) => {
      this.info = undefined;
      throw err;
    });
    return this.info;
  }

  private async fetchPublicKey(): Promise<PublicKeyInfo> {
    let res;
    try {
      res = await this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
    } catch (err) {
      throw kmsError(err, 'GetPublicKey', this.keyId);
    }
    if (res.KeyUsage && res.KeyUsage !== 'SIGN_VERIFY') throw new BadInputError(`KMS key ${this.keyId} has usage ${res.KeyUsage}, not SIGN_VERIFY`);
    if (res.KeySpec && res.KeySpec !== 'ECC_NIST_P256') throw new BadInputError(`KMS key ${this.keyId} is ${res.KeySpec}; cosign-compatible signing here needs ECC_NIST_P256`);
    if (res.SigningAlgorithms && !res.SigningAlgorithms.includes(SIGNING_ALGORITHM)) {
      throw new BadInputError(`KMS key ${this.keyId} does not offer ${SIGNING_ALGORITHM}`);
    }
    if (!res.PublicKey) throw new UnavailableError(`KMS GetPublicKey for ${this.keyId} returned no public key`);
    const key = publicKeyFromSpki(res.PublicKey, `public key of KMS key ${this.keyId}`);
    return { pem: publicKeyPem(key), hint: publicKeyHint(key), keyId: res.KeyId ?? this.keyId };
  }

  async sign(data: Buffer): Promise<Signature> {
    const info = await this.publicKey();
    let res;
    try {
      res = await this.client.send(
        new SignCommand({ KeyId: this.keyId, Message: sha256(data), MessageType: 'DIGEST', SigningAlgorithm: SIGNING_ALGORITHM }),
      );
    } catch (err) {
      throw kmsError(err, 'Sign', this.keyId);
    }
    if (!res.Signature) throw new UnavailableError(`KMS Sign for ${this.keyId} returned no signature`);
    return { signature: Buffer.from(res.Signature), key: { $case: 'publicKey', publicKey: info.pem, hint: info.hint } };
  }
}

/**
 * Client settings for a key reference: an endpoint in the reference is reached over HTTPS (as
 * sigstore does); the region comes from the environment, else from the key's ARN.
 */
export function kmsClientConfig(ref: Extract<KeyRef, { kind: 'awskms' }>, env: NodeJS.ProcessEnv = process.env): KMSClientConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? ref.region;
  return { ...(ref.endpoint ? { endpoint: `https://${ref.endpoint}` } : {}), ...(region ? { region } : {}) };
}

export function kmsSignerFor(ref: Extract<KeyRef, { kind: 'awskms' }>): KmsSigner {
  return new KmsSigner(new KMSClient(kmsClientConfig(ref)), ref.keyId);
}
