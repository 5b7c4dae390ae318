import * as fs from 'node:fs';
import * as path from 'node:path';
import { digestOf } from '../../../lambdas/oci/digest';
import { loadPublicKey } from '../../../lambdas/signing/ecdsa';
import { normalizedName } from '../../../lambdas/signing/identity';
import type { SignatureCandidate, VerificationKey } from '../../../lambdas/signing/verifier';
import { decide, verifyCandidate } from '../../../lambdas/signing/verifier';

/**
 * Signatures made by real cosign and by containers/image (fixtures/interop/cosign/README.md):
 * each expected outcome of that README, checked with our verifier.
 */
const DIR = path.join(__dirname, '..', '..', 'fixtures', 'interop', 'cosign');
const read = (name: string): Buffer => fs.readFileSync(path.join(DIR, name));

interface FixtureSignature {
  mimeType: string;
  payload: string;
  annotations: Record<string, string>;
}

function candidate(name: string): SignatureCandidate {
  const sig = JSON.parse(read(name).toString()) as FixtureSignature;
  return { mediaType: sig.mimeType, annotations: sig.annotations, payload: Buffer.from(sig.payload, 'base64') };
}

function key(name: string): VerificationKey {
  return { name, key: loadPublicKey(read(name), name) };
}

function repo(ref: string): string {
  const n = normalizedName(ref);
  if (!n.ok) throw new Error(n.reason);
  return n.name;
}

const validDigest = digestOf(read('valid.manifest.json'));
const modifiedDigest = digestOf(read('modified-manifest.manifest.json'));
const COSIGN_REPO = repo('192.168.64.2:5000/cosign-signed-single-sample');
const SKOPEO_REPO = repo('192.168.64.2:5000/skopeo-signed');

describe('interop: signatures made by cosign and containers/image', () => {
  it('the manifests have the digests the README states', () => {
    expect(validDigest).toBe('sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00');
    expect(digestOf(read('valid-with-tag.manifest.json'))).toBe(validDigest);
    expect(modifiedDigest.startsWith('sha256:d9dcafdb')).toBe(true);
  });

  it('valid + cosign.pub → accepted (made by cosign, optional: null)', () => {
    const v = verifyCandidate(candidate('valid.signature.json'), { manifestDigest: validDigest, keys: [key('cosign.pub')], repositories: [COSIGN_REPO] });
    expect(v).toEqual({ accepted: true, key: 'cosign.pub', dockerReference: '192.168.64.2:5000/cosign-signed-single-sample' });
  });

  it('valid-with-tag + cosign.pub → accepted (made by skopeo; identity names a tag of the repository)', () => {
    const v = verifyCandidate(candidate('valid-with-tag.signature.json'), {
      manifestDigest: digestOf(read('valid-with-tag.manifest.json')),
      keys: [key('cosign.pub')],
      repositories: [SKOPEO_REPO],
    });
    expect(v).toEqual({ accepted: true, key: 'cosign.pub', dockerReference: '192.168.64.2:5000/skopeo-signed:tag' });
  });

  it('valid + cosign2.pub → rejected (wrong key)', () => {
    const v = verifyCandidate(candidate('valid.signature.json'), { manifestDigest: validDigest, keys: [key('cosign2.pub')], repositories: [COSIGN_REPO] });
    expect(v).toEqual({ accepted: false, reason: 'signature does not verify with key cosign2.pub' });
  });

  it('unknown-key + cosign.pub → rejected', () => {
    const v = verifyCandidate(candidate('unknown-key.signature.json'), { manifestDigest: validDigest, keys: [key('cosign.pub')], repositories: [COSIGN_REPO] });
    expect(v).toEqual({ accepted: false, reason: 'signature does not verify with key cosign.pub' });
  });

  it('valid signature against modified-manifest → rejected (another digest)', () => {
    const v = verifyCandidate(candidate('valid.signature.json'), { manifestDigest: modifiedDigest, keys: [key('cosign.pub')], repositories: [COSIGN_REPO] });
    expect(v).toEqual({ accepted: false, reason: `signature is for digest ${validDigest}, not ${modifiedDigest}` });
  });

  it('identities are checked against the expected repository, not where the bytes came from', () => {
    const v = verifyCandidate(candidate('valid.signature.json'), { manifestDigest: validDigest, keys: [key('cosign.pub')], repositories: [SKOPEO_REPO] });
    expect(v).toEqual({ accepted: false, reason: `signed for repository ${COSIGN_REPO}, not ${SKOPEO_REPO}` });
  });

  it('several keys (rollover): allowed when one of them verifies, with a reason for each other layer', () => {
    const d = decide([candidate('unknown-key.signature.json'), candidate('valid.signature.json')], {
      manifestDigest: validDigest,
      keys: [key('cosign2.pub'), key('cosign.pub')],
      repositories: [COSIGN_REPO],
    });
    expect(d.allowed).toBe(true);
    expect(d.verdicts[0]).toEqual({ accepted: false, reason: 'signature does not verify with any of the 2 keys cosign2.pub, cosign.pub' });
    expect(d.verdicts[1]).toMatchObject({ accepted: true, key: 'cosign.pub' });
  });
});
