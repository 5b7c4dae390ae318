import { createHash } from 'node:crypto';
import type { MetricsSink } from '../../ports/metrics';
import type { AuditEvent, RecordStore } from '../../ports/record-store';
import type { RecordResult, WorkflowState } from '../state';
import { MetricName } from '../../core/metric-names';

export interface RecordDeps {
  readonly records: RecordStore;
  readonly now: () => Date;
  readonly metrics: MetricsSink;
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
    }
    if (!a.duplicate) {
      if (state.sbom) await records.putEvidence(a.repositoryName, a.digest, 'sbom', { ...state.sbom }, time);
      if (state.scan) await records.putEvidence(a.repositoryName, a.digest, 'scan', { ...state.scan }, time);
      if (state.signing) await records.putEvidence(a.repositoryName, a.digest, 'signature', { ...state.signing }, time);
    }
    if (!a.duplicate) {
      events.push({ id: eventId(a.trigger.id, 'processed'), time, type: 'ArtifactProcessed', detail: { kind: a.kind, platforms: a.platforms.length } });
    }
    let written = 0;
    for (const e of events) if ((await records.appendEvent(a.repositoryName, a.digest, e)) === 'created') written += 1;
    // PROCESSED is written by Notify, after the alerts: a crash before it leaves the digest to be processed again.
    if (tagViolation) deps.metrics.count(MetricName.tagViolations);
    return { artifact, ...(tagViolation ? { tagViolation } : {}), eventsWritten: written };
  };
}
