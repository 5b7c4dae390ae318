/**
 * Promotion: copy an artifact by digest into a repository of environment E, only when the gate
 * allows it in E (`forPromotion`: E's policy, before the artifact is in E's repositories).
 *
 * Order, so that nothing half-copied is ever tagged and a run that stopped anywhere resumes:
 * 1. the gate decides (a refusal is audited and alerted: `Policy Violation`, `promotion-refused`);
 * 2. manifests (every child of an index) and blobs by digest, then the evidence beside each
 *    manifest (`.sig`, `.att`, referrers), merged into what the target already holds;
 * 3. a signature by the stack's key naming the target repository (the copied ones name the
 *    source: `verify --identity SOURCE` accepts those, while containers/image's matchRepository
 *    and the gate want the repository the image is pulled from); skipped when already there;
 * 4. the ledger: the artifact, its evidence summaries and PROCESSED for the target repository;
 * 5. the tag, last; then the `Promotion` audit entry (action `promote`, actor, outcome).
 */
import { createHash, randomUUID } from 'node:crypto';
import { AlertType } from '../core/alerts';
import { BadInputError } from '../core/errors';
import { MetricName } from '../core/metric-names';
import type { CopyStats, EvidenceMerge } from '../oci/copy-artifact';
import { ArtifactCopier } from '../oci/copy-artifact';
import type { FetchedManifest } from '../oci/manifest';
import type { SourceSpec } from '../oci/open-source';
import { parseReference, repositoryName } from '../oci/reference';
import type { RegistryClient } from '../oci/registry-client';
import type { ArtifactSource } from '../oci/source';
import type { AlertSink } from '../ports/alert-sink';
import type { MetricsSink } from '../ports/metrics';
import type { AuditEvent, RecordStore } from '../ports/record-store';
import type { Approver } from '../ports/approver';
import { normalizedName } from '../signing/identity';
import { signArtifact } from '../signing/sign-artifact';
import { signingTargets } from '../signing/targets';
import { updateEvidenceManifest } from '../signing/sig-manifest';
import { appendToFallbackIndex } from '../attest/referrers';
import type { Environments } from './environments';
import { environmentNamed } from './environments';
import type { GateCaller, GateDecision, GateOptions, GateRequest } from './verify-gate';

export interface PromotionRequest {
  /** The artifact to promote: `HOST/REPO:TAG` or `HOST/REPO@sha256:…`. */
  readonly reference: string;
  /** `HOST/REPO[:TAG]`: the repository of the environment, and the tag to set at the end (default: the reference's tag). */
  readonly target: string;
  readonly environment: string;
}

export interface PromotionDeps {
  readonly gate: (req: GateRequest, caller?: GateCaller, options?: GateOptions) => Promise<GateDecision>;
  readonly environments: Environments;
  /** A registry client for a host (the source's and the target's may be the same). */
  readonly registry: (host: string) => RegistryClient;
  readonly openSource: (spec: SourceSpec) => Promise<ArtifactSource>;
  /** Signs the copy's approvals for the target repository (the stack's key, held by the Sign Lambda in AWS). */
  readonly approve: Approver;
  readonly records: RecordStore;
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
  readonly now: () => Date;
}

export interface PromotionOutcome {
  readonly promoted: boolean;
  readonly source: string;
  readonly target: string;
  readonly digest: string;
  readonly environment: string;
  readonly actor: string;
  readonly tag?: string;
  readonly reasons: readonly string[];
  readonly copied?: CopyStats;
  /** Manifests newly signed for the target repository (0 when a previous run had signed them). */
  readonly signaturesAdded?: number;
}

interface Target {
  readonly registry: string;
  readonly repository: string;
  readonly name: string;
  readonly tag?: string;
}

function targetOf(req: PromotionRequest, sourceTag: string | undefined, envs: Environments): Target {
  const ref = parseReference(req.target);
  if (ref.digest) throw new BadInputError(`promote: --to names a repository and optionally a tag, not a digest (${req.target})`);
  const name = normalizedName(repositoryName(ref));
  if (!name.ok) throw new BadInputError(`promote: --to ${name.reason}`);
  const env = environmentNamed(envs, req.environment);
  if (env.repositories && !env.repositories.includes(name.name)) {
    throw new BadInputError(`promote: ${name.name} is not a repository of environment ${env.name} (${env.repositories.join(', ')})`);
  }
  const tag = ref.tag ?? sourceTag;
  return { registry: ref.registry, repository: ref.repository, name: name.name, ...(tag ? { tag } : {}) };
}

/** `.sig`/`.att`: cosign's layout (config rebuilt for the layers); the fallback index: entries appended. */
const mergeEvidence: EvidenceMerge = (target, source) => {
  if (target.manifest.kind === 'index' && source.manifest.kind === 'index') {
    let bytes: Buffer | undefined;
    let current: FetchedManifest = target;
    for (const entry of source.manifest.manifests) {
      const next = appendToFallbackIndex(current, entry);
      if (!next) continue;
      bytes = next;
      current = { ...current, bytes: next };
    }
    return bytes ? { manifest: bytes } : undefined;
  }
  if (target.manifest.kind !== 'manifest' || source.manifest.kind !== 'manifest') throw new BadInputError(`evidence tag holds a ${target.manifest.kind} in the target and a ${source.manifest.kind} in the source; not merged`);
  const have = new Set(target.manifest.layers.map((l) => l.digest));
  const missing = source.manifest.layers.filter((l) => !have.has(l.digest));
  if (missing.length === 0) return undefined;
  return updateEvidenceManifest(target, missing);
};

