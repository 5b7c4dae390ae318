/**
 * How long the workflow may run, and how long the per-digest processing lease its first step
 * takes lasts. The lease outlives any execution (the state machine's timeout), so a live run never
 * loses it; a run that crashed leaves a lease that expires and is then taken over.
 */
export const WORKFLOW_TIMEOUT_SECONDS = 60 * 60;
export const PROCESSING_LEASE_SECONDS = 2 * WORKFLOW_TIMEOUT_SECONDS;
