import type { OpinionReport } from './imported-report';

/** The artifact whose second opinions are asked for: its digest and every manifest the scan judges. */
export interface OpinionRequest {
  readonly repositoryName: string;
  readonly digest: string;
  readonly manifests: readonly string[];
}

/**
 * Where the workflow's scan gets second opinions: Amazon Inspector (adapters/aws), reports
 * imported into the ledger (workflow/opinion-evidence.ts). Each report returned must be about
 * the artifact; the scan checks it against each manifest before merging (subject-check.ts).
 * Trouble reaching the source is an `UnavailableError` (retried, then a failure alert): a
 * configured second opinion is never silently skipped.
 */
export interface OpinionSource {
  /** For reports and logs: `amazon-inspector`, `ledger`. */
  readonly name: string;
  opinionsFor(request: OpinionRequest): Promise<readonly OpinionReport[]>;
}
