import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { RecordsTable } from '../core/records-table';
import { upgradeLocalTable } from './ledger-upgrade';

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * DynamoDB's API served by dynalite on 127.0.0.1 (in memory, or LevelDB on disk when `path` is
 * given), with the records table created as the stack creates it.
 */
export async function startLocalDynamo(opts: { path?: string; tableName?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    // dynalite ignores credentials; fixed dummies keep the SDK from searching for real ones.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  const tableName = opts.tableName ?? 'artifact-guard-records';
  const { partitionKey, sortKey, digestIndex, actorIndex } = RecordsTable;
  const indexes: GlobalSecondaryIndex[] = [digestIndex, actorIndex].map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  }));
  const attribute = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  let existing: string[] | undefined;
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = (described.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName ?? '');
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  const create = () =>
    client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [partitionKey, sortKey, digestIndex.partitionKey, digestIndex.sortKey, actorIndex.partitionKey, actorIndex.sortKey].map(attribute),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes,
      }),
    );
  const createActive = async () => {
    await create();
    // dynalite answers CreateTable while the table is CREATING and flips it on a timer: wait for ACTIVE.
    for (let i = 0; i < 500; i += 1) {
      const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (d.Table?.TableStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the local records table ${tableName} did not become active`);
  };
  if (!existing) await createActive();
  else if (!existing.includes(actorIndex.name)) await upgradeLocalTable(client, tableName, createActive);
  return {
    client,
    tableName,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
