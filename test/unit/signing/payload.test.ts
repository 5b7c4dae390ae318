import fc from 'fast-check';
import { buildPayload, COSIGN_SIGNATURE_TYPE, parsePayload } from '../../../lambdas/signing/payload';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app';

function reject(text: string): string {
  const r = parsePayload(Buffer.from(text));
  if (r.ok) throw new Error(`accepted: ${text}`);
  return r.reason;
}

const critical = (inner: string) => `{"critical":${inner},"optional":null}`;
const goodCritical = `{"identity":{"docker-reference":"${REPO}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"${COSIGN_SIGNATURE_TYPE}"}`;

describe('simple-signing payload', () => {
  it('is built exactly as cosign writes it: compact, cosign key order, optional null', () => {
    expect(buildPayload(REPO, DIGEST).toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"${REPO}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
  });

  it('parses back what it builds, with optional annotations', () => {
    expect(parsePayload(buildPayload(REPO, DIGEST))).toEqual({ ok: true, claims: { dockerReference: REPO, manifestDigest: DIGEST } });
    const withOptional = `{"critical":${goodCritical},"optional":{"creator":"containers/image 5.21","timestamp":1657296609,"anything":[{"x":1}]}}`;
    expect(parsePayload(Buffer.from(withOptional))).toEqual({
      ok: true,
      claims: { dockerReference: REPO, manifestDigest: DIGEST, creator: 'containers/image 5.21', timestamp: 1657296609 },
    });
  });

  it('accepts keys in any order and insignificant whitespace (bytes are signed, not re-serialised)', () => {
    const text = `{ "optional" : null ,\n "critical": {"type":"${COSIGN_SIGNATURE_TYPE}", "image": {"docker-manifest-digest":"${DIGEST}"}, "identity": {"docker-reference": "${REPO}"}}}`;
    expect(parsePayload(Buffer.from(text)).ok).toBe(true);
  });

  describe('rejects, as containers/image does', () => {
    it('a missing or extra top-level key', () => {
      expect(reject(`{"critical":${goodCritical}}`)).toBe('key "optional" missing in the payload');
      expect(reject(`{"critical":${goodCritical},"optional":null,"extra":1}`)).toBe('unknown key "extra" in the payload');
    });

    it('an extra key inside critical', () => {
      const extra = goodCritical.replace('"type"', '"note":"trust me","type"');
      expect(reject(critical(extra))).toBe('unknown key "note" in critical');
    });

    it('a missing key inside critical', () => {
      const missing = `{"image":{"docker-manifest-digest":"${DIGEST}"},"type":"${COSIGN_SIGNATURE_TYPE}"}`;
      expect(reject(critical(missing))).toBe('key "identity" missing in critical');
    });

    it('extra or missing keys inside image and identity', () => {
      expect(reject(critical(goodCritical.replace(`"docker-manifest-digest":"${DIGEST}"`, `"docker-manifest-digest":"${DIGEST}","size":1`)))).toBe(
        'unknown key "size" in critical.image',
      );
      expect(reject(critical(goodCritical.replace(`{"docker-reference":"${REPO}"}`, '{}')))).toBe('key "docker-reference" missing in critical.identity');
    });

    it('duplicate keys, which JSON.parse would silently resolve to the last one', () => {
      const dup = goodCritical.replace(`"docker-manifest-digest":"${DIGEST}"`, `"docker-manifest-digest":"${DIGEST}","docker-manifest-digest":"sha256:${'cd'.repeat(32)}"`);
      expect(reject(critical(dup))).toContain('duplicate key "docker-manifest-digest"');
      expect(reject(`{"critical":${goodCritical},"critical":${goodCritical},"optional":null}`)).toContain('duplicate key "critical"');
    });

    it('another signature type, a malformed digest, wrong value types', () => {
      expect(reject(critical(goodCritical.replace(COSIGN_SIGNATURE_TYPE, 'atomic container signature')))).toBe('unrecognized signature type "atomic container signature"');
      expect(reject(critical(goodCritical.replace(DIGEST, 'sha256:ABC')))).toContain('invalid docker-manifest-digest value');
      expect(reject(critical(goodCritical.replace(`"${DIGEST}"`, 'null')))).toContain('invalid docker-manifest-digest value ""');
      expect(reject(critical(goodCritical.replace(`"${REPO}"`, '42')))).toBe('docker-reference is not a string');
      expect(reject(critical('[]'))).toBe('critical is not a JSON object');
      expect(reject('[]')).toBe('the payload is not a JSON object');
    });

    it('optional that is neither null nor an object, a non-string creator, a fractional timestamp', () => {
      expect(reject(`{"critical":${goodCritical},"optional":"x"}`)).toBe('optional is neither null nor a JSON object');
      expect(reject(`{"critical":${goodCritical},"optional":{"creator":1}}`)).toBe('optional.creator is not a string');
      expect(reject(`{"critical":${goodCritical},"optional":{"timestamp":1.5}}`)).toBe('optional.timestamp is not an integer');
    });

    it('trailing data and non-JSON', () => {
      expect(reject(`${buildPayload(REPO, DIGEST).toString()}\n{}`)).toContain('unexpected data after the JSON value');
      expect(reject('not json')).toContain('payload is not strict JSON');
    });
  });

  it('never throws on arbitrary JSON, only accepts or rejects (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const r = parsePayload(Buffer.from(JSON.stringify(value)));
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });

  it('never throws on payload-shaped JSON with arbitrary values and keys (property)', () => {
    const anyValue = fc.jsonValue({ maxDepth: 2 });
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const obj = (fields: Record<string, fc.Arbitrary<unknown>>) =>
      fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, maybe(a)])), { requiredKeys: [] }).chain((o) =>
        fc.dictionary(fc.string({ maxLength: 3 }), anyValue, { maxKeys: 2 }).map((extra) => ({ ...o, ...extra })),
      );
    const payload = obj({
      critical: fc.oneof(anyValue, obj({ identity: fc.oneof(anyValue, obj({ 'docker-reference': anyValue })), image: fc.oneof(anyValue, obj({ 'docker-manifest-digest': fc.oneof(anyValue, fc.constant(DIGEST)) })), type: fc.oneof(anyValue, fc.constant(COSIGN_SIGNATURE_TYPE)) })),
      optional: fc.oneof(anyValue, obj({ creator: anyValue, timestamp: anyValue })),
    });
    fc.assert(
      fc.property(payload, (value) => {
        const r = parsePayload(Buffer.from(JSON.stringify(value)));
        if (r.ok) expect(r.claims.manifestDigest).toBe(DIGEST);
      }),
    );
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expect(parsePayload(Buffer.from(bytes)).ok).toBe(false)));
  });

  it('round-trips every repository and digest it builds (property)', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 4 }), fc.stringMatching(/^[a-f0-9]{64}$/), (parts, hex) => {
        const ref = `registry.example:5000/${parts.join('/')}`;
        const r = parsePayload(buildPayload(ref, `sha256:${hex}`));
        expect(r).toEqual({ ok: true, claims: { dockerReference: ref, manifestDigest: `sha256:${hex}` } });
      }),
    );
  });
});
