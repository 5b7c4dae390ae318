import { verify as cryptoVerify } from 'node:crypto';
import fc from 'fast-check';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { decodeDsseBase64, envelopeBytes, parseEnvelope, signEnvelope, verifyEnvelope } from '../../../lambdas/attest/dsse';
import { preAuthEncoding } from '../../../lambdas/attest/pae';
import { IN_TOTO_PAYLOAD_TYPE } from '../../../lambdas/attest/predicate-types';
import { buildStatement, statementBytes } from '../../../lambdas/attest/statement';
import { p256Key } from '../signing/helpers';
import { independentPae } from './helpers';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('PAE', () => {
  it('matches the DSSE spec test vector byte for byte', () => {
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString('latin1')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters (UTF-8 type and body), with no leading zeros', () => {
    const pae = preAuthEncoding('tÿpe', Buffer.from('é'));
    expect(pae.equals(Buffer.concat([Buffer.from('DSSEv1 5 tÿpe 2 ', 'utf8'), Buffer.from('é')]))).toBe(true);
    expect(preAuthEncoding('', Buffer.alloc(0)).toString()).toBe('DSSEv1 0  0 ');
  });

  it('equals the hand-written encoding for any type and body', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        expect(preAuthEncoding(type, Buffer.from(body)).equals(independentPae(type, Buffer.from(body)))).toBe(true);
      }),
    );
  });
});

describe('DSSE envelopes', () => {
  const key = p256Key();
  const signer = PemFileSigner.fromPem(key.privatePem, 'k.pem');
  const payload = statementBytes(buildStatement('127.0.0.1:5000/app', DIGEST, 'https://example.com/p', { a: 1 }));
  const keys = [{ name: 'k.pub', key: key.publicKey }];

  it('signs the PAE: node:crypto verifies the signature over an independently computed PAE', async () => {
    const { envelope } = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
    expect(envelope).toEqual({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: expect.any(String) }] });
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    const pae = independentPae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
    expect(cryptoVerify('sha256', pae, { key: key.publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
    // and not over the bare payload: the PAE is what is signed
    expect(cryptoVerify('sha256', payload, { key: key.publicKey, dsaEncoding: 'der' }, sig)).toBe(false);
  });

  it('verifies with the right key only, and not once the payloadType changed', async () => {
    const { envelope } = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
    const parsed = parseEnvelope(envelopeBytes(envelope));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(verifyEnvelope(parsed.envelope, keys)?.name).toBe('k.pub');
    expect(verifyEnvelope(parsed.envelope, [{ name: 'other', key: p256Key().publicKey }])).toBeUndefined();
    expect(verifyEnvelope({ ...parsed.envelope, payloadType: 'application/vnd.in-toto.other+json' }, keys)).toBeUndefined();
  });

  it('accepts URL-safe and unpadded base64, as DSSE requires of verifiers', async () => {
    const { envelope, signature } = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
    const urlSafe = { ...envelope, payload: payload.toString('base64url'), signatures: [{ sig: signature.toString('base64url') }] };
    const parsed = parseEnvelope(Buffer.from(JSON.stringify(urlSafe)));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.envelope.payload.equals(payload)).toBe(true);
    expect(verifyEnvelope(parsed.envelope, keys)).toBeDefined();
    expect(decodeDsseBase64('not base64!')).toBeUndefined();
  });

  it('refuses malformed envelopes with a reason (duplicate keys, no signatures, not base64)', () => {
    const cases: [string, RegExp][] = [
      ['{"payloadType":"a","payloadType":"b","payload":"","signatures":[{"sig":""}]}', /duplicate key/],
      ['{"payloadType":"a","payload":"","signatures":[]}', /no signatures/],
      ['{"payloadType":"a","payload":"%%%","signatures":[{"sig":""}]}', /not base64/],
      ['[]', /not a JSON object/],
      ['{"payload":"","signatures":[{"sig":""}]}', /no payloadType/],
    ];
    for (const [json, reason] of cases) {
      const r = parseEnvelope(Buffer.from(json));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    }
  });
});
