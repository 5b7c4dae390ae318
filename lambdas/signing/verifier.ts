import type { KeyObject } from 'node:crypto';
import { MediaType } from '../oci/media-types';
import { decodeStdBase64, isDerEcdsaSignature, verifyEcdsaSha256 } from './ecdsa';
import { matchRepository } from './identity';
import { parsePayload } from './payload';
import { SIGNATURE_ANNOTATION } from './sig-manifest';

/** A public key a signature may verify with, and how to name it in reasons. */
export interface VerificationKey {
  readonly name: string;
  readonly key: KeyObject;
}

/** What must be true of an accepted signature. */
export interface VerificationPolicy {
  /** The manifest digest the payload must name (REF's resolved digest). */
  readonly manifestDigest: string;
  readonly keys: readonly VerificationKey[];
  /** Normalised repository names (`identity.normalizedName`) the docker-reference may name. */
  readonly repositories: readonly string[];
}

/** One layer of a `.sig` manifest, with its payload blob once fetched. */
export interface SignatureCandidate {
  readonly mediaType: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The payload bytes; `{ error }` when they could not be read; undefined when not fetched. */
  readonly payload?: Buffer | { readonly error: string };
}

export type LayerVerdict =
  | { readonly accepted: true; readonly key: string; readonly dockerReference: string }
  | { readonly accepted: false; readonly reason: string };

/**
 * Decides one signature layer in containers/image's order: layer type, annotation, the
 * cryptographic signature over the payload bytes, and only then the (now authenticated)
 * payload's claims: strict shape, digest, identity.
 */
export function verifyCandidate(c: SignatureCandidate, policy: VerificationPolicy): LayerVerdict {
  const deny = (reason: string): LayerVerdict => ({ accepted: false, reason });
  if (c.mediaType !== MediaType.cosignSimpleSigning) return deny(`media type ${c.mediaType} is not ${MediaType.cosignSimpleSigning}`);
  const encoded = c.annotations?.[SIGNATURE_ANNOTATION];
  if (!encoded) return deny(`no ${SIGNATURE_ANNOTATION} annotation`);
  const signature = decodeStdBase64(encoded);
  if (!signature) return deny(`${SIGNATURE_ANNOTATION} is not standard base64`);
  if (!isDerEcdsaSignature(signature)) return deny(`signature is not an ASN.1 DER ECDSA signature (${signature.length} bytes; truncated or raw r||s?)`);
  if (c.payload === undefined) return deny('payload was not fetched');
  if (!Buffer.isBuffer(c.payload)) return deny(`payload unreadable: ${c.payload.error}`);
  const payload = c.payload;
  const key = policy.keys.find((k) => verifyEcdsaSha256(k.key, payload, signature));
  if (!key) {
    const names = policy.keys.map((k) => k.name).join(', ');
    return deny(`signature does not verify with ${policy.keys.length === 1 ? 'key' : `any of the ${policy.keys.length} keys`} ${names}`);
  }
  const parsed = parsePayload(payload);
  if (!parsed.ok) return deny(`signed payload rejected: ${parsed.reason}`);
  const { manifestDigest, dockerReference } = parsed.claims;
  if (manifestDigest !== policy.manifestDigest) return deny(`signature is for digest ${manifestDigest}, not ${policy.manifestDigest}`);
  const identity = matchRepository(dockerReference, policy.repositories);
  if (!identity.ok) return deny(identity.reason);
  return { accepted: true, key: key.name, dockerReference };
}

export interface Decision {
  readonly allowed: boolean;
  /** One verdict per candidate, in layer order. */
  readonly verdicts: readonly LayerVerdict[];
}

/** Allowed iff some layer is accepted (cosign and containers/image need only one). */
export function decide(candidates: readonly SignatureCandidate[], policy: VerificationPolicy): Decision {
  const verdicts = candidates.map((c) => verifyCandidate(c, policy));
  return { allowed: verdicts.some((v) => v.accepted), verdicts };
}
