import { createHash } from 'node:crypto';
import type { GetPublicKeyCommandOutput, SignCommandInput, SignCommandOutput } from '@aws-sdk/client-kms';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import type { TestKey } from './helpers';
import { NobleDigestSigner, privateScalar } from './helpers';

export const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * A KMS double for an ECC_NIST_P256 SIGN_VERIFY key that does the real work: `Sign` is ECDSA
 * (@noble/curves) over the digest it is given (MessageType DIGEST, which must be 32 bytes for
 * ECDSA_SHA_256) or over SHA-256 of the message (RAW), returning DER as KMS does;
 * `GetPublicKey` returns the key's real DER SubjectPublicKeyInfo. Shapes per the KMS API reference.
 */
/** KMS answers malformed requests with a ValidationException (an AWS common error, not modelled in the SDK). */
function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationException' });
}

export class FakeKms {
  readonly stub: AwsClientStub<KMSClient>;
  private readonly noble = new NobleDigestSigner();

  constructor(readonly key: TestKey) {
    this.stub = mockClient(KMSClient);
    this.install();
  }

  install(): void {
    this.stub.reset();
    this.stub.on(GetPublicKeyCommand).resolves(this.publicKeyResponse());
    this.stub.on(SignCommand).callsFake((input: SignCommandInput) => this.sign(input));
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
    const der = await this.noble.sign(digest, privateScalar(this.key));
    return { KeyId: KEY_ARN, Signature: new Uint8Array(der), SigningAlgorithm: 'ECDSA_SHA_256' };
  }

  async close(): Promise<void> {
    this.stub.restore();
    await this.noble.close();
  }
}
