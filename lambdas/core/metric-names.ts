/** CloudWatch metrics the Lambdas emit (EMF via Powertools) and the construct's metric methods read. */
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
  /** One value per recorded CI build: 1 succeeded, 0 failed (its Average is the build success rate). */
  buildSuccess: 'BuildSuccess',
  /** Workflows the reconciler started for digests without a completed record (backfill, lost events). */
  reconcileStarted: 'ReconcileStarted',
  /** Per reconciler run: tagged digests in the guarded repositories (evidence tags aside). */
  guardedArtifacts: 'GuardedArtifacts',
  /** Per reconciler run: those of them processed with an SBOM recorded. */
  guardedArtifactsWithSbom: 'GuardedArtifactsWithSbom',
} as const;
