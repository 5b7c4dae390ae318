import { BadInputError } from '../core/errors';

/** payloadType of every in-toto statement in a DSSE envelope (the only one cosign accepts). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** `_type` of the statements we write; v0.1 is still read (cosign's legacy `attest` writes it). */
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';

/**
 * The attestation types the CLI names (`--type`, cosign's names) and their predicateType URIs.
 * Policy engines compare the URI as a string, so the unversioned cosign values are used.
 */
export const PREDICATE_TYPES = {
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
} as const;

export type AttestationType = keyof typeof PREDICATE_TYPES;
export const ATTESTATION_TYPES = Object.keys(PREDICATE_TYPES) as AttestationType[];

/** What cosign v3 signs in bundle mode: an "approval" statement with an empty predicate. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

export function isAttestationType(name: string): name is AttestationType {
  return Object.prototype.hasOwnProperty.call(PREDICATE_TYPES, name);
}

/** `--type` / policy `type`: one of our names, or any absolute URI taken as the predicateType. */
export function predicateTypeFor(name: string, what = '--type'): string {
  if (isAttestationType(name)) return PREDICATE_TYPES[name];
  if (/^[a-z][a-z0-9+.-]*:\S+$/i.test(name)) return name;
  throw new BadInputError(`${what} must be one of ${ATTESTATION_TYPES.join(', ')} or a predicate type URI (got "${name}")`);
}

/** The short name for a predicateType URI, else the URI itself (for summaries and blob keys). */
export function typeNameOf(predicateType: string): string {
  const hit = ATTESTATION_TYPES.find((t) => PREDICATE_TYPES[t] === predicateType);
  if (hit) return hit;
  return predicateType === COSIGN_SIGN_PREDICATE_TYPE ? 'cosign-sign' : predicateType;
}
