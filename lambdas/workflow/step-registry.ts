/**
 * Names shared by the CDK state machine (lib/) and the local runner: the runner maps each task
 * state to the step function of the same name, so they must not drift.
 */
export const TaskState = {
  resolve: 'Resolve',
  sbom: 'GenerateSbom',
  scan: 'ScanVulnerabilities',
  sign: 'SignAndAttest',
  record: 'Record',
  notify: 'Notify',
  notifyFailure: 'NotifyFailure',
} as const;

export type TaskStateName = (typeof TaskState)[keyof typeof TaskState];

/** Error names a step throws for transient trouble; the state machine retries them with backoff. */
export const RETRYABLE_ERRORS = ['UnavailableError'];
