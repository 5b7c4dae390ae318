import { IntegrityError } from '../../../lambdas/core/errors';
import { signEnvelope } from '../../../lambdas/attest/dsse';
import { IN_TOTO_PAYLOAD_TYPE } from '../../../lambdas/attest/predicate-types';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { loadPublicKey, verifyEcdsaSha256 } from '../../../lambdas/signing/ecdsa';
import { buildPayload } from '../../../lambdas/signing/payload';
import { PresignedSigner, RecordingSigner } from '../../../lambdas/signing/presigned';
import { p256Key } from './helpers';

describe('presigned signatures: the key holder signs, the publisher only hands them on', () => {
  const key = p256Key();
  const real = () => PemFileSigner.fromPem(key.privatePem, 'test-key');

  it('hands on exactly what was signed, and the signatures verify with the key', async () => {
    const recorder = new RecordingSigner(real());
    const payload = buildPayload('registry.example/team/app', `sha256:${'a'.repeat(64)}`);
    await recorder.signOnce(payload);
    await recorder.signOnce(payload);
    const presigned = await recorder.presigned();
    expect(presigned.signatures).toHaveLength(1);
    const signer = new PresignedSigner(JSON.parse(JSON.stringify(presigned)) as typeof presigned);
    const { signature } = await signer.sign(payload);
    expect(verifyEcdsaSha256(loadPublicKey(key.publicPem, 'test'), payload, signature)).toBe(true);
    expect((await signer.publicKey()).pem).toBe(presigned.key.pem);
  });

  it('refuses any other bytes: another digest, or a DSSE envelope the key holder did not build', async () => {
    const recorder = new RecordingSigner(real());
    await recorder.signOnce(buildPayload('registry.example/team/app', `sha256:${'a'.repeat(64)}`));
    const signer = new PresignedSigner(await recorder.presigned());
    await expect(signer.sign(buildPayload('registry.example/team/app', `sha256:${'b'.repeat(64)}`))).rejects.toThrow(IntegrityError);
    await expect(signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}'))).rejects.toThrow(/did not sign these bytes/);
  });

  it('a signature tampered with in the state is caught by the publisher\'s verification with the public key', async () => {
    const recorder = new RecordingSigner(real());
    const statement = Buffer.from('{"_type":"https://in-toto.io/Statement/v1","subject":[]}');
    const { pae } = await signEnvelope(recorder, IN_TOTO_PAYLOAD_TYPE, statement);
    const presigned = await recorder.presigned();
    const other = p256Key();
    const forgedSig = (await PemFileSigner.fromPem(other.privatePem, 'other').sign(pae)).signature.toString('base64');
    const signer = new PresignedSigner({ ...presigned, signatures: presigned.signatures.map((s) => ({ ...s, signature: forgedSig })) });
    await expect(signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, statement)).rejects.toThrow(/does not verify with its public key/);
  });
});
