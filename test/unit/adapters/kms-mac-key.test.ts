import { createHash, createHmac, randomBytes } from 'node:crypto';
import { GenerateMacCommand, KMSClient, NotFoundException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { KmsMacKey } from '../../../lambdas/adapters/aws/kms-mac-key';
import { BadInputError, UnavailableError } from '../../../lambdas/core/errors';
import { FakeKms } from '../../support/fake-kms';

describe('KmsMacKey (aws-sdk-client-mock doing real HMAC-SHA256)', () => {
  const kms = new FakeKms();
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const key = new KmsMacKey(client, 'alias/artifact-guard-cache-mac');
  beforeEach(() => kms.install());
  afterAll(() => kms.close());

  it('is HMAC-SHA256(key, SHA-256(bytes)) in hex, with HMAC_SHA_256, so catalogs over 4 KiB fit', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'catalog');
    const mac = await key.mac(big);
    const digest = createHash('sha256').update(big).digest();
    expect(mac).toBe(createHmac('sha256', kms.macSecret).update(digest).digest('hex'));
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
