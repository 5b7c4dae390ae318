import { createHash } from 'node:crypto';
import { IntegrityError } from '../core/errors';
import type { KeyedSigner, PublicKeyInfo, Signature } from '../ports/signer';

/**
 * Signatures made ahead by the function that holds the key, handed to the function that
 * publishes them (which holds none). Keyed by SHA-256 of the exact bytes signed: the DSSE PAE of
 * a statement, or a simple-signing payload.
 */
export interface PresignedPayloads {
  readonly key: PublicKeyInfo;
  readonly signatures: readonly PresignedSignature[];
}

export interface PresignedSignature {
  /** Hex SHA-256 of the bytes signed. */
  readonly sha256: string;
  /** Base64 DER ECDSA signature over SHA-256(those bytes). */
  readonly signature: string;
}

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Signs through a real signer and keeps what it signed, for a {@link PresignedSigner} elsewhere.
 * The same bytes are signed once.
 */
export class RecordingSigner implements KeyedSigner {
  private readonly made = new Map<string, string>();

  constructor(private readonly inner: KeyedSigner) {}

  publicKey(): Promise<PublicKeyInfo> {
    return this.inner.publicKey();
  }

  async sign(data: Buffer): Promise<Signature> {
    const result = await this.inner.sign(data);
    this.made.set(sha256Hex(data), result.signature.toString('base64'));
    return result;
  }

  async signOnce(data: Buffer): Promise<void> {
    if (!this.made.has(sha256Hex(data))) await this.sign(data);
  }

  async presigned(): Promise<PresignedPayloads> {
    return { key: await this.inner.publicKey(), signatures: [...this.made].map(([sha256, signature]) => ({ sha256, signature })) };
  }
}

/**
 * A signer without a key: it answers only for bytes the key holder signed ahead, and refuses
 * anything else. The publishing code (attach, push) runs unchanged on top of it; whatever it
 * would sign beyond what was approved fails the run instead of reaching a key.
 */
export class PresignedSigner implements KeyedSigner {
  private readonly bySha = new Map<string, Buffer>();

  constructor(private readonly payloads: PresignedPayloads) {
    for (const s of payloads.signatures) this.bySha.set(s.sha256, Buffer.from(s.signature, 'base64'));
  }

  publicKey(): Promise<PublicKeyInfo> {
    return Promise.resolve(this.payloads.key);
  }

  sign(data: Buffer): Promise<Signature> {
    const signature = this.bySha.get(sha256Hex(data));
    if (!signature) return Promise.reject(new IntegrityError(`the signer did not sign these bytes (sha256 ${sha256Hex(data)}): nothing but what it built and signed is published`));
    return Promise.resolve({ signature, key: { $case: 'publicKey', publicKey: this.payloads.key.pem, hint: this.payloads.key.hint } });
  }
}
