import { evidenceTag } from '../oci/classify';
import { digestOf } from '../oci/digest';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import { SIGNATURE_ANNOTATION, signatureConfig } from '../signing/sig-manifest';

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

type RawDescriptor = Readonly<Record<string, unknown>>;

export interface AttestationManifest {
  readonly manifest: Buffer;
  readonly config: Buffer;
}

/**
 * The `.att` manifest after dropping the layers at `remove` (older attestations of the same
 * type by the same key) and appending `add`. Other layers are kept byte for byte as JSON
 * values: nobody else's attestation is ever dropped.
 */
export function updateAttestations(existing: FetchedManifest | undefined, add: readonly Descriptor[], remove: ReadonlySet<number> = new Set()): AttestationManifest {
  const previous = existing ? (JSON.parse(existing.bytes.toString('utf8')) as { layers?: RawDescriptor[]; annotations?: unknown }) : {};
  const kept = (previous.layers ?? []).filter((_, i) => !remove.has(i));
  const layers: RawDescriptor[] = [...kept, ...add.map((l) => ({ ...l }))];
  // cosign's attestation image is built like its signature image (empty image + layers).
  const config = signatureConfig(layers.map((l) => String(l.digest)));
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, size: config.length, digest: digestOf(config) },
    layers,
    ...(previous.annotations ? { annotations: previous.annotations } : {}),
  };
  return { manifest: Buffer.from(JSON.stringify(doc)), config };
}
