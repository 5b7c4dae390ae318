import { BadInputError } from '../core/errors';
import { evidenceTag } from '../oci/classify';
import { digestOf } from '../oci/digest';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';

/** Layer annotation holding base64(DER signature) (cosign pkg/oci/static/signature.go). */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/** cosign refuses signature images with more layers than this (pkg/oci/mutate). */
export const MAX_SIGNATURE_LAYERS = 1000;

/** `sha256:abc…` → `sha256-abc….sig`: the tag cosign and containers/image look up. */
export function signatureTag(digest: string): string {
  return evidenceTag(digest, 'sig');
}

/** The descriptor of one signature: the payload blob, its signature in the annotation. */
export function signatureLayer(payload: Buffer, signature: Buffer): Descriptor {
  return {
    mediaType: MediaType.cosignSimpleSigning,
    size: payload.length,
    digest: digestOf(payload),
    annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
  };
}

// go-containerregistry's zero time, which cosign leaves in the config unless asked otherwise.
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The config blob cosign writes (go-containerregistry's empty image with the payload layers
 * appended): no platform, zero times, one history entry and one diff_id per layer. Verifiers
 * never read it; we match cosign so registries and tools see the same kind of object.
 */
export function signatureConfig(layerDigests: readonly string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: ZERO_TIME,
      history: layerDigests.map(() => ({ created: ZERO_TIME })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layerDigests },
      config: {},
    }),
  );
}

/** An evidence manifest (`.sig`, `.att`) ready to push, with the config blob it names. */
export interface EvidenceManifest {
  readonly manifest: Buffer;
  readonly config: Buffer;
}

export type SignatureManifest = EvidenceManifest;

type RawDescriptor = Readonly<Record<string, unknown>>;

/**
 * What an evidence tag should hold after dropping the layers at `remove` and appending `add`.
 * Other layers are kept byte for byte as JSON values (fields we do not model included): nobody
 * else's signature or attestation is ever dropped. cosign builds both kinds alike (an empty image
 * plus layers), so the config follows the layers.
 */
export function updateEvidenceManifest(existing: FetchedManifest | undefined, add: readonly Descriptor[], remove: ReadonlySet<number> = new Set()): EvidenceManifest {
  if (existing && existing.manifest.kind !== 'manifest') throw new BadInputError(`an evidence tag holds an index (${existing.digest}), not an image manifest; refusing to overwrite it`);
  // Bytes parseManifest accepted as an image manifest: `layers` is a list of descriptor objects.
  const previous = existing ? (JSON.parse(existing.bytes.toString('utf8')) as { layers?: RawDescriptor[]; annotations?: unknown }) : {};
  const kept = (previous.layers ?? []).filter((_, i) => !remove.has(i));
  const layers: RawDescriptor[] = [...kept, ...add.map((l) => ({ ...l }))];
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

/** The `.sig` manifest after appending `layer` to what the tag held. */
export function appendSignature(existing: FetchedManifest | undefined, layer: Descriptor): SignatureManifest {
  return updateEvidenceManifest(existing, [layer]);
}

/**
 * Why a `.sig` manifest cannot hold signatures a verifier will read, if it cannot:
 * containers/image insists on an OCI image manifest (Docker media types are rejected).
 */
export function signatureManifestProblem(m: FetchedManifest): string | undefined {
  if (m.manifest.kind !== 'manifest') return `it is an index (${m.mediaType}), not an image manifest`;
  if (m.mediaType !== MediaType.ociManifest) return `its media type is ${m.mediaType}; cosign and containers/image need ${MediaType.ociManifest}`;
  return undefined;
}
