import { createHash } from 'node:crypto';
import { BadInputError } from '../../core/errors';
import { classify, isEvidenceTag, provenanceFrom } from '../../oci/classify';
import type { FetchedManifest } from '../../oci/manifest';
import { IMAGE_CONFIG_TYPES } from '../../oci/media-types';
import type { SourceSpec } from '../../oci/open-source';
import { parseSource } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { RecordStore } from '../../ports/record-store';
import type { ResolvedArtifact, Trigger, WorkflowInput } from '../state';

export interface ResolveDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly records: RecordStore;
  readonly now: () => Date;
}

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** Turns an ECR push event (or a manual `{source}`) into a source reference and a trigger. */
export function sourceOf(input: WorkflowInput, now: Date): { source: string; tag?: string; trigger: Trigger } {
  if (input.source) {
    const time = input.time ?? now.toISOString();
    const id = input.id ?? createHash('sha256').update(`${input.source}\n${time}`).digest('hex').slice(0, 32);
    return { source: input.source, tag: input.tag, trigger: { type: 'manual', id, time } };
  }
  const d = input.detail;
  if (input['detail-type'] !== 'ECR Image Action' || !d?.['repository-name'] || !d['image-digest'] || !input.account || !input.region) {
    throw new BadInputError('input is neither an ECR Image Action event nor {"source": "..."}');
  }
  const suffix = input.region.startsWith('cn-') ? '.amazonaws.com.cn' : '.amazonaws.com';
  const registry = `${input.account}.dkr.ecr.${input.region}${suffix}`;
  return {
    source: `registry:${registry}/${d['repository-name']}@${d['image-digest']}`,
    tag: d['image-tag'],
    trigger: { type: 'ecr-push', id: input.id ?? d['image-digest'], time: input.time ?? now.toISOString() },
  };
}

function platformName(p?: { os: string; architecture: string; variant?: string }): string | undefined {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : undefined;
}

async function readLabels(source: ArtifactSource, m: FetchedManifest): Promise<Record<string, unknown> | undefined> {
  if (m.manifest.kind !== 'manifest') return undefined;
  const cfg = m.manifest.config;
  if (!IMAGE_CONFIG_TYPES.has(cfg.mediaType) || cfg.size === 0 || cfg.size > MAX_CONFIG_BYTES) return undefined;
  const bytes = await source.readBlob(cfg, MAX_CONFIG_BYTES);
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { config?: { Labels?: Record<string, unknown> } };
    return doc.config?.Labels ?? undefined;
  } catch {
    throw new BadInputError(`image config ${cfg.digest} is not valid JSON`);
  }
}

/** Resolve: fetch the manifest by digest, classify it, read provenance labels, detect replays. */
export function createResolveStep(deps: ResolveDeps) {
  return async (input: WorkflowInput): Promise<ResolvedArtifact> => {
    const { source: ref, tag: eventTag, trigger } = sourceOf(input, deps.now());
    const source = await deps.openSource(parseSource(ref));
    try {
      const root = await source.resolve();
      const tag = eventTag ?? source.tag;
      const repositoryName = source.writer?.repositoryName ?? source.display;
      const kind = classify(root.manifest);
      const base = { source: ref, repositoryName, digest: root.digest, mediaType: root.mediaType, kind, ...(tag ? { tag } : {}), trigger };
      if (kind === 'attachment' || isEvidenceTag(tag)) {
        return { ...base, kind, platforms: [], provenance: {}, skip: 'pipeline evidence (signature, attestation or referrer)', duplicate: false };
      }
      let platforms: ResolvedArtifact['platforms'] = [];
      let labels: Record<string, unknown> | undefined;
      if (root.manifest.kind === 'index') {
        platforms = root.manifest.manifests.map((d) => ({ digest: d.digest, mediaType: d.mediaType, ...(d.platform ? { platform: platformName(d.platform) } : {}) }));
        const first = root.manifest.manifests.find((d) => d.platform?.os !== 'unknown');
        if (first) labels = await readLabels(source, await source.manifest(first));
      } else {
        labels = await readLabels(source, root);
      }
      const provenance = provenanceFrom(labels, root.manifest.annotations);
      const duplicate = await deps.records.isProcessed(repositoryName, root.digest);
      return { ...base, platforms, provenance, duplicate };
    } finally {
      await source.close();
    }
  };
}
