import { MediaType } from '../../../lambdas/oci/media-types';
import { buildPayload } from '../../../lambdas/signing/payload';
import { SIGNATURE_ANNOTATION } from '../../../lambdas/signing/sig-manifest';
import type { SignatureCandidate, VerificationPolicy } from '../../../lambdas/signing/verifier';
import { decide, verifyCandidate } from '../../../lambdas/signing/verifier';
import { derSign, p256Key } from './helpers';

const DIGEST = `sha256:${'1f'.repeat(32)}`;
const REPO = 'registry.example/team/app';
const key = p256Key();
const policy: VerificationPolicy = { manifestDigest: DIGEST, keys: [{ name: 'k.pub', key: key.publicKey }], repositories: [REPO] };

/** `signature: null` leaves the annotation out. */
function layer(payload: Buffer, signature: string | null = derSign(key, payload).toString('base64'), mediaType: string = MediaType.cosignSimpleSigning): SignatureCandidate {
  return { mediaType, payload, ...(signature === null ? {} : { annotations: { [SIGNATURE_ANNOTATION]: signature } }) };
}

const denied = (c: SignatureCandidate) => {
  const v = verifyCandidate(c, policy);
  if (v.accepted) throw new Error('accepted');
  return v.reason;
};

describe('verifyCandidate (one .sig layer)', () => {
  const payload = buildPayload(REPO, DIGEST);

  it('accepts a correct signature over a correct payload', () => {
    expect(verifyCandidate(layer(payload), policy)).toEqual({ accepted: true, key: 'k.pub', dockerReference: REPO });
  });

  it('checks the layer before fetching or trusting anything', () => {
    expect(denied(layer(payload, null, MediaType.dsseEnvelope))).toBe(`media type ${MediaType.dsseEnvelope} is not ${MediaType.cosignSimpleSigning}`);
    expect(denied(layer(payload, null))).toBe(`no ${SIGNATURE_ANNOTATION} annotation`);
    expect(denied(layer(payload, ''))).toBe(`no ${SIGNATURE_ANNOTATION} annotation`);
    expect(denied(layer(payload, 'not base64!'))).toBe(`${SIGNATURE_ANNOTATION} is not standard base64`);
    expect(denied({ ...layer(payload), payload: { error: 'blob missing' } })).toBe('payload unreadable: blob missing');
  });

  it('judges the payload only once its signature verified', () => {
    // A payload with an unknown key, signed by somebody else: the signature is what is reported.
    const odd = Buffer.from('{"critical":{},"optional":null,"x":1}');
    expect(denied(layer(odd, derSign(p256Key(), odd).toString('base64')))).toBe('signature does not verify with key k.pub');
    expect(denied(layer(odd))).toBe('signed payload rejected: unknown key "x" in the payload');
  });

  it('decide: allowed iff some layer is accepted', () => {
    const other = buildPayload(REPO, `sha256:${'2e'.repeat(32)}`);
    expect(decide([layer(other)], policy).allowed).toBe(false);
    const d = decide([layer(other), layer(payload)], policy);
    expect(d.allowed).toBe(true);
    expect(d.verdicts.map((v) => v.accepted)).toEqual([false, true]);
    expect(decide([], policy).allowed).toBe(false);
  });
});
