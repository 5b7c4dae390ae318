import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ArtifactRecord, AuditEvent, LeaseOutcome, ProcessingLease, RecordStore, WriteOutcome } from '../../ports/record-store';
import { UnavailableError } from '../../core/errors';
import { artifactKey, RecordsTable, tagKey } from '../../core/records-table';
import { classifyingClient } from './aws-errors';

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = RecordsTable;
const LEASE_SK = 'PROCESSING';

const isConditionFailure = (err: unknown): boolean => err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException';

/** The lease as stored: expiry in epoch seconds under the table's TTL attribute, so DynamoDB removes abandoned ones. */
function leaseOf(item: Record<string, unknown>): ProcessingLease {
  return { owner: String(item.owner), triggerId: String(item.triggerId), acquiredAt: String(item.acquiredAt), expiresAt: new Date(Number(item[TTL]) * 1000).toISOString() };
}

/** RecordStore on DynamoDB: one table, conditional puts only (nothing is ever overwritten). */
export class DynamoDbRecordStore implements RecordStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    // A failed condition is an outcome (putOnce); every other error is classified (aws-errors.ts).
    this.doc = classifyingClient(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), 'DynamoDB', ['ConditionalCheckFailedException']);
  }

  private async putOnce(item: Record<string, unknown>): Promise<WriteOutcome> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }),
      );
      return 'created';
    } catch (err) {
      if (isConditionFailure(err)) return 'exists';
      throw err;
    }
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { [PK]: pk, [SK]: sk }, ConsistentRead: true }));
    return res.Item;
  }

  private async query(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async getArtifact(repositoryName: string, digest: string): Promise<ArtifactRecord | undefined> {
    const item = await this.get(artifactKey(repositoryName, digest), 'ARTIFACT');
    return item?.record as ArtifactRecord | undefined;
  }

  async isProcessed(repositoryName: string, digest: string): Promise<boolean> {
    return (await this.get(artifactKey(repositoryName, digest), 'PROCESSED')) !== undefined;
  }

  putArtifact(record: ArtifactRecord): Promise<WriteOutcome> {
    return this.putOnce({
      [PK]: artifactKey(record.repositoryName, record.digest),
      [SK]: 'ARTIFACT',
      [RecordsTable.digestIndex.partitionKey]: `DIGEST#${record.digest}`,
      [RecordsTable.digestIndex.sortKey]: record.repositoryName,
      record,
    });
  }

  async claimTag(repositoryName: string, tag: string, digest: string, time: string): Promise<{ digest: string; outcome: WriteOutcome }> {
    const pk = tagKey(repositoryName, tag);
    const outcome = await this.putOnce({ [PK]: pk, [SK]: 'TAG', repositoryName, tag, digest, firstSeen: time });
    if (outcome === 'created') return { digest, outcome };
    const existing = await this.get(pk, 'TAG');
    return { digest: String(existing?.digest ?? ''), outcome };
  }

  putEvidence(repositoryName: string, digest: string, kind: string, body: Readonly<Record<string, unknown>>, time: string): Promise<WriteOutcome> {
    return this.putOnce({ [PK]: artifactKey(repositoryName, digest), [SK]: `EVIDENCE#${kind}`, kind, body, time });
  }

  async getEvidence(repositoryName: string, digest: string): Promise<Record<string, Record<string, unknown>>> {
    const items = await this.query(artifactKey(repositoryName, digest), 'EVIDENCE#');
    return Object.fromEntries(items.map((i) => [String(i.kind), i.body as Record<string, unknown>]));
  }

  appendEvent(repositoryName: string, digest: string, event: AuditEvent): Promise<WriteOutcome> {
    return this.putOnce({ [PK]: artifactKey(repositoryName, digest), [SK]: `EVENT#${event.time}#${event.id}`, event });
  }

  async listEvents(repositoryName: string, digest: string): Promise<AuditEvent[]> {
    return (await this.query(artifactKey(repositoryName, digest), 'EVENT#')).map((i) => i.event as AuditEvent);
  }

  markProcessed(repositoryName: string, digest: string, time: string): Promise<WriteOutcome> {
    return this.putOnce({ [PK]: artifactKey(repositoryName, digest), [SK]: 'PROCESSED', time });
  }

  async acquireLease(repositoryName: string, digest: string, request: { owner: string; triggerId: string; now: Date; seconds: number }, attempt = 1): Promise<LeaseOutcome> {
    const pk = artifactKey(repositoryName, digest);
    const nowSeconds = Math.floor(request.now.getTime() / 1000);
    const item = { [PK]: pk, [SK]: LEASE_SK, owner: request.owner, triggerId: request.triggerId, acquiredAt: request.now.toISOString(), [TTL]: nowSeconds + request.seconds };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // Free, expired (DynamoDB's TTL deletes late, so expiry is checked here), or ours already.
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now OR #owner = :owner',
          ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL, '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':owner': request.owner },
        }),
      );
      return { outcome: 'acquired', lease: leaseOf(item) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const holder = await this.get(pk, LEASE_SK);
    // Released between the failed put and this read: the caller will see PROCESSED, or can try again.
    if (!holder && attempt < 3) return this.acquireLease(repositoryName, digest, request, attempt + 1);
    if (!holder) throw new UnavailableError(`the processing lease of ${pk} keeps changing hands`);
    return { outcome: 'held', holder: leaseOf(holder) };
  }

  async releaseLease(repositoryName: string, digest: string, owner: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [PK]: artifactKey(repositoryName, digest), [SK]: LEASE_SK },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (err) {
      // Someone else's (ours expired and was taken over) or already gone: not ours to remove.
      if (!isConditionFailure(err)) throw err;
    }
  }
}
