import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { auditIndexItem } from '../adapters/aws/dynamodb-ledger-store';
import { auditEntryOf } from '../core/audit';
import type { AuditEvent } from '../ports/record-store';

/**
 * A local records store made before the audit index: dynalite cannot add an index to a table, so
 * the table is read whole (a one-time, local-only scan), made again with every index, and written
 * back with an audit index entry for each trail event, so that `audit` also finds the old ones.
 */
export async function upgradeLocalTable(client: DynamoDBClient, tableName: string, create: () => Promise<unknown>): Promise<void> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await tableGone(client, tableName);
  await create();
  for (const item of items) {
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    const pk = String(item.pk);
    if (pk.startsWith('ARTIFACT#') && String(item.sk).startsWith('EVENT#')) {
      await doc.send(new PutCommand({ TableName: tableName, Item: auditIndexItem(auditEntryOf(pk.slice('ARTIFACT#'.length), item.event as AuditEvent)) }));
    }
  }
}

/** dynalite answers DeleteTable while the table is DELETING and removes it on a timer. */
async function tableGone(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return;
      throw err;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the local records table ${tableName} was not deleted`);
}
