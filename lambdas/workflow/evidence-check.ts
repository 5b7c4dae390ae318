import { errorMessage } from '../core/errors';
import type { RecordResult, ResolvedArtifact, WorkflowInput, WorkflowState } from './state';

export interface EvidenceCheckSteps {
  readonly resolve: (input: WorkflowInput) => Promise<ResolvedArtifact>;
  readonly record: (state: WorkflowState) => Promise<RecordResult>;
  readonly notify: (state: WorkflowState) => Promise<{ published: string[] }>;
}

/**
 * The push rule leaves `sha256-*` tags (cosign's `.sig`/`.att`/`.sbom`, the referrers index) out
 * of the workflow, so the pipeline's own evidence never starts it again. They are mutable, so a
 * second rule sends them here: the workflow's own Resolve, Record and Notify steps check that
 * each is the evidence it claims, record it in its subject's audit trail, and raise a Policy
 * Violation when it is not. A failure alerts as the workflow's does, then is rethrown (retried).
 */
export function createEvidenceCheck(steps: EvidenceCheckSteps) {
  return async (input: WorkflowInput): Promise<{ artifact: ResolvedArtifact; record: RecordResult; alerts: string[] }> => {
    let artifact: ResolvedArtifact | undefined;
    try {
      artifact = await steps.resolve(input);
      const state: WorkflowState = { ...input, artifact: artifact.evidence ? artifact : { ...artifact, evidence: { claim: 'evidence-tag', valid: false, reason: `${artifact.tag ?? artifact.digest} reached the evidence check but is not an evidence push` } } };
      const record = await steps.record(state);
      const { published } = await steps.notify({ ...state, record });
      return { artifact: state.artifact, record, alerts: published };
    } catch (err) {
      const error = { Error: err instanceof Error ? err.name : 'Error', Cause: JSON.stringify({ errorMessage: errorMessage(err) }) };
      await steps.notify({ ...input, ...(artifact ? { artifact } : {}), error } as WorkflowState);
      throw err;
    }
  };
}
