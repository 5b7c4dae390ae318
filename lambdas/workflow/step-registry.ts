/**
 * The workflow's steps, declared once. The state machine builder (lib/) makes a Lambda and a task
 * per entry from it, the local runner maps each task state to the same step code, and each
 * handler file binds one entry's factory (workflow/step-factories.ts) to AWS. Adding a step: its
 * module under steps/, an entry here and in step-factories.ts, and a handler file.
 * This module holds data only, so the CDK app can read it without loading step code.
 */
export interface StepSpec {
  /** The task state's name in the state machine. */
  readonly state: string;
  /** Handler file under `lambdas/handlers/` (the Lambda's entry point). */
  readonly handler: string;
  /** Where the task's result goes in the execution state (JSONPath). */
  readonly resultPath: string;
  /** The Lambda's description. */
  readonly description: string;
}

export const STEPS = {
  resolve: { state: 'Resolve', handler: 'resolve', resultPath: '$.artifact', description: 'Resolve, pin and plan a pushed artifact' },
  sbom: { state: 'GenerateSbom', handler: 'sbom', resultPath: '$.sbom', description: 'Generate CycloneDX and SPDX SBOMs' },
  scan: { state: 'ScanVulnerabilities', handler: 'scan', resultPath: '$.scan', description: 'Match the SBOMs against OSV vulnerability data' },
  sign: { state: 'Sign', handler: 'sign', resultPath: '$.signatures', description: 'Sign the statements and, when the verdict allows, the approvals it builds itself (the only holder of the KMS key; no registry access)' },
  attach: { state: 'Attach', handler: 'attach', resultPath: '$.signing', description: 'Attach the signed attestations and cosign signatures to the registry (holds no key)' },
  record: { state: 'Record', handler: 'record', resultPath: '$.record', description: 'Record artifact, tags, evidence and audit trail' },
  notify: { state: 'Notify', handler: 'notify', resultPath: '$.alerts', description: 'Publish alerts to the alerts bus' },
} as const satisfies Record<string, StepSpec>;

export type StepName = keyof typeof STEPS;
export const STEP_NAMES = Object.keys(STEPS) as StepName[];

/** The failure path runs the Notify step's code under its own task state. */
export const NOTIFY_FAILURE_STATE = 'NotifyFailure';

/** The Fail state after NotifyFailure alerted, and the one reached when even that alert failed. */
export const FAILED_STATE = 'Failed';
export const FAILED_UNNOTIFIED_STATE = 'FailedUnnotified';

/** Task state names, for tests and the local runner. */
export const TaskState = {
  ...(Object.fromEntries(STEP_NAMES.map((n) => [n, STEPS[n].state])) as { readonly [N in StepName]: (typeof STEPS)[N]['state'] }),
  notifyFailure: NOTIFY_FAILURE_STATE,
} as const;

/** The step whose code a task state runs. */
export function stepOfState(state: string): StepName | undefined {
  if (state === NOTIFY_FAILURE_STATE) return 'notify';
  return STEP_NAMES.find((n) => STEPS[n].state === state);
}

/** Error names a step throws for transient trouble; the state machine retries them with backoff. */
export const RETRYABLE_ERRORS = ['UnavailableError'];
