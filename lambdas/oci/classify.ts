import type { ArtifactKind, Provenance } from '../core/artifact';
import { HelmMediaType } from './artifact-media-types';
import type { Manifest } from './manifest';
import { IMAGE_CONFIG_TYPES, MediaType } from './media-types';


const EVIDENCE_LAYER_TYPES: ReadonlySet<string> = new Set([MediaType.cosignSimpleSigning, MediaType.dsseEnvelope]);

/**
 * cosign's tag for evidence about a digest: `sha256:abc…` → `sha256-abc….sig` (signatures),
 * `.att` (attestations) or `.sbom`. One derivation for every writer and reader.
 */
export function evidenceTag(digest: string, suffix: 'sig' | 'att' | 'sbom'): string {
  return `${digest.replace(':', '-')}.${suffix}`;
}

/** A tag our pipeline (or cosign) writes beside an artifact: `sha256-<hex>[.sig|.att|.sbom]`. */
export function isEvidenceTag(tag: string | undefined): boolean {
  return !!tag && /^sha(256|512)-[a-f0-9]{64,128}(\.(sig|att|sbom))?$/.test(tag);
}

/**
 * A Helm chart as `helm push` writes it (config type `application/vnd.cncf.helm.config.v1+json`),
 * or a manifest without an image config that declares itself one with `artifactType` (OCI 1.1
 * tools such as ORAS). An image config always makes an image: its layers are a filesystem.
 */
export function isHelmChart(manifest: Manifest): boolean {
  if (manifest.kind !== 'manifest') return false;
  if (manifest.config.mediaType === HelmMediaType.config) return true;
  return manifest.artifactType === HelmMediaType.config && !IMAGE_CONFIG_TYPES.has(manifest.config.mediaType);
}

/**
 * What a manifest is. `attachment` covers signatures, attestations, SBOMs and any referrer
 * (a manifest with a `subject`): evidence about another artifact, never processed itself.
 */
export function classify(manifest: Manifest): ArtifactKind {
  const artifactType = manifest.artifactType ?? '';
  if (manifest.subject) return 'attachment';
  if (artifactType.startsWith('application/vnd.dev.cosign.') || artifactType.startsWith('application/vnd.dev.sigstore.')) return 'attachment';
  if (manifest.kind === 'index') return 'index';
  const configType = manifest.config.mediaType;
  if (isHelmChart(manifest)) return 'helm-chart';
  if (manifest.layers.length > 0 && manifest.layers.every((l) => EVIDENCE_LAYER_TYPES.has(l.mediaType))) return 'attachment';
  if (IMAGE_CONFIG_TYPES.has(configType)) return 'image';
  return 'artifact';
}


/** Label / annotation keys read into provenance; documented in README. */
export const PROVENANCE_KEYS: Readonly<Record<keyof Provenance, readonly string[]>> = {
  revision: ['org.opencontainers.image.revision'],
  source: ['org.opencontainers.image.source'],
  created: ['org.opencontainers.image.created'],
  version: ['org.opencontainers.image.version'],
  buildId: ['dev.artifact-guard.build.id'],
  pipeline: ['dev.artifact-guard.build.pipeline'],
  author: ['dev.artifact-guard.build.author', 'org.opencontainers.image.authors'],
};

const MAX_VALUE = 1024;

/** Reads provenance from config labels and manifest annotations (labels win: they are built in). */
export function provenanceFrom(...sources: (Readonly<Record<string, unknown>> | undefined)[]): Provenance {
  const out: Record<string, string> = {};
  for (const [field, keys] of Object.entries(PROVENANCE_KEYS)) {
    for (const src of sources) {
      const value = keys.map((k) => src?.[k]).find((v): v is string => typeof v === 'string' && v.length > 0);
      if (value) {
        out[field] = value.slice(0, MAX_VALUE);
        break;
      }
    }
  }
  return out as Provenance;
}
