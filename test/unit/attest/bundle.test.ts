import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { buildDsseBundle, verifyBundle } from '../../../lambdas/attest/bundle';
import { envelopeBytes, signEnvelope } from '../../../lambdas/attest/dsse';
import { IN_TOTO_PAYLOAD_TYPE } from '../../../lambdas/attest/predicate-types';
import { buildStatement, statementBytes } from '../../../lambdas/attest/statement';
import { p256Key } from '../signing/helpers';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
const key = p256Key();
const signer = PemFileSigner.fromPem(key.privatePem, 'k.pem');
const payload = statementBytes(buildStatement('127.0.0.1:5000/app', DIGEST, 'https://slsa.dev/provenance/v1', { x: 'y' }));

async function bundle(): Promise<{ bytes: Buffer; sig: string }> {
  const signed = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
  return { bytes: await buildDsseBundle(signed, await signer.publicKey()), sig: signed.envelope.signatures[0]!.sig };
}

/** @sigstore/verify used directly, with a key finder for our key and every threshold 0. */
function sigstoreVerify(json: unknown, publicKey = key.publicKey): void {
  const trust = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [], publicKey: () => ({ publicKey, validFor: () => true }) };
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundleFromJSON(json)));
}

describe('Sigstore bundles', () => {
  it('is a v0.3 DSSE bundle with the key hint, no Fulcio certificate and no Rekor entry', async () => {
    const { bytes, sig } = await bundle();
    const json = JSON.parse(bytes.toString()) as Record<string, never>;
    expect(json).toMatchObject({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: (await signer.publicKey()).hint } },
      dsseEnvelope: { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ sig }] },
    });
    expect(JSON.stringify(json)).not.toMatch(/tlogEntries|x509Certificate|certificate"/);
  });

  it('@sigstore/verify accepts it offline with the public key; another key is refused', async () => {
    const { bytes } = await bundle();
    const json = JSON.parse(bytes.toString()) as unknown;
    expect(() => sigstoreVerify(json)).not.toThrow();
    expect(() => sigstoreVerify(json, p256Key().publicKey)).toThrow(/signature verification failed/);
  });

  it('carries the same signature as the .att envelope (one signing operation for both)', async () => {
    const signed = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
    const b = JSON.parse((await buildDsseBundle(signed, await signer.publicKey())).toString()) as { dsseEnvelope: { signatures: { sig: string }[] } };
    expect(b.dsseEnvelope.signatures[0]!.sig).toBe(JSON.parse(envelopeBytes(signed.envelope).toString()).signatures[0].sig);
  });

  it('verifyBundle: accepted with the key (payload returned), refused with a reason otherwise', async () => {
    const { bytes } = await bundle();
    const ok = verifyBundle(bytes, [{ name: 'other', key: p256Key().publicKey }, { name: 'k.pub', key: key.publicKey }]);
    expect(ok).toMatchObject({ ok: true, key: { name: 'k.pub' }, payloadType: IN_TOTO_PAYLOAD_TYPE });
    if (ok.ok) expect(ok.payload.equals(payload)).toBe(true);
    const wrong = verifyBundle(bytes, [{ name: 'other', key: p256Key().publicKey }]);
    expect(wrong).toEqual({ ok: false, reason: expect.stringMatching(/does not verify \(other: .*signature verification failed/) });

    const tampered = JSON.parse(bytes.toString()) as { dsseEnvelope: { payload: string } };
    tampered.dsseEnvelope.payload = Buffer.from(payload.toString().replace('cdcd', 'cdce')).toString('base64');
    expect(verifyBundle(Buffer.from(JSON.stringify(tampered)), [{ name: 'k.pub', key: key.publicKey }]).ok).toBe(false);
    expect(verifyBundle(Buffer.from('{"mediaType":"x"}'), [{ name: 'k.pub', key: key.publicKey }])).toMatchObject({ ok: false, reason: expect.stringMatching(/Sigstore bundle/) });
  });

  it('refuses to wrap a signature over other bytes (our PAE must equal sigstore-js\'s)', async () => {
    const signed = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
    await expect(buildDsseBundle({ ...signed, pae: Buffer.from('something else') }, await signer.publicKey())).rejects.toThrow(/not our DSSE PAE/);
  });
});
