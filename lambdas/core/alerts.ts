/**
 * The alert contract: what the workflow, the evidence check and the gate publish on the alerts bus
 * (source `artifact-guard`), and which of them reach people (the SNS rule reads this list).
 */
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
