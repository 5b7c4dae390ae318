/**
 * One walk of an artifact: every manifest it is made of, what each one is, and in which order
 * evidence is attached. The SBOM step inventories exactly the inventoried targets of this plan
 * (images, charts, artifacts) and the Sign step signs exactly its signable targets, so what is
 * signed is what was scanned.
 */
import { LimitExceededError } from '../core/errors';
import type { ArtifactKind } from '../core/artifact';
import { isEncryptedLayer } from './artifact-media-types';
import { classify, isHelmChart } from './classify';
import type { Descriptor, FetchedManifest, ImageManifest, Platform } from './manifest';
import { IMAGE_CONFIG_TYPES, MediaType } from './media-types';
import type { ArtifactSource } from './source';

/**
 * - `image`: a container image manifest; its layers are a filesystem, inventoried, scanned, signed.
 * - `chart`: a Helm chart (config `application/vnd.cncf.helm.config.v1+json`); its chart archive
 *   is inventoried (the chart, its dependencies, the images it deploys), scanned and signed.
 * - `artifact`: any other manifest (ORAS pushes, an index child whose config is not an image
 *   config): each layer is inventoried by its content (a tar as a file tree, a single jar, wheel,
 *   executable… by its own format, anything else as a file with its SHA-256), scanned and signed.
 * - `index`: an index; signed after every manifest it lists.
 * - `attestation`: a build attestation manifest (BuildKit's provenance/SBOM for a sibling image):
 *   in-toto statements only, nothing runnable. Neither inventoried nor signed.
 * - `uninventoried`: a manifest whose content cannot be read at all (every layer encrypted).
 *   Nothing can vouch for it, so a verdict over it is `incomplete`.
 */
export type TargetRole = 'image' | 'chart' | 'artifact' | 'index' | 'attestation' | 'uninventoried';

/** The roles whose manifests get an SBOM of their own. */
export type InventoriedRole = 'image' | 'chart' | 'artifact';

export function isInventoried(role: TargetRole): role is InventoriedRole {
  return role === 'image' || role === 'chart' || role === 'artifact';
}

export interface ArtifactTarget {
  readonly digest: string;
  readonly mediaType: string;
  /** The manifest's size in bytes (a referrer's subject descriptor needs it). */
  readonly size: number;
  /** `linux/arm64/v8`, from the index entry that lists the manifest. */
  readonly platform?: string;
  readonly role: TargetRole;
  /** For `uninventoried`: why; for `attestation`: the image it is about. */
  readonly note?: string;
}

export interface ArtifactPlan {
  readonly root: FetchedManifest;
  readonly kind: ArtifactKind;
  /** Every manifest of the artifact, each once, children before the index that lists them: the root is last. */
  readonly targets: readonly ArtifactTarget[];
  /** The manifests fetched on the walk, by digest (so callers need not fetch them again). */
  readonly manifests: ReadonlyMap<string, FetchedManifest>;
}

/** Nesting and size bounds: a hostile index must not make us fetch without end. */
export const MAX_INDEX_DEPTH = 4;
export const MAX_PLAN_TARGETS = 512;

const REFERENCE_TYPE = 'vnd.docker.reference.type';
const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

export function platformName(p: Platform | undefined): string | undefined {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : undefined;
}

/**
 * A genuine BuildKit attestation manifest: listed as `attestation-manifest` with platform
 * `unknown/unknown`, pointing at an image listed beside it, and made of in-toto statements only.
 * Anything claiming to be one without all of this is treated as what it really is.
 */
function attestationOf(desc: Descriptor, child: FetchedManifest, siblings: ReadonlySet<string>): string | undefined {
  const a = desc.annotations;
  if (a?.[REFERENCE_TYPE] !== 'attestation-manifest') return undefined;
  if (desc.platform?.os !== 'unknown' || desc.platform.architecture !== 'unknown') return undefined;
  const about = a[REFERENCE_DIGEST];
  if (!about || about === desc.digest || !siblings.has(about)) return undefined;
  const m = child.manifest;
  if (m.kind !== 'manifest' || m.layers.length === 0) return undefined;
  return m.layers.every((l) => l.mediaType === MediaType.inTotoJson) ? about : undefined;
}

