/**
 * A JSON parser (RFC 8259) that refuses what `JSON.parse` silently accepts: duplicate object
 * keys (JSON.parse keeps the last one, so a signed payload could say one thing to one verifier
 * and another to the next), a byte-order mark, invalid UTF-8, non-finite numbers and absurd
 * nesting. It never throws: it returns a reason instead, because its input is untrusted.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export type StrictJsonResult = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly reason: string };

const MAX_DEPTH = 64;

class JsonSyntaxError extends Error {}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseStrictJson(input: Buffer | string): StrictJsonResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      // ignoreBOM keeps a leading BOM in the text, where the parser rejects it like Go does.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      return { ok: false, reason: 'invalid UTF-8' };
    }
  }
  try {
    const parser = new Parser(text);
    const value = parser.document();
    return { ok: true, value };
  } catch (err) {
    if (err instanceof JsonSyntaxError || err instanceof RangeError) return { ok: false, reason: err.message };
    throw err;
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): JsonValue {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected data after the JSON value');
    return value;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(`${message} at offset ${this.pos}`);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.skipWhitespace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('invalid literal');
  }

  private object(depth: number): JsonObject {
    this.pos++; // {
    // A null-prototype object: keys such as "__proto__" stay plain data.
    const out = Object.create(null) as Record<string, JsonValue>;
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      out[key] = this.value(depth + 1);
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === '}') return out;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(depth: number): JsonValue[] {
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === ']') return out;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated string');
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.text.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        out += this.text.slice(start, this.pos);
        out += this.escape();
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private escape(): string {
    const e = this.text[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        this.pos -= 1;
        return this.fail('invalid escape');
    }
  }

  private number(): number {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m || m[0] === '-') this.fail('invalid number');
    this.pos += m[0].length;
    // A longer run of digits than the 400 looked at would continue here: refuse it.
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail('invalid or over-long number');
    const n = Number(m[0]);
    if (!Number.isFinite(n)) this.fail('number out of range');
    return n;
  }
}
