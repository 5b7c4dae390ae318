import fc from 'fast-check';
import { parseStrictJson } from '../../../lambdas/signing/strict-json';

describe('parseStrictJson', () => {
  it('parses what JSON.parse parses, objects without a prototype', () => {
    const r = parseStrictJson('{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"__proto__":{"b":{}}}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(JSON.stringify(r.value)).toBe(JSON.stringify(JSON.parse('{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"__proto__":{"b":{}}}')));
    expect(Object.getPrototypeOf(r.value)).toBeNull();
  });

  it.each([
    ['{"a":1,"a":2}', 'duplicate key "a"'],
    ['{"o":{"k":1,"k":1}}', 'duplicate key "k"'],
    ['{"\\u0061":1,"a":2}', 'duplicate key "a"'],
    ['{"a":1} x', 'unexpected data after the JSON value'],
    ['{"a":1}{}', 'unexpected data after the JSON value'],
    ['\ufeff{}', 'unexpected character'],
    ['{"a":01}', 'invalid or over-long number'],
    ['{"a":1e999}', 'number out of range'],
    ['{"a":"\u0001"}', 'control character in string'],
    ['{"a":"\\x"}', 'invalid escape'],
    ['{a:1}', 'expected a string key'],
    ['[1,]', 'unexpected character'],
    ['', 'unexpected end of JSON'],
    ['nul', 'invalid literal'],
  ])('rejects %j (%s)', (text, reason) => {
    const r = parseStrictJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('rejects invalid UTF-8 and a byte-order mark in bytes', () => {
    expect(parseStrictJson(Buffer.from([0x22, 0xff, 0x22]))).toEqual({ ok: false, reason: 'invalid UTF-8' });
    expect(parseStrictJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])).ok).toBe(false);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const r = parseStrictJson(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('nested deeper than');
  });

  it('agrees with JSON.parse on every JSON document without duplicate keys (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const r = parseStrictJson(text);
        expect(r.ok).toBe(true);
        if (r.ok) expect(JSON.stringify(r.value)).toBe(JSON.stringify(JSON.parse(text)));
      }),
    );
  });

  it('never throws on arbitrary text or bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (text) => {
        const r = parseStrictJson(text);
        let native: unknown;
        let nativeOk = true;
        try {
          native = JSON.parse(text);
        } catch {
          nativeOk = false;
        }
        // Whatever we accept, JSON.parse accepts too (we are only ever stricter).
        if (r.ok) {
          expect(nativeOk).toBe(true);
          expect(JSON.stringify(r.value)).toBe(JSON.stringify(native));
        }
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void parseStrictJson(Buffer.from(bytes))));
  });
});
