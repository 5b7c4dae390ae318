import { evidenceTag } from '../oci/classify';
import { digestOf } from '../oci/digest';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { EvidenceManifest } from '../signing/sig-manifest';
import { SIGNATURE_ANNOTATION, updateEvidenceManifest } from '../signing/sig-manifest';

/** Layer annotation naming the statement's predicateType (cosign `--type`, `--replace`). */
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';

/** cosign refuses attestation images with more layers than this, as for signatures. */
export const MAX_ATTESTATION_LAYERS = 1000;

/** `sha256:abc…` → `sha256-abc….att` (cosign's tag layout, ATTESTATION_SPEC). */
export function attestationTag(digest: string): string {
  return evidenceTag(digest, 'att');
}

/**
 * One attestation layer: the DSSE envelope JSON as the blob, `predicateType` in an annotation,
 * and cosign's `dev.cosignproject.cosign/signature` present but empty (the signature is inside
 * the envelope).
 */
export function attestationLayer(envelope: Buffer, predicateType: string): Descriptor {
  return {
    mediaType: MediaType.dsseEnvelope,
    size: envelope.length,
    digest: digestOf(envelope),
    annotations: { [PREDICATE_TYPE_ANNOTATION]: predicateType, [SIGNATURE_ANNOTATION]: '' },
  };
}

export type AttestationManifest = EvidenceManifest;

/**
 * The `.att` manifest after dropping the layers at `remove` (older attestations of the same
 * type by the same key) and appending `add`; everybody else's attestations are kept.
 */
export function updateAttestations(existing: FetchedManifest | undefined, add: readonly Descriptor[], remove: ReadonlySet<number> = new Set()): AttestationManifest {
  return updateEvidenceManifest(existing, add, remove);
}
