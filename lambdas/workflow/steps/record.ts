import { createHash } from 'node:crypto';
import type { MetricsSink } from '../../ports/metrics';
import type { AuditEvent, RecordStore } from '../../ports/record-store';
import type { LedgerStore } from '../../ports/ledger-store';
import type { BuildLink } from '../../ledger/link-build';
import { linkBuild } from '../../ledger/link-build';
import type { TagPolicy } from '../../ledger/tag-policy';
import { tagPolicyProblem } from '../../ledger/tag-policy';
import type { RecordResult, WorkflowState } from '../state';
import { MetricName } from '../../core/metric-names';
import type { BlobStore } from '../../ports/blob-store';
import type { ComponentIndex } from '../../ports/component-index';
import { indexArtifact } from '../index-components';

export interface RecordDeps {
  readonly records: RecordStore;
  readonly now: () => Date;
  readonly metrics: MetricsSink;
  /** The provenance ledger: tag history, build records joined by digest, flags. */
  readonly ledger?: LedgerStore;
  /** Tags a push may use; undefined: any. */
  readonly tagPolicy?: TagPolicy;
  /** The component index (the vulnerability watch reads it) and where the SBOMs to index are. */
  readonly index?: { readonly components: ComponentIndex; readonly evidence: BlobStore };
}

/** Audit ids derive from the trigger, so a replayed event rewrites nothing. */
function eventId(triggerId: string, type: string, extra = ''): string {
  return createHash('sha256').update(`${triggerId}\n${type}\n${extra}`).digest('hex').slice(0, 24);
}

/**
 * An evidence push (see oci/evidence-push.ts): a valid one is an event in its subject's audit
 * trail; an invalid one is recorded as what it is, with a policy violation in its own trail.
 */
async function recordEvidencePush(deps: RecordDeps, state: WorkflowState): Promise<RecordResult> {
  const a = state.artifact;
  const e = a.evidence as NonNullable<typeof a.evidence>;
  const time = a.trigger.time;
  const detail = { trigger: a.trigger.type, triggerId: a.trigger.id, tag: a.tag ?? null, digest: a.digest, claim: e.claim, subject: e.subject ?? null, reason: e.reason };
  if (e.valid && e.subject) {
    const written = await deps.records.appendEvent(a.repositoryName, e.subject, { id: eventId(a.trigger.id, 'evidence', a.digest), time, type: 'EvidencePushed', detail });
    // No artifact record is written for evidence: the subject has (or will have) its own.
    return { artifact: 'exists', eventsWritten: written === 'created' ? 1 : 0 };
  }
  const artifact = await deps.records.putArtifact({ repositoryName: a.repositoryName, digest: a.digest, mediaType: a.mediaType, kind: a.kind, platforms: [], provenance: {}, firstSeen: time, source: a.source });
  const written = await deps.records.appendEvent(a.repositoryName, a.digest, { id: eventId(a.trigger.id, 'policy-violation', a.digest), time, type: 'PolicyViolation', detail });
  deps.metrics.count(MetricName.policyViolations);
  return { artifact, policyViolation: { reason: e.reason }, eventsWritten: written === 'created' ? 1 : 0 };
}

/** A tag the policy does not allow: flagged once per digest and tag (replays stay silent), logged, counted. */
async function checkTagPolicy(deps: RecordDeps, state: WorkflowState, tag: string, events: AuditEvent[]): Promise<RecordResult['tagPolicyViolation']> {
  const a = state.artifact;
  const rule = deps.tagPolicy && tagPolicyProblem(deps.tagPolicy, tag);
  if (!rule) return undefined;
  events.push({ id: eventId(a.trigger.id, 'tag-policy', tag), time: a.trigger.time, type: 'TagPolicyViolation', detail: { tag, rule } });
  const first = deps.ledger ? (await deps.ledger.raiseFlag(a.repositoryName, a.digest, { kind: 'tag-policy', key: tag, time: a.trigger.time, detail: { tag, rule } })) === 'created' : true;
  if (!first) return undefined;
  deps.metrics.count(MetricName.policyViolations);
  return { tag, rule };
}