const eventId = (...parts: string[]): string => createHash('sha256').update([...parts, randomUUID()].join('\n')).digest('hex').slice(0, 24);

export function createPromotion(deps: PromotionDeps) {
  /**
   * A `Promotion` event in the artifact's trail. Actor, action and outcome are also given at the
   * top level, as the general audit entry (actor, action, target, time, outcome) reads them; a
   * store that predates those fields keeps them in the detail.
   */
  const audit = async (repository: string, digest: string, actor: string, outcome: 'promoted' | 'refused', detail: Record<string, unknown>): Promise<void> => {
    const time = deps.now().toISOString();
    const event: AuditEvent & { readonly actor: string; readonly action: string; readonly outcome: string } = {
      id: eventId(time, repository, digest),
      time,
      type: 'Promotion',
      actor,
      action: 'promote',
      outcome,
      detail: { action: 'promote', actor, outcome, ...detail },
    };
    await deps.records.appendEvent(repository, digest, event);
  };

  /** The ledger for the target repository: what the source's says about this digest, marked as promoted. */
  const record = async (source: string, target: string, digest: string, time: string): Promise<void> => {
    const artifact = await deps.records.getArtifact(source, digest);
    if (artifact) await deps.records.putArtifact({ ...artifact, repositoryName: target, firstSeen: time, source: `promoted from ${source}@${digest}` });
    for (const [kind, body] of Object.entries(await deps.records.getEvidence(source, digest))) {
      await deps.records.putEvidence(target, digest, kind, { ...body, promotedFrom: source }, time);
    }
    await deps.records.markProcessed(target, digest, time);
  };

  return async (req: PromotionRequest, caller: GateCaller): Promise<PromotionOutcome> => {
    const sourceRef = parseReference(req.reference);
    const target = targetOf(req, sourceRef.tag, deps.environments);
    const sourceName = normalizedName(repositoryName(sourceRef));
    if (sourceName.ok && target.name === sourceName.name) throw new BadInputError(`promote: the target ${target.name} is the source repository`);
    const decision = await deps.gate({ reference: req.reference, environment: req.environment }, caller, { forPromotion: true });
    const base = { source: `${decision.repository}@${decision.digest}`, target: target.name, digest: decision.digest, environment: req.environment, actor: caller.identity, ...(target.tag ? { tag: target.tag } : {}) };
    if (!decision.allowed) {
      await audit(decision.repository, decision.digest, caller.identity, 'refused', { environment: req.environment, target: target.name, reasons: decision.reasons.slice(0, 20) });
      deps.metrics.count(MetricName.policyViolations);
      await deps.alerts.publish([
        {
          type: AlertType.policyViolation,
          detail: {
            summary: `promotion of ${base.source} to ${target.name} (${req.environment}) refused: ${decision.reasons.slice(0, 3).join('; ')}`,
            reason: 'promotion-refused',
            repository: decision.repository,
            digest: decision.digest,
            target: target.name,
            environment: req.environment,
            caller: caller.identity,
            reasons: decision.reasons,
          },
        },
      ]);
      return { promoted: false, ...base, reasons: decision.reasons };
    }

    const src = parseReference(decision.repository);
    const copier = new ArtifactCopier({ client: deps.registry(src.registry), repository: src.repository }, { client: deps.registry(target.registry), repository: target.repository }, mergeEvidence);
    const root = await copier.copyWithEvidence(decision.digest);

    const copy = await deps.openSource({ scheme: 'registry', location: `${target.name}@${decision.digest}` });
    let signaturesAdded = 0;
    try {
      const targets = await signingTargets(copy, root);
      const signer = await deps.approve(target.name, targets.map((t) => t.digest));
      const signed = await signArtifact({ source: copy, signer, identity: target.name, root, targets });
      signaturesAdded = signed.targets.filter((t) => t.outcome === 'appended').length;
    } finally {
      await copy.close();
    }

    const time = deps.now().toISOString();
    await record(decision.repository, target.name, decision.digest, time);
    if (target.tag) {
      const claim = await deps.records.claimTag(target.name, target.tag, decision.digest, time);
      if (claim.digest !== decision.digest) throw new BadInputError(`promote: tag ${target.name}:${target.tag} is bound to ${claim.digest}; tags are immutable (promote under another tag)`);
      await copier.tag(target.tag, root);
    }
    await audit(target.name, decision.digest, caller.identity, 'promoted', { environment: req.environment, source: base.source, target: target.name, tag: target.tag ?? null, signaturesAdded, copied: { ...copier.stats, evidenceTags: copier.stats.evidenceTags.length } });
    return { promoted: true, ...base, reasons: [], copied: copier.stats, signaturesAdded };
  };
}
