import { GetPublicKeyCommand, KMSServiceException } from '@aws-sdk/client-kms';
import { cachedUntilFailure } from '../../../lambdas/core/retry-after-failure';
import { UnavailableError } from '../../../lambdas/core/errors';
import { FakeKms, KEY_ARN } from '../../support/fake-kms';

describe('cachedUntilFailure', () => {
  it('keeps a result, forgets a failure, and shares the attempt in flight', async () => {
    let calls = 0;
    const get = cachedUntilFailure(async () => {
      calls++;
      if (calls === 1) throw new Error('throttled');
      return calls;
    });
    await expect(get()).rejects.toThrow('throttled');
    const [a, b] = await Promise.all([get(), get()]);
    expect([a, b, await get()]).toEqual([2, 2, 2]);
    expect(calls).toBe(2);
  });
});

describe('the deploy gate Lambda\'s public key', () => {
  const kms = new FakeKms();
  afterAll(() => kms.close());

  it('is asked for again after a KMS throttle, then kept', async () => {
    Object.assign(process.env, { SIGNING_KEY_ARN: KEY_ARN, AWS_REGION: 'us-east-1', TABLE_NAME: 'records', ALERT_BUS_NAME: 'alerts', EVIDENCE_BUCKET: 'evidence', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const { stackKeys } = await import('../../../lambdas/handlers/verify');
    kms.stub.on(GetPublicKeyCommand).rejectsOnce(new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }));
    await expect(stackKeys()).rejects.toBeInstanceOf(UnavailableError);
    kms.install();
    const keys = await stackKeys();
    expect(keys.map((k) => k.name)).toEqual([KEY_ARN]);
    await stackKeys();
    expect(kms.stub.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });
});
