import type { FetchedManifest } from '../oci/manifest';
import { planArtifact, signableTargets } from '../oci/artifact-plan';
import type { ArtifactSource } from '../oci/source';

/** A manifest digest to sign. */
export interface SigningTarget {
  readonly digest: string;
  readonly mediaType: string;
  /** `linux/arm64/v8` for a platform manifest of an index. */
  readonly platform?: string;
  /** The manifest's size, when known (saves fetching it for a referrer's subject). */
  readonly size?: number;
}

/**
 * The manifests a signature over the root covers, platforms before the index that lists them
 * (as `cosign sign --recursive`): podman and CRI-O evaluate the policy on the platform manifest
 * they pull, so each one needs its own signature, and the index needs one for tools that check
 * the tag. BuildKit attestation manifests are not signed (see artifact-plan.ts).
 */
export async function signingTargets(source: ArtifactSource, root: FetchedManifest): Promise<SigningTarget[]> {
  return signableTargets((await planArtifact(source, root)).targets).map((t) => ({ digest: t.digest, mediaType: t.mediaType, size: t.size, ...(t.platform ? { platform: t.platform } : {}) }));
}
