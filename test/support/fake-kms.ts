import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { GenerateMacCommandInput, GetPublicKeyCommandOutput, SignCommandInput, SignCommandOutput, VerifyMacCommandInput } from '@aws-sdk/client-kms';
import { GenerateMacCommand, GetPublicKeyCommand, KMSClient, KMSInvalidMacException, SignCommand, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import type { TestKey } from './test-keys';
import { p256Key } from './test-keys';

/** The signing key's ARN in every answer (as KMS answers with the ARN whatever alias was asked). */
export const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** The HMAC key's ARN. */
export const MAC_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/mac-1234abcd-12ab-34cd-56ef-1234567890ab';

/** KMS answers malformed requests with a ValidationException (an AWS common error, not modelled in the SDK). */
function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationException' });
}

/**
 * A KMS double that does the real work, its answers shaped as in the KMS API reference. It holds
 * two keys:
 * - an ECC_NIST_P256 SIGN_VERIFY key: `Sign` is ECDSA (@noble/curves) over the digest it is given
 *   (MessageType DIGEST, which must be 32 bytes for ECDSA_SHA_256) or over SHA-256 of the message
 *   (RAW, at most 4096 bytes), returning DER as KMS does; `GetPublicKey` returns the key's real DER
 *   SubjectPublicKeyInfo;
 * - an HMAC_256 GENERATE_VERIFY_MAC key: `GenerateMac` is HMAC-SHA256 over the message (1 to 4096
 *   bytes, as KMS), `VerifyMac` recomputes it and answers a mismatch with KMSInvalidMacException.
 * aws-sdk-client-mock stubs every KMSClient of the process: one FakeKms at a time, `close()` after.
 */
export class FakeKms {
  readonly stub: AwsClientStub<KMSClient>;
  /** The HMAC key's secret, so that tests can compute the expected MACs themselves. */
  readonly macSecret = randomBytes(32);
  private noble: NobleDigestSigner | undefined;

  constructor(readonly key: TestKey = p256Key()) {
    this.stub = mockClient(KMSClient);
    this.install();
  }

  /** Back to the double's own behaviour (after a test stubbed a failure). */
  install(): void {
    this.stub.reset();
    this.stub.on(GetPublicKeyCommand).resolves(this.publicKeyResponse());
    this.stub.on(SignCommand).callsFake((input: SignCommandInput) => this.sign(input));
    this.stub.on(GenerateMacCommand).callsFake((input: GenerateMacCommandInput) => ({ KeyId: MAC_KEY_ARN, MacAlgorithm: input.MacAlgorithm, Mac: this.hmac(input) }));
    this.stub.on(VerifyMacCommand).callsFake((input: VerifyMacCommandInput) => {
      const expected = this.hmac(input);
      const given = Buffer.from(input.Mac ?? new Uint8Array());
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new KMSInvalidMacException({ message: 'The MAC is not valid', $metadata: {} });
      return { KeyId: MAC_KEY_ARN, MacValid: true, MacAlgorithm: input.MacAlgorithm };
    });
  }

  publicKeyResponse(): Partial<GetPublicKeyCommandOutput> {
    return {
      KeyId: KEY_ARN,
      PublicKey: new Uint8Array(this.key.publicKey.export({ type: 'spki', format: 'der' })),
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    };
  }

  private async sign(input: SignCommandInput): Promise<Partial<SignCommandOutput>> {
    if (input.SigningAlgorithm !== 'ECDSA_SHA_256') throw validationError(`unsupported SigningAlgorithm ${input.SigningAlgorithm}`);
    const message = input.Message ?? new Uint8Array();
    let digest: Uint8Array;
    if (input.MessageType === 'DIGEST') {
      if (message.length !== 32) throw validationError('Digest is invalid length for algorithm ECDSA_SHA_256.');
      digest = message;
    } else {
      if (message.length > 4096) throw validationError('Message exceeds 4096 bytes');
      digest = createHash('sha256').update(message).digest();
    }
    this.noble ??= new NobleDigestSigner();
    const der = await this.noble.sign(digest, privateScalar(this.key));
    return { KeyId: KEY_ARN, Signature: new Uint8Array(der), SigningAlgorithm: 'ECDSA_SHA_256' };
  }

  private hmac(input: { MacAlgorithm?: string; Message?: Uint8Array }): Buffer {
    if (input.MacAlgorithm !== 'HMAC_SHA_256') throw Object.assign(new Error(`unsupported MacAlgorithm ${input.MacAlgorithm}`), { name: 'InvalidKeyUsageException' });
    const message = input.Message ?? new Uint8Array();
    if (message.length < 1 || message.length > 4096) throw validationError('Message must be 1 to 4096 bytes');
    return createHmac('sha256', this.macSecret).update(message).digest();
  }

  async close(): Promise<void> {
    this.stub.restore();
    await this.noble?.close();
  }
}

/** The private scalar of a P-256 key (JWK `d`), as @noble/curves wants it. */
function privateScalar(key: TestKey): Buffer {
  const jwk = key.privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new Error('not a private EC key');
  return Buffer.from(jwk.d, 'base64url');
}

/**
 * ECDSA over a given 32-byte digest with @noble/curves, as KMS Sign does with MessageType DIGEST.
 * node:crypto cannot sign a pre-hashed digest, and jest's CommonJS loader cannot require the
 * ESM-only @noble/curves on Node 20, so a worker thread (plain Node require, which loads ESM
 * since Node 20.19) does the signing.
 */
class NobleDigestSigner {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (der: Buffer) => void; reject: (err: Error) => void }>();

  constructor() {
    this.worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { p256 } = require('@noble/curves/nist.js');
       parentPort.on('message', ({ id, digest, secret }) => {
         try {
           parentPort.postMessage({ id, der: p256.sign(digest, secret, { prehash: false, format: 'der' }) });
         } catch (err) {
           parentPort.postMessage({ id, error: String(err) });
         }
       });`,
      { eval: true },
    );
    this.worker.on('message', (m: { id: number; der?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.der) p?.resolve(Buffer.from(m.der));
      else p?.reject(new Error(m.error ?? 'noble signing failed'));
    });
  }

  /** `secret`: the 32-byte private scalar. */
  sign(digest: Uint8Array, secret: Uint8Array): Promise<Buffer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, digest, secret });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
