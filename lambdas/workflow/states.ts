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

/** Detail-types published on the alerts bus (source `artifact-guard`). */
export const AlertType = {
  processed: 'Artifact Processed',
  tagViolation: 'Tag Immutability Violation',
  vulnerabilities: 'Vulnerabilities Found',
  scanIncomplete: 'Scan Incomplete',
  signatureFailed: 'Signature Verification Failed',
  policyViolation: 'Policy Violation',
  workflowFailed: 'Workflow Failed',
} as const;

export type AlertTypeName = (typeof AlertType)[keyof typeof AlertType];

/** Alerts that reach people (SNS); `Artifact Processed` is informational and stays on the bus. */
export const NOTIFYING_ALERTS: readonly AlertTypeName[] = [
  AlertType.tagViolation,
  AlertType.vulnerabilities,
  AlertType.scanIncomplete,
  AlertType.signatureFailed,
  AlertType.policyViolation,
  AlertType.workflowFailed,
];

export const ALERT_SOURCE = 'artifact-guard';
export const METRICS_NAMESPACE = 'ArtifactGuard';

/** Metric names the steps emit (EMF via Powertools) and the construct's metric… methods read. */
export const MetricName = {
  artifactsProcessed: 'ArtifactsProcessed',
  sbomGenerated: 'SbomGenerated',
  signaturesCreated: 'SignaturesCreated',
  signatureVerificationFailures: 'SignatureVerificationFailures',
  vulnerabilitiesFound: 'VulnerabilitiesFound',
  tagViolations: 'TagImmutabilityViolations',
  policyViolations: 'PolicyViolations',
  workflowFailures: 'WorkflowFailures',
} as const;
