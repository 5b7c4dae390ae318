import { BadInputError } from '../core/errors';
import type { FetchedManifest, Platform } from '../oci/manifest';
import { INDEX_TYPES } from '../oci/media-types';
import type { ArtifactSource } from '../oci/source';

/** A manifest digest to sign. */
export interface SigningTarget {
  readonly digest: string;
  readonly mediaType: string;
  /** `linux/arm64/v8` for a platform manifest of an index. */
  readonly platform?: string;
}

const MAX_INDEX_DEPTH = 4;

function platformName(p: Platform | undefined): string | undefined {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : undefined;
}

/**
 * The root manifest and, for an index, every manifest it lists (recursively, as `cosign sign
 * --recursive`): podman and CRI-O evaluate the policy on the platform manifest they pull, so
 * each one needs its own signature, and the index needs one for tools that check the tag.
 */
export async function signingTargets(source: ArtifactSource, root: FetchedManifest): Promise<SigningTarget[]> {
  const targets: SigningTarget[] = [{ digest: root.digest, mediaType: root.mediaType }];
  const seen = new Set([root.digest]);
  const walk = async (m: FetchedManifest, depth: number): Promise<void> => {
    if (m.manifest.kind !== 'index') return;
    if (depth > MAX_INDEX_DEPTH) throw new BadInputError(`indexes nested more than ${MAX_INDEX_DEPTH} deep under ${root.digest}`);
    for (const d of m.manifest.manifests) {
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      const platform = platformName(d.platform);
      targets.push({ digest: d.digest, mediaType: d.mediaType, ...(platform ? { platform } : {}) });
      if (INDEX_TYPES.has(d.mediaType)) await walk(await source.manifest(d), depth + 1);
    }
  };
  await walk(root, 1);
  return targets;
}
