import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { BadInputError } from '../../core/errors';
import { planArtifact } from '../../oci/artifact-plan';
import { classify, provenanceFrom } from '../../oci/classify';
import { checkEvidencePush } from '../../oci/evidence-push';
import { localRepositoryName } from '../../oci/local-name';
import type { FetchedManifest } from '../../oci/manifest';
import { IMAGE_CONFIG_TYPES } from '../../oci/media-types';
import type { SourceSpec } from '../../oci/open-source';
import { parseSource } from '../../oci/open-source';
import { parseReference } from '../../oci/reference';
import type { ArtifactSource } from '../../oci/source';
import type { RecordStore } from '../../ports/record-store';
import type { ResolvedArtifact, WorkflowInput, WorkflowState } from '../state';
import { PROCESSING_LEASE_SECONDS } from '../../core/processing-lease';
import type { Trigger } from '../../core/artifact';
import { configLabels, parseImageConfig } from '../../oci/image-config';

export interface ResolveDeps {
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  readonly records: RecordStore;
  readonly now: () => Date;
  /** How long the processing lease lasts. @default PROCESSING_LEASE_SECONDS */
  readonly leaseSeconds?: number;
}

/** Resolve's input: the execution's input, with the execution's id set by the state machine's first state. */
export type ResolveInput = WorkflowInput & Pick<WorkflowState, 'execution'>;

/**
 * The executions an `artifact-guard redrive` restart continues: `…:name.rerun2` restarts
 * `…:name.rerun1`, which restarted `…:name`. Their lease (a failed run whose failure path could
 * not release it) is the restart's to take; without this the restart, same event, would end at once.
 */
export function restartedExecutions(execution: string): string[] {
  const m = /^(.*)\.rerun(\d+)$/.exec(execution);
  if (!m) return [];
  const base = m[1] as string;
  return [base, ...Array.from({ length: Math.min(Number(m[2]), 99) - 1 }, (_, i) => `${base}.rerun${i + 1}`)];
}

/**
 * Processed before, or being processed by another execution? Only an execution (the state
 * machine sets its id) takes the lease: the evidence check and direct invocations never process.
 */
async function claimDigest(deps: ResolveDeps, execution: string | undefined, repositoryName: string, digest: string, trigger: Trigger): Promise<Pick<ResolvedArtifact, 'duplicate' | 'inProgress'>> {
  if (await deps.records.isProcessed(repositoryName, digest)) return { duplicate: true };
  if (!execution) return { duplicate: false };
  const claim = await deps.records.acquireLease(repositoryName, digest, {
    owner: execution,
    triggerId: trigger.id,
    now: deps.now(),
    seconds: deps.leaseSeconds ?? PROCESSING_LEASE_SECONDS,
    predecessors: restartedExecutions(execution),
  });
  if (claim.outcome === 'held') return { duplicate: true, inProgress: { by: claim.holder.owner, until: claim.holder.expiresAt, sameEvent: claim.holder.triggerId === trigger.id } };
  // A run that finished between the first look and the lease: nothing left to do.
  if (await deps.records.isProcessed(repositoryName, digest)) {
    await deps.records.releaseLease(repositoryName, digest, execution);
    return { duplicate: true };
  }
  return { duplicate: false };
}

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** Turns an ECR push event (or a manual `{source}`) into a source reference and a trigger. */
export function sourceOf(input: WorkflowInput, now: Date): { source: string; tag?: string; trigger: Trigger } {
  // An EventBridge event carries `source` too (`aws.ecr`): only a manual input's `source` is a reference.
  const isEvent = input['detail-type'] !== undefined || input.detail !== undefined;
  if (input.source && !isEvent) {
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

/** The source every later step opens: a registry reference by digest, so a moved tag cannot change what they read. */
export function pinnedSource(spec: SourceSpec, digest: string): string {
  // On disk: the absolute path, so no later step depends on the directory it runs in.
  if (spec.scheme !== 'registry') return `${spec.scheme}:${path.resolve(spec.location)}${spec.tag ? `:${spec.tag}` : ''}`;
  const ref = parseReference(spec.location);
  return `registry:${ref.registry}/${ref.repository}@${digest}`;
}

async function readLabels(source: ArtifactSource, m: FetchedManifest | undefined): Promise<Record<string, unknown> | undefined> {
  if (m?.manifest.kind !== 'manifest') return undefined;
  const cfg = m.manifest.config;
  if (!IMAGE_CONFIG_TYPES.has(cfg.mediaType) || cfg.size === 0 || cfg.size > MAX_CONFIG_BYTES) return undefined;
  return configLabels(parseImageConfig(await source.readBlob(cfg, MAX_CONFIG_BYTES), cfg.digest));
}

/**
 * Resolve: fetch the manifest, pin the artifact to its digest, check evidence pushes for what
 * they claim, walk the artifact once (its plan), read provenance labels, detect replays and take
 * the digest's processing lease (so that duplicate and concurrent events process it once).
 */
export function createResolveStep(deps: ResolveDeps) {
  return async (input: ResolveInput): Promise<ResolvedArtifact> => {
    const { source: ref, tag: eventTag, trigger } = sourceOf(input, deps.now());
    const spec = parseSource(ref);
    const source = await deps.openSource(spec);
    try {
      const root = await source.resolve();
      const tag = eventTag ?? source.tag;
      const repositoryName = source.writer?.repositoryName ?? (spec.scheme === 'registry' ? source.display : localRepositoryName(spec.location));
      const base = { source: pinnedSource(spec, root.digest), repositoryName, digest: root.digest, mediaType: root.mediaType, kind: classify(root.manifest), ...(tag ? { tag } : {}), trigger };
      const evidence = await checkEvidencePush(source, root, tag);
      if (evidence) return { ...base, targets: [], platforms: [], provenance: {}, evidence, duplicate: false };
      const plan = await planArtifact(source, root);
      const firstImage = plan.targets.find((t) => t.role === 'image');
      const labels = await readLabels(source, firstImage ? plan.manifests.get(firstImage.digest) : undefined);
      const platforms = plan.targets.filter((t) => t.digest !== root.digest).map((t) => ({ digest: t.digest, mediaType: t.mediaType, ...(t.platform ? { platform: t.platform } : {}) }));
      const provenance = provenanceFrom(labels, root.manifest.annotations);
      const claim = await claimDigest(deps, input.execution?.id, repositoryName, root.digest, trigger);
      return { ...base, targets: plan.targets, platforms, provenance, ...claim };
    } finally {
      await source.close();
    }
  };
}
