import { DynamoDbLedgerStore } from '../adapters/aws/dynamodb-ledger-store';
import { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store';
import { openLocalLedger } from '../local/ledger';
import type { LedgerStore } from '../ports/ledger-store';
import type { RecordStore } from '../ports/record-store';

/** The ledger `history` and `audit` read: the local one, or with `--table` the stack's DynamoDB table (AWS default credentials). */
export async function openLedgerReader(table: string | undefined): Promise<{ records: RecordStore; ledger: LedgerStore; close: () => Promise<void> }> {
  if (!table) {
    const local = await openLocalLedger(undefined, { quiet: true });
    return { records: local.records, ledger: local.ledger, close: () => local.close() };
  }
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  return { records: new DynamoDbRecordStore(client, table), ledger: new DynamoDbLedgerStore(client, table), close: async () => client.destroy() };
}
