import type { ArtifactRecord, AuditEvent, LeaseOutcome, ProcessingLease, RecordStore, WriteOutcome } from '../../lambdas/ports/record-store';

/** Stored as DynamoDB stores it: a copy of plain data, undefined attributes dropped. */
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A RecordStore in memory with the port's semantics, as DynamoDbRecordStore implements them
 * (test/unit/adapters/record-store-contract.test.ts runs the same checks on both): every write is
 * conditional, so a second write of the same key changes nothing and answers 'exists'; a tag
 * stays bound to its first digest; events are listed in sort-key order (time, then id).
 */
export class MemoryRecordStore implements RecordStore {
  private readonly artifacts = new Map<string, ArtifactRecord>();
  private readonly tags = new Map<string, { digest: string; firstSeen: string }>();
  private readonly evidence = new Map<string, Map<string, { body: Record<string, unknown>; time: string }>>();
  private readonly events = new Map<string, Map<string, AuditEvent>>();
  private readonly processed = new Map<string, string>();
  private readonly leases = new Map<string, ProcessingLease>();
  /** Every write attempted, in order, created or not: what a test can assert a step tried. */
  readonly writes: { readonly op: string; readonly key: string; readonly outcome: WriteOutcome }[] = [];

  private log(op: string, key: string, outcome: WriteOutcome): WriteOutcome {
    this.writes.push({ op, key, outcome });
    return outcome;
  }

  async getArtifact(repositoryName: string, digest: string): Promise<ArtifactRecord | undefined> {
    const record = this.artifacts.get(artifactKey(repositoryName, digest));
    return record && stored(record);
  }

  async isProcessed(repositoryName: string, digest: string): Promise<boolean> {
    return this.processed.has(artifactKey(repositoryName, digest));
  }

  async putArtifact(record: ArtifactRecord): Promise<WriteOutcome> {
    const key = artifactKey(record.repositoryName, record.digest);
    if (this.artifacts.has(key)) return this.log('putArtifact', key, 'exists');
    this.artifacts.set(key, stored(record));
    return this.log('putArtifact', key, 'created');
  }

  async claimTag(repositoryName: string, tag: string, digest: string, time: string): Promise<{ digest: string; outcome: WriteOutcome }> {
    const key = `${repositoryName}:${tag}`;
    const bound = this.tags.get(key);
    if (bound) return { digest: bound.digest, outcome: this.log('claimTag', key, 'exists') };
    this.tags.set(key, { digest, firstSeen: time });
    return { digest, outcome: this.log('claimTag', key, 'created') };
  }

  async putEvidence(repositoryName: string, digest: string, kind: string, body: Readonly<Record<string, unknown>>, time: string): Promise<WriteOutcome> {
    const key = artifactKey(repositoryName, digest);
    const kinds = this.evidence.get(key) ?? new Map<string, { body: Record<string, unknown>; time: string }>();
    this.evidence.set(key, kinds);
    if (kinds.has(kind)) return this.log('putEvidence', `${key}#${kind}`, 'exists');
    kinds.set(kind, { body: stored({ ...body }), time });
    return this.log('putEvidence', `${key}#${kind}`, 'created');
  }

  async getEvidence(repositoryName: string, digest: string): Promise<Record<string, Record<string, unknown>>> {
    const kinds = this.evidence.get(artifactKey(repositoryName, digest)) ?? new Map<string, { body: Record<string, unknown> }>();
    return Object.fromEntries([...kinds].map(([kind, { body }]) => [kind, stored(body)]));
  }

  async appendEvent(repositoryName: string, digest: string, event: AuditEvent): Promise<WriteOutcome> {
    const key = artifactKey(repositoryName, digest);
    const trail = this.events.get(key) ?? new Map<string, AuditEvent>();
    this.events.set(key, trail);
    const sortKey = `${event.time}#${event.id}`;
    if (trail.has(sortKey)) return this.log('appendEvent', `${key}#${sortKey}`, 'exists');
    trail.set(sortKey, stored(event));
    return this.log('appendEvent', `${key}#${sortKey}`, 'created');
  }

  async listEvents(repositoryName: string, digest: string): Promise<AuditEvent[]> {
    const trail = this.events.get(artifactKey(repositoryName, digest)) ?? new Map<string, AuditEvent>();
    return [...trail].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, event]) => stored(event));
  }

  async markProcessed(repositoryName: string, digest: string, time: string): Promise<WriteOutcome> {
    const key = artifactKey(repositoryName, digest);
    if (this.processed.has(key)) return this.log('markProcessed', key, 'exists');
    this.processed.set(key, time);
    return this.log('markProcessed', key, 'created');
  }

  async acquireLease(repositoryName: string, digest: string, request: { owner: string; triggerId: string; now: Date; seconds: number }): Promise<LeaseOutcome> {
    const key = artifactKey(repositoryName, digest);
    const held = this.leases.get(key);
    // Expiry at whole seconds, as the DynamoDB adapter stores it (a TTL attribute).
    const nowSeconds = Math.floor(request.now.getTime() / 1000);
    if (held && Date.parse(held.expiresAt) / 1000 > nowSeconds && held.owner !== request.owner) {
      this.log('acquireLease', key, 'exists');
      return { outcome: 'held', holder: { ...held } };
    }
    const lease = { owner: request.owner, triggerId: request.triggerId, acquiredAt: request.now.toISOString(), expiresAt: new Date((nowSeconds + request.seconds) * 1000).toISOString() };
    this.leases.set(key, lease);
    this.log('acquireLease', key, 'created');
    return { outcome: 'acquired', lease: { ...lease } };
  }

  async releaseLease(repositoryName: string, digest: string, owner: string): Promise<void> {
    const key = artifactKey(repositoryName, digest);
    if (this.leases.get(key)?.owner === owner) this.leases.delete(key);
  }
}

function artifactKey(repositoryName: string, digest: string): string {
  return `${repositoryName}@${digest}`;
}
