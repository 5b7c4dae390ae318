import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
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
  await create();
  for (const item of items) {
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    const pk = String(item.pk);
    if (pk.startsWith('ARTIFACT#') && String(item.sk).startsWith('EVENT#')) {
      await doc.send(new PutCommand({ TableName: tableName, Item: auditIndexItem(auditEntryOf(pk.slice('ARTIFACT#'.length), item.event as AuditEvent)) }));
    }
  }
}
