import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, NotFoundException, SignCommand } from '@aws-sdk/client-kms';
import { KmsSigner } from '../../../lambdas/adapters/aws/kms-signer';
import { BadInputError, UnavailableError } from '../../../lambdas/core/errors';
import { loadPublicKey, verifyEcdsaSha256 } from '../../../lambdas/signing/ecdsa';
import { buildPayload } from '../../../lambdas/signing/payload';
import { FakeKms, KEY_ARN } from '../../support/fake-kms';
import { derSign, p256Key } from './helpers';

const ALIAS = 'alias/artifact-guard-signing';

describe('KmsSigner (aws-sdk-client-mock doing real ECDSA)', () => {
  const key = p256Key();
  const kms = new FakeKms(key);
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  beforeEach(() => kms.install());
  afterAll(() => kms.close());

  it('takes the public key from GetPublicKey (DER SPKI → PEM), once', async () => {
    const signer = new KmsSigner(client, ALIAS);
    const info = await signer.publicKey();
    expect(info.pem).toBe(key.publicPem);
    expect(info.pem.startsWith('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE')).toBe(true);
    expect(info.keyId).toBe(KEY_ARN);
    expect(info.hint).toBe(createHash('sha256').update(key.publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
    await signer.publicKey();
    expect(kms.stub.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.stub.commandCalls(GetPublicKeyCommand)[0]?.args[0].input).toEqual({ KeyId: ALIAS });
  });

  it('signs SHA-256(data) with MessageType DIGEST and ECDSA_SHA_256; node verifies the DER result (openssl too: openssl.tools.test.ts)', async () => {
    const signer = new KmsSigner(client, ALIAS);
    const payload = buildPayload('123456789012.dkr.ecr.us-east-1.amazonaws.com/app', `sha256:${'0d'.repeat(32)}`);
    const { signature, key: material } = await signer.sign(payload);
    const input = kms.stub.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input).toEqual({
      KeyId: ALIAS,
      Message: createHash('sha256').update(payload).digest(),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    expect(material).toEqual({ $case: 'publicKey', publicKey: key.publicPem, hint: (await signer.publicKey()).hint });
    expect(verifyEcdsaSha256(loadPublicKey(key.publicPem, 'kms'), payload, signature)).toBe(true);
  });

  it('the double is not a rubber stamp: its signatures verify only over the digest it was given', async () => {
    const { signature } = await new KmsSigner(client, ALIAS).sign(Buffer.from('one'));
    expect(verifyEcdsaSha256(key.publicKey, Buffer.from('one'), signature)).toBe(true);
    expect(verifyEcdsaSha256(key.publicKey, Buffer.from('two'), signature)).toBe(false);
    expect(verifyEcdsaSha256(p256Key().publicKey, Buffer.from('one'), signature)).toBe(false);
    // node:crypto's own signature verifies the same way: same scheme on both sides.
    expect(verifyEcdsaSha256(key.publicKey, Buffer.from('one'), derSign(key, Buffer.from('one')))).toBe(true);
  });

  it('signs payloads larger than the 4 KiB a RAW Sign accepts', async () => {
    const big = Buffer.alloc(10_000, 'x');
    const { signature } = await new KmsSigner(client, ALIAS).sign(big);
    expect(verifyEcdsaSha256(key.publicKey, big, signature)).toBe(true);
  });

  it('refuses keys that are not ECC_NIST_P256 SIGN_VERIFY', async () => {
    kms.stub.on(GetPublicKeyCommand).resolves({ ...kms.publicKeyResponse(), KeySpec: 'ECC_NIST_P384' });
    await expect(new KmsSigner(client, ALIAS).publicKey()).rejects.toThrow('is ECC_NIST_P384; cosign-compatible signing here needs ECC_NIST_P256');
    kms.stub.on(GetPublicKeyCommand).resolves({ ...kms.publicKeyResponse(), KeyUsage: 'ENCRYPT_DECRYPT' });
    await expect(new KmsSigner(client, ALIAS).sign(Buffer.from('x'))).rejects.toThrow('has usage ENCRYPT_DECRYPT, not SIGN_VERIFY');
    expect(kms.stub.commandCalls(SignCommand)).toHaveLength(0);
  });

  it('maps KMS failures to a missing-key error or an unavailable service, and does not cache them', async () => {
    kms.stub
      .on(GetPublicKeyCommand)
      .rejectsOnce(new NotFoundException({ message: 'Alias arn:… is not found.', $metadata: {} }))
      .resolves(kms.publicKeyResponse());
    const signer = new KmsSigner(client, 'alias/nope');
    const err = await signer.publicKey().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe('KMS GetPublicKey for alias/nope failed: NotFoundException: Alias arn:… is not found.');
    expect((await signer.publicKey()).keyId).toBe(KEY_ARN);
    kms.stub.on(SignCommand).rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));
    await expect(signer.sign(Buffer.from('x'))).rejects.toBeInstanceOf(UnavailableError);
  });
});
