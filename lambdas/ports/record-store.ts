import type { ArtifactKind, Provenance } from '../core/artifact';

/** The artifact as first recorded; never overwritten. */
export interface ArtifactRecord {
  readonly repositoryName: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: ArtifactKind;
  readonly platforms: readonly { digest: string; platform?: string }[];
  readonly provenance: Provenance;
  readonly firstSeen: string;
  readonly source: string;
}

/** One entry of the append-only audit trail. `id` makes replays idempotent. */
export interface AuditEvent {
  readonly id: string;
  readonly time: string;
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type WriteOutcome = 'created' | 'exists';

/** Who is processing a digest, until when (see core/processing-lease.ts). */
export interface ProcessingLease {
  /** The execution holding it (its ARN in AWS). */
  readonly owner: string;
  /** The trigger (event id) that execution runs for: a redelivered event has the same one. */
  readonly triggerId: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
}

export type LeaseOutcome = { readonly outcome: 'acquired'; readonly lease: ProcessingLease } | { readonly outcome: 'held'; readonly holder: ProcessingLease };

/**
 * Port: provenance and audit records (DynamoDB in AWS and, through dynalite, locally).
 * Every write is conditional: nothing is overwritten, replays write nothing new.
 */
export interface RecordStore {
  getArtifact(repositoryName: string, digest: string): Promise<ArtifactRecord | undefined>;
  /** True once the workflow completed for this digest (idempotency of at-least-once events). */
  isProcessed(repositoryName: string, digest: string): Promise<boolean>;
  putArtifact(record: ArtifactRecord): Promise<WriteOutcome>;
  /** Binds tag → digest the first time; afterwards returns the digest it is bound to. */
  claimTag(repositoryName: string, tag: string, digest: string, time: string): Promise<{ readonly digest: string; readonly outcome: WriteOutcome }>;
  /** Evidence of one kind (`sbom`, `scan`, `signature#…`) recorded once per artifact. */
  putEvidence(repositoryName: string, digest: string, kind: string, body: Readonly<Record<string, unknown>>, time: string): Promise<WriteOutcome>;
  getEvidence(repositoryName: string, digest: string): Promise<Record<string, Record<string, unknown>>>;
  appendEvent(repositoryName: string, digest: string, event: AuditEvent): Promise<WriteOutcome>;
  listEvents(repositoryName: string, digest: string): Promise<AuditEvent[]>;
  markProcessed(repositoryName: string, digest: string, time: string): Promise<WriteOutcome>;
  /**
   * Takes the digest's processing lease for `seconds` from `now`, atomically: it is taken when
   * there is none, when the one there has expired (its run crashed), or when `owner` already holds
   * it (a retried step of the same execution). Otherwise answers who holds it. The only write
   * that replaces an item.
   */
  acquireLease(repositoryName: string, digest: string, request: { readonly owner: string; readonly triggerId: string; readonly now: Date; readonly seconds: number }): Promise<LeaseOutcome>;
  /** Gives the lease up if `owner` holds it (after PROCESSED is written); otherwise changes nothing. */
  releaseLease(repositoryName: string, digest: string, owner: string): Promise<void>;
}