/** True when the manifest is an image manifest with an image config (a `subject` does not change what it runs). */
function isImage(m: FetchedManifest): m is FetchedManifest & { manifest: ImageManifest } {
  return m.manifest.kind === 'manifest' && IMAGE_CONFIG_TYPES.has(m.manifest.config.mediaType);
}

/** Why a manifest cannot be inventoried at all, or undefined when it can. */
export function uninventoriedReason(m: FetchedManifest): string | undefined {
  if (m.manifest.kind === 'index') return 'an index is inventoried through the manifests it lists';
  if (isImage(m)) return undefined;
  const layers = m.manifest.layers;
  if (layers.length > 0 && layers.every((l) => isEncryptedLayer(l.mediaType))) return 'every layer is encrypted (ocicrypt): its content cannot be read';
  return undefined;
}

/** How a manifest (not an index) is inventoried, or why it cannot be. */
function roleOf(m: FetchedManifest): { role: InventoriedRole } | { role: 'uninventoried'; note: string } {
  const reason = uninventoriedReason(m);
  if (reason) return { role: 'uninventoried', note: reason };
  if (isImage(m)) return { role: 'image' };
  return { role: isHelmChart(m.manifest) ? 'chart' : 'artifact' };
}

/**
 * Walks the artifact a source names (its root already fetched, or resolved here). Each manifest
 * is fetched once, by digest: the source checks every manifest against its digest.
 */
export async function planArtifact(source: ArtifactSource, root?: FetchedManifest): Promise<ArtifactPlan> {
  const top = root ?? (await source.resolve());
  const targets: ArtifactTarget[] = [];
  const seen = new Set<string>([top.digest]);
  const manifests = new Map<string, FetchedManifest>([[top.digest, top]]);
  const add = (t: ArtifactTarget): void => {
    if (targets.length >= MAX_PLAN_TARGETS) throw new LimitExceededError(`${top.digest} is made of more than ${MAX_PLAN_TARGETS} manifests`);
    targets.push(t);
  };

  const walkIndex = async (index: FetchedManifest, depth: number): Promise<void> => {
    if (index.manifest.kind !== 'index') return;
    if (depth > MAX_INDEX_DEPTH) throw new LimitExceededError(`indexes nested more than ${MAX_INDEX_DEPTH} deep under ${top.digest}`);
    const entries = index.manifest.manifests.filter((d) => {
      if (seen.has(d.digest)) return false;
      seen.add(d.digest);
      return true;
    });
    const children = await Promise.all(entries.map(async (d) => ({ d, m: await source.manifest(d) })));
    for (const c of children) manifests.set(c.m.digest, c.m);
    const imageSiblings = new Set(children.filter((c) => isImage(c.m)).map((c) => c.d.digest));
    for (const { d, m } of children) {
      const platform = platformName(d.platform);
      const base = { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length, ...(platform ? { platform } : {}) };
      if (m.manifest.kind === 'index') {
        await walkIndex(m, depth + 1);
        add({ ...base, role: 'index' });
        continue;
      }
      const about = attestationOf(d, m, imageSiblings);
      add(about ? { ...base, role: 'attestation', note: about } : { ...base, ...roleOf(m) });
    }
  };

  if (top.manifest.kind === 'index') {
    await walkIndex(top, 1);
    add({ digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, role: 'index' });
  } else {
    add({ digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, ...roleOf(top) });
  }
  return { root: top, kind: classify(top.manifest), targets, manifests };
}

/** Targets that get a signature (and an approval bundle): everything but attestation manifests. */
export function signableTargets(targets: readonly ArtifactTarget[]): ArtifactTarget[] {
  return targets.filter((t) => t.role !== 'attestation');
}

/** Manifests an index stands for (its images, charts, artifacts and uninventoried children), the root excluded. */
export function memberTargets(plan: Pick<ArtifactPlan, 'targets' | 'root'>): ArtifactTarget[] {
  return plan.targets.filter((t) => t.digest !== plan.root.digest && (isInventoried(t.role) || t.role === 'uninventoried'));
}
