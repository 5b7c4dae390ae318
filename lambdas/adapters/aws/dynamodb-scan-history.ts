import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { WriteOutcome } from '../../ports/record-store';
import type { ScanEntry, ScanHistory } from '../../ports/scan-history';
import { RecordsTable, scansKey } from '../../core/records-table';

const { partitionKey: PK, sortKey: SK } = RecordsTable;

/** Scan history under `SCANS#<repo>@<digest>` / `<time>#<id>`: conditional puts, newest by a reverse query. */
export class DynamoDbScanHistory implements ScanHistory {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async append(repositoryName: string, digest: string, entry: ScanEntry): Promise<WriteOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [PK]: scansKey(repositoryName, digest), [SK]: `${entry.time}#${entry.id}`, entry },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return 'created';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') return 'exists';
      throw err;
    }
  }

  async newest(repositoryName: string, digest: string): Promise<ScanEntry | undefined> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': PK },
        ExpressionAttributeValues: { ':pk': scansKey(repositoryName, digest) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return res.Items?.[0]?.entry as ScanEntry | undefined;
  }
}
