import type { KeyObject } from 'node:crypto';
import { BadInputError } from '../core/errors';
import type { KeyedSigner } from '../ports/signer';
import { loadPublicKey, verifyEcdsaSha256 } from '../signing/ecdsa';
import { isJsonObject, parseStrictJson } from '../signing/strict-json';
import type { VerificationKey } from '../signing/verifier';
import { preAuthEncoding } from './pae';

/** A DSSE envelope (secure-systems-lab/dsse envelope.md) as JSON. */
export interface DsseEnvelope {
  readonly payloadType: string;
  /** base64 of the payload bytes. */
  readonly payload: string;
  readonly signatures: readonly { readonly keyid?: string; readonly sig: string }[];
}

/** Envelopes hold one SBOM at most: generous, but bounded. */
export const MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;

export interface SignedEnvelope {
  readonly envelope: DsseEnvelope;
  readonly payload: Buffer;
  /** DER ECDSA signature over SHA-256(PAE). */
  readonly signature: Buffer;
  readonly pae: Buffer;
}

/**
 * Signs `payload` as DSSE: the signer (KMS or PEM) signs the PAE bytes, i.e. ECDSA over
 * SHA-256(PAE). The signature is checked with the signer's own public key before it is used:
 * a signature its key rejects would be published and then deny every verification.
 * `keyid` is left empty, as cosign and sigstore-go do (it is an unauthenticated hint).
 */
export async function signEnvelope(signer: KeyedSigner, payloadType: string, payload: Buffer): Promise<SignedEnvelope> {
  const info = await signer.publicKey();
  const pae = preAuthEncoding(payloadType, payload);
  const { signature } = await signer.sign(pae);
  if (!verifyEcdsaSha256(loadPublicKey(info.pem, `public key of ${info.keyId}`), pae, signature)) {
    throw new BadInputError(`the signer's DSSE signature does not verify with its public key ${info.keyId} (is the key ECDSA P-256 and the signature DER?)`);
  }
  const envelope: DsseEnvelope = { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: signature.toString('base64') }] };
  return { envelope, payload, signature, pae };
}

export function envelopeBytes(e: DsseEnvelope): Buffer {
  return Buffer.from(JSON.stringify(e), 'utf8');
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]*={0,2}$/;

/** DSSE: verifiers MUST accept standard and URL-safe base64. Undefined when it is neither. */
export function decodeDsseBase64(text: string): Buffer | undefined {
  if (BASE64_RE.test(text)) return Buffer.from(text, 'base64');
  if (BASE64URL_RE.test(text)) return Buffer.from(text.replace(/=+$/, ''), 'base64url');
  return undefined;
}

/** A parsed envelope: the decoded payload and signatures, untrusted until verified. */
export interface ParsedEnvelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: readonly Buffer[];
}

export type EnvelopeParseResult = { readonly ok: true; readonly envelope: ParsedEnvelope } | { readonly ok: false; readonly reason: string };

/** Parses envelope JSON strictly (duplicate keys refused). Never throws. */
export function parseEnvelope(bytes: Buffer): EnvelopeParseResult {
  if (bytes.length > MAX_ENVELOPE_BYTES) return { ok: false, reason: `DSSE envelope is larger than ${MAX_ENVELOPE_BYTES} bytes` };
  const json = parseStrictJson(bytes);
  if (!json.ok) return { ok: false, reason: `DSSE envelope is not strict JSON: ${json.reason}` };
  const doc = json.value;
  if (!isJsonObject(doc)) return { ok: false, reason: 'DSSE envelope is not a JSON object' };
  if (typeof doc.payloadType !== 'string') return { ok: false, reason: 'DSSE envelope has no payloadType' };
  if (typeof doc.payload !== 'string') return { ok: false, reason: 'DSSE envelope has no payload' };
  const payload = decodeDsseBase64(doc.payload);
  if (!payload) return { ok: false, reason: 'DSSE payload is not base64' };
  if (!Array.isArray(doc.signatures) || doc.signatures.length === 0) return { ok: false, reason: 'DSSE envelope has no signatures' };
  const signatures: Buffer[] = [];
  for (const s of doc.signatures) {
    if (!isJsonObject(s) || typeof s.sig !== 'string') return { ok: false, reason: 'a DSSE signature has no sig' };
    const sig = decodeDsseBase64(s.sig);
    if (!sig) return { ok: false, reason: 'a DSSE sig is not base64' };
    signatures.push(sig);
  }
  return { ok: true, envelope: { payloadType: doc.payloadType, payload, signatures } };
}

/** The first key that verifies one of the envelope's signatures over the PAE, if any. */
export function verifyEnvelope(e: ParsedEnvelope, keys: readonly VerificationKey[]): VerificationKey | undefined {
  const pae = preAuthEncoding(e.payloadType, e.payload);
  return keys.find((k) => e.signatures.some((sig) => verifyEcdsaSha256(k.key, pae, sig)));
}

/** The envelope's signature made by `key` (to recognise and reuse our own earlier attestations). */
export function signatureBy(e: ParsedEnvelope, key: KeyObject): Buffer | undefined {
  const pae = preAuthEncoding(e.payloadType, e.payload);
  return e.signatures.find((sig) => verifyEcdsaSha256(key, pae, sig));
}
