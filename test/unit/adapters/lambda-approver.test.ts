import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { lambdaApprover } from '../../../lambdas/adapters/aws/lambda-approver';
import { BadInputError, RefusedError, UnavailableError } from '../../../lambdas/core/errors';
import { signApprovals } from '../../../lambdas/signing/approvals';
import { buildPayload } from '../../../lambdas/signing/payload';
import { verifyEcdsaSha256, loadPublicKey } from '../../../lambdas/signing/ecdsa';
import { p256Key } from '../../support/test-keys';

const lambda = mockClient(LambdaClient);
afterAll(() => lambda.restore());
beforeEach(() => lambda.reset());

const identity = 'registry.example/prod/app';
const digest = `sha256:${'d'.repeat(64)}`;
const json = (v: unknown) => JSON.stringify(v);
/** The next Invoke answers with this body (as Lambda's Payload bytes), as a function error when one is named. */
const answer = (body: string, functionError?: string) => lambda.on(InvokeCommand).callsFake(() => ({ StatusCode: 200, ...(functionError ? { FunctionError: functionError } : {}), Payload: Buffer.from(body) }));

describe('approvals from the Sign Lambda (Invoke)', () => {
  const key = p256Key();

  it('asks for exactly the identity and digests, and signs only what came back', async () => {
    const payloads = await signApprovals(PemFileSigner.fromPem(key.privatePem, 'k'), { identity, digests: [digest] });
    answer(json(payloads));
    const signer = await lambdaApprover(new LambdaClient({ region: 'us-east-1' }), 'sign-fn')(identity, [digest]);
    expect(JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array).toString('utf8'))).toEqual({ approve: { identity, digests: [digest] } });
    const payload = buildPayload(identity, digest);
    expect(verifyEcdsaSha256(loadPublicKey(key.publicPem, 'k'), payload, (await signer.sign(payload)).signature)).toBe(true);
    await expect(signer.sign(buildPayload(identity, `sha256:${'e'.repeat(64)}`))).rejects.toThrow(/did not sign these bytes/);
  });

  it('a function error is a refusal, or transient when the signer said so; a malformed answer is refused', async () => {
    const approve = lambdaApprover(new LambdaClient({ region: 'us-east-1' }), 'sign-fn');
    answer(json({ errorType: 'RefusedError', errorMessage: 'not an environment repository' }), 'Unhandled');
    await expect(approve(identity, [digest])).rejects.toThrow(RefusedError);
    answer(json({ errorType: 'UnavailableError', errorMessage: 'KMS throttled' }), 'Unhandled');
    await expect(approve(identity, [digest])).rejects.toThrow(UnavailableError);
    answer('<html>');
    await expect(approve(identity, [digest])).rejects.toThrow(/no JSON/);
    answer(json({ key: { pem: 'x', hint: 'y', keyId: 'z' }, signatures: [{ sha256: 'short', signature: 'AA==' }] }));
    await expect(approve(identity, [digest])).rejects.toThrow(BadInputError);
  });
});
