import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ArtifactRef, ComponentIndex, IndexedComponent } from '../../ports/component-index';
import { componentSortKey, ECOSYSTEMS_KEY, packageIndexKey, pendingKey, RecordsTable } from '../../core/records-table';
import { ecosystemBase, normalizeName } from '../../vuln/osv/ecosystems';

const { partitionKey: PK, sortKey: SK } = RecordsTable;
/** BatchWriteItem takes at most 25 puts; unprocessed ones are sent again. */
const BATCH = 25;

/**
 * The component index in the records table (core/records-table.ts): one item per (package,
 * artifact, manifest, component) under `PKG#<base ecosystem>#<name>`, so "which artifacts contain
 * P" is one Query. Index items are a projection of the write-once SBOMs (rebuildable from them),
 * so they are batch-written without conditions: writing one again writes the same item.
 */
export class DynamoDbComponentIndex implements ComponentIndex {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async add(components: readonly IndexedComponent[]): Promise<void> {
    const items: Record<string, unknown>[] = components.map((c) => ({ [PK]: packageIndexKey(ecosystemBase(c.ecosystem), normalizeName(c.ecosystem, c.name)), [SK]: componentSortKey(c), c }));
    for (const e of new Set(components.map((c) => ecosystemBase(c.ecosystem)))) items.push({ [PK]: ECOSYSTEMS_KEY, [SK]: e });
    // One item per key in a batch (DynamoDB refuses duplicates within one request).
    const unique = [...new Map(items.map((i) => [`${String(i[PK])}\u0000${String(i[SK])}`, i])).values()];
    for (let i = 0; i < unique.length; i += BATCH) {
      let requests: Record<string, unknown>[] = unique.slice(i, i + BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
        const res = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (res.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
        if (attempt > 8 && requests.length) throw new Error(`component index: ${requests.length} writes still unprocessed after retries`);
      }
    }
  }

  private async query(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': PK }, ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: start }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async find(ecosystem: string, name: string): Promise<IndexedComponent[]> {
    return (await this.query(packageIndexKey(ecosystem, normalizeName(ecosystem, name)))).map((i) => i.c as IndexedComponent);
  }

  async ecosystems(): Promise<string[]> {
    return (await this.query(ECOSYSTEMS_KEY)).map((i) => String(i[SK]));
  }

  async markPending(ecosystem: string, artifact: ArtifactRef, time: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { [PK]: pendingKey(ecosystem), [SK]: `${artifact.repository}@${artifact.digest}`, ...artifact, time } }));
  }

  async pending(ecosystem: string): Promise<ArtifactRef[]> {
    return (await this.query(pendingKey(ecosystem))).map((i) => ({ repository: String(i.repository), digest: String(i.digest) }));
  }
}
