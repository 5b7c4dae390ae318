import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { GenerateMacCommandInput, VerifyMacCommandInput } from '@aws-sdk/client-kms';
import { GenerateMacCommand, KMSClient, KMSInvalidMacException, NotFoundException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsMacKey } from '../../../lambdas/adapters/aws/kms-mac-key';
import { BadInputError, UnavailableError } from '../../../lambdas/core/errors';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/mac-1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * A KMS double for an HMAC_256 GENERATE_VERIFY_MAC key that does the real work: GenerateMac is
 * HMAC-SHA256 over the message it is given (at most 4096 bytes, as KMS), VerifyMac recomputes it
 * and answers a mismatch with KMSInvalidMacException, as KMS does.
 */
class FakeMacKms {
  readonly stub = mockClient(KMSClient);
  readonly secret = randomBytes(32);

  constructor() {
    this.install();
  }

  install(): void {
    this.stub.reset();
    this.stub.on(GenerateMacCommand).callsFake((input: GenerateMacCommandInput) => ({ KeyId: KEY_ARN, MacAlgorithm: input.MacAlgorithm, Mac: this.hmac(input) }));
    this.stub.on(VerifyMacCommand).callsFake((input: VerifyMacCommandInput) => {
      const expected = this.hmac(input);
      const given = Buffer.from(input.Mac ?? new Uint8Array());
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new KMSInvalidMacException({ message: 'The MAC is not valid', $metadata: {} });
      return { KeyId: KEY_ARN, MacValid: true, MacAlgorithm: input.MacAlgorithm };
    });
  }

  private hmac(input: { MacAlgorithm?: string; Message?: Uint8Array }): Buffer {
    if (input.MacAlgorithm !== 'HMAC_SHA_256') throw Object.assign(new Error(`unsupported MacAlgorithm ${input.MacAlgorithm}`), { name: 'InvalidKeyUsageException' });
    const message = input.Message ?? new Uint8Array();
    if (message.length < 1 || message.length > 4096) throw Object.assign(new Error('Message must be 1 to 4096 bytes'), { name: 'ValidationException' });
    return createHmac('sha256', this.secret).update(message).digest();
  }
}

describe('KmsMacKey (aws-sdk-client-mock doing real HMAC-SHA256)', () => {
  const kms = new FakeMacKms();
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const key = new KmsMacKey(client, 'alias/artifact-guard-cache-mac');
  beforeEach(() => kms.install());
  afterAll(() => kms.stub.restore());

  it('is HMAC-SHA256(key, SHA-256(bytes)) in hex, with HMAC_SHA_256, so catalogs over 4 KiB fit', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'catalog');
    const mac = await key.mac(big);
    const digest = createHash('sha256').update(big).digest();
    expect(mac).toBe(createHmac('sha256', kms.secret).update(digest).digest('hex'));
    expect(kms.stub.commandCalls(GenerateMacCommand)[0]?.args[0].input).toEqual({ KeyId: 'alias/artifact-guard-cache-mac', MacAlgorithm: 'HMAC_SHA_256', Message: digest });
    expect(await key.verify(big, mac)).toBe(true);
  });

  it('a MAC over other bytes, a changed MAC or a malformed one does not verify', async () => {
    const mac = await key.mac(Buffer.from('one'));
    expect(await key.verify(Buffer.from('two'), mac)).toBe(false);
    expect(await key.verify(Buffer.from('one'), `${mac[0] === '0' ? '1' : '0'}${mac.slice(1)}`)).toBe(false);
    const calls = kms.stub.commandCalls(VerifyMacCommand).length;
    expect(await key.verify(Buffer.from('one'), 'not hex')).toBe(false);
    expect(await key.verify(Buffer.from('one'), mac.slice(2))).toBe(false);
    expect(kms.stub.commandCalls(VerifyMacCommand)).toHaveLength(calls); // malformed: KMS not asked
    // The double is no rubber stamp: another key's MAC fails too.
    expect(await key.verify(Buffer.from('one'), createHmac('sha256', randomBytes(32)).update(createHash('sha256').update('one').digest()).digest('hex'))).toBe(false);
  });

  it('maps a wrong key to BadInputError and an unwell KMS to UnavailableError', async () => {
    kms.stub.on(GenerateMacCommand).rejects(new NotFoundException({ message: 'Alias is not found.', $metadata: {} }));
    await expect(key.mac(Buffer.from('x'))).rejects.toThrow(BadInputError);
    await expect(key.mac(Buffer.from('x'))).rejects.toThrow('KMS GenerateMac for alias/artifact-guard-cache-mac failed: NotFoundException: Alias is not found.');
    kms.stub.on(VerifyMacCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(key.verify(Buffer.from('x'), 'ab'.repeat(32))).rejects.toThrow(UnavailableError);
  });
});