/** Build records reported for this digest before it was pushed: joined now (after, the build recorder joins them). */
async function joinBuilds(deps: RecordDeps, state: WorkflowState): Promise<BuildLink[]> {
  const { ledger } = deps;
  if (!ledger) return [];
  const a = state.artifact;
  const builds = await ledger.buildsOf(a.digest);
  // The artifact as first recorded (its labels and firstSeen), so that replays join the same way.
  const stored = builds.length ? await deps.records.getArtifact(a.repositoryName, a.digest) : undefined;
  const links: BuildLink[] = [];
  for (const build of builds) {
    const link = await linkBuild({ records: deps.records, ledger }, stored ?? { repositoryName: a.repositoryName, digest: a.digest, provenance: a.provenance, firstSeen: a.trigger.time }, build);
    if (link.alert) {
      links.push(link);
      deps.metrics.count(MetricName.policyViolations);
    }
  }
  return links;
}

/**
 * Record: the artifact (once), its tag binding, what the steps found, and the audit trail —
 * all conditional writes (PROCESSED comes last, from Notify). A tag already bound to another digest is an immutability violation.
 */
export function createRecordStep(deps: RecordDeps) {
  return async (state: WorkflowState): Promise<RecordResult> => {
    const a = state.artifact;
    if (a.evidence) return recordEvidencePush(deps, state);
    const { records } = deps;
    const time = a.trigger.time;
    const events: AuditEvent[] = [];
    const artifact = await records.putArtifact({
      repositoryName: a.repositoryName,
      digest: a.digest,
      mediaType: a.mediaType,
      kind: a.kind,
      platforms: a.platforms.map((p) => ({ digest: p.digest, ...(p.platform ? { platform: p.platform } : {}) })),
      provenance: a.provenance,
      firstSeen: time,
      source: a.source,
    });
    events.push({
      id: eventId(a.trigger.id, 'pushed'),
      time,
      type: a.duplicate ? 'ArtifactPushedAgain' : 'ArtifactPushed',
      detail: { trigger: a.trigger.type, triggerId: a.trigger.id, tag: a.tag ?? null, kind: a.kind },
    });
    let tagViolation: RecordResult['tagViolation'];
    if (a.tag) {
      const claim = await records.claimTag(a.repositoryName, a.tag, a.digest, time);
      if (claim.digest !== a.digest) {
        tagViolation = { tag: a.tag, boundDigest: claim.digest };
        events.push({ id: eventId(a.trigger.id, 'tag-violation', a.tag), time, type: 'TagImmutabilityViolation', detail: { tag: a.tag, boundDigest: claim.digest, pushedDigest: a.digest } });
      }
      const outcome = claim.outcome === 'created' ? 'bound' : claim.digest === a.digest ? 'again' : 'violation';
      await deps.ledger?.recordTagPush({ repositoryName: a.repositoryName, tag: a.tag, digest: a.digest, time, outcome });
    }
    const tagPolicyViolation = a.tag ? await checkTagPolicy(deps, state, a.tag, events) : undefined;
    if (!a.duplicate) {
      if (state.sbom) await records.putEvidence(a.repositoryName, a.digest, 'sbom', { ...state.sbom }, time);
      if (state.scan) await records.putEvidence(a.repositoryName, a.digest, 'scan', { ...state.scan }, time);
      if (state.signing) await records.putEvidence(a.repositoryName, a.digest, 'signature', { ...state.signing }, time);
      if (state.sbom && deps.index) {
        const target = { repository: a.repositoryName, digest: a.digest, ...(a.tag ? { tag: a.tag } : {}) };
        await indexArtifact({ index: deps.index.components, evidence: deps.index.evidence }, target, state.sbom, state.scan?.verdict, time);
      }
    }
    if (!a.duplicate) {
      events.push({ id: eventId(a.trigger.id, 'processed'), time, type: 'ArtifactProcessed', detail: { kind: a.kind, platforms: a.platforms.length } });
    }
    let written = 0;
    for (const e of events) if ((await records.appendEvent(a.repositoryName, a.digest, e)) === 'created') written += 1;
    // PROCESSED is written by Notify, after the alerts: a crash before it leaves the digest to be processed again.
    if (tagViolation) deps.metrics.count(MetricName.tagViolations);
    const provenanceMismatches = await joinBuilds(deps, state);
    return {
      artifact,
      ...(tagViolation ? { tagViolation } : {}),
      ...(tagPolicyViolation ? { tagPolicyViolation } : {}),
      ...(provenanceMismatches.length ? { provenanceMismatches } : {}),
      eventsWritten: written,
    };
  };
}
