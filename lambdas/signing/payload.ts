import type { JsonObject, JsonValue } from './strict-json';
import { isJsonObject, parseStrictJson } from './strict-json';

/** `critical.type` of every cosign image signature (cosign and containers/image reject others). */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** Payloads are small JSON documents; a bigger blob is not worth downloading or parsing. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** The facts a payload claims. Untrusted until its signature verified. */
export interface SimpleSigningClaims {
  readonly dockerReference: string;
  readonly manifestDigest: string;
  readonly creator?: string;
  readonly timestamp?: number;
}

export type PayloadParseResult = { readonly ok: true; readonly claims: SimpleSigningClaims } | { readonly ok: false; readonly reason: string };

/**
 * The simple-signing payload exactly as cosign writes it: compact JSON, keys in the order of
 * cosign's Go structs, `optional: null` when there are no annotations. The bytes are signed
 * as they are and never re-serialised.
 */
export function buildPayload(dockerReference: string, manifestDigest: string, optional: Readonly<Record<string, string>> | null = null): Buffer {
  const payload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': manifestDigest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional,
  };
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

// go-digest's Parse: a registered algorithm and the right number of lowercase hex digits.
const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

class PayloadError extends Error {}

function exactObject(v: JsonValue | undefined, where: string, fields: readonly string[]): JsonObject {
  if (!isJsonObject(v)) throw new PayloadError(`${where} is not a JSON object`);
  for (const key of Object.keys(v)) {
    if (!fields.includes(key)) throw new PayloadError(`unknown key ${JSON.stringify(key)} in ${where}`);
  }
  for (const key of fields) {
    if (!(key in v)) throw new PayloadError(`key ${JSON.stringify(key)} missing in ${where}`);
  }
  return v;
}

/**
 * Go's json.Unmarshal into a string leaves it empty for `null` and fails for other types; we
 * mirror that so that our verdicts agree with containers/image's.
 */
function goString(v: JsonValue | undefined, where: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') throw new PayloadError(`${where} is not a string`);
  return v;
}

function parseOptional(v: JsonValue | undefined): { creator?: string; timestamp?: number } {
  if (v === null) return {};
  if (!isJsonObject(v)) throw new PayloadError('optional is neither null nor a JSON object');
  const out: { creator?: string; timestamp?: number } = {};
  if ('creator' in v) out.creator = goString(v.creator, 'optional.creator');
  if ('timestamp' in v) {
    const t = v.timestamp ?? 0;
    // Go reads a float64 and wants it to survive a round trip through int64.
    if (typeof t !== 'number' || !Number.isInteger(t) || Math.abs(t) >= 2 ** 63) throw new PayloadError('optional.timestamp is not an integer');
    out.timestamp = t;
  }
  // Other optional keys are free-form (cosign's -a annotations) and ignored, as containers/image does.
  return out;
}

/**
 * Parses a payload with containers/image's paranoid rules (signature/internal/sigstore_payload.go):
 * the top level holds exactly `critical` and `optional`; `critical` exactly `type`, `image`,
 * `identity`; `image` exactly `docker-manifest-digest`; `identity` exactly `docker-reference`;
 * no duplicate keys. Stricter in one point: a duplicate key anywhere, even inside ignored
 * optional values, rejects the payload. Never throws.
 */
export function parsePayload(bytes: Buffer): PayloadParseResult {
  if (bytes.length > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload is larger than ${MAX_PAYLOAD_BYTES} bytes` };
  const json = parseStrictJson(bytes);
  if (!json.ok) return { ok: false, reason: `payload is not strict JSON: ${json.reason}` };
  try {
    const top = exactObject(json.value, 'the payload', ['critical', 'optional']);
    const optional = parseOptional(top.optional);
    const critical = exactObject(top.critical, 'critical', ['type', 'image', 'identity']);
    const type = goString(critical.type, 'critical.type');
    if (type !== COSIGN_SIGNATURE_TYPE) throw new PayloadError(`unrecognized signature type ${JSON.stringify(type)}`);
    const image = exactObject(critical.image, 'critical.image', ['docker-manifest-digest']);
    const manifestDigest = goString(image['docker-manifest-digest'], 'docker-manifest-digest');
    if (!DIGEST_RE.test(manifestDigest)) throw new PayloadError(`invalid docker-manifest-digest value ${JSON.stringify(manifestDigest.slice(0, 140))}`);
    const identity = exactObject(critical.identity, 'critical.identity', ['docker-reference']);
    const dockerReference = goString(identity['docker-reference'], 'docker-reference');
    return { ok: true, claims: { dockerReference, manifestDigest, ...optional } };
  } catch (err) {
    if (err instanceof PayloadError) return { ok: false, reason: err.message };
    throw err;
  }
}
