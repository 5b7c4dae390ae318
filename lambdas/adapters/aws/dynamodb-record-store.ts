import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ArtifactRecord, AuditEvent, RecordStore, WriteOutcome } from '../../ports/record-store';
import { artifactKey, RecordsTable, tagKey } from '../../core/records-table';
import { auditEntryOf } from '../../core/audit';
import { auditIndexItem } from './dynamodb-ledger-store';

const { partitionKey: PK, sortKey: SK } = RecordsTable;

/** RecordStore on DynamoDB: one table, conditional puts only (nothing is ever overwritten). */
export class DynamoDbRecordStore implements RecordStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async putOnce(item: Record<string, unknown>): Promise<WriteOutcome> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }),
      );
      return 'created';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') return 'exists';
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

  /** The trail item, and its entry in the audit index (by day and by actor) first: a retry after a partial write completes it. */
  async appendEvent(repositoryName: string, digest: string, event: AuditEvent): Promise<WriteOutcome> {
    await this.putOnce(auditIndexItem(auditEntryOf(`${repositoryName}@${digest}`, event)));
    return this.putOnce({ [PK]: artifactKey(repositoryName, digest), [SK]: `EVENT#${event.time}#${event.id}`, event });
  }

  async listEvents(repositoryName: string, digest: string): Promise<AuditEvent[]> {
    return (await this.query(artifactKey(repositoryName, digest), 'EVENT#')).map((i) => i.event as AuditEvent);
  }

  markProcessed(repositoryName: string, digest: string, time: string): Promise<WriteOutcome> {
    return this.putOnce({ [PK]: artifactKey(repositoryName, digest), [SK]: 'PROCESSED', time });
  }
}
