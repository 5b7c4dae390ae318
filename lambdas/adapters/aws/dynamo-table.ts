import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { WriteOutcome } from '../../ports/record-store';
import { RecordsTable } from '../../core/records-table';

const { partitionKey: PK, sortKey: SK } = RecordsTable;

export type Item = Record<string, unknown>;

/** One key condition: a partition, optionally a sort-key prefix or range, on the table or an index. */
export interface KeyQuery {
  readonly index?: { readonly name: string; readonly partitionKey: string; readonly sortKey: string };
  readonly partition: string;
  readonly prefix?: string;
  readonly between?: readonly [string, string];
  readonly limit?: number;
}

/** The records table through the document client: create-only puts, consistent gets, paginated queries. */
export class DynamoTable {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly name: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putOnce(item: Item): Promise<WriteOutcome> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.name, Item: item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }));
      return 'created';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') return 'exists';
      throw err;
    }
  }

  async get(pk: string, sk: string): Promise<Item | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.name, Key: { [PK]: pk, [SK]: sk }, ConsistentRead: true }));
    return res.Item;
  }

  /** Every page of a Query (GSIs are read eventually consistent, as DynamoDB requires). */
  async query(q: KeyQuery): Promise<Item[]> {
    const pkName = q.index?.partitionKey ?? PK;
    const skName = q.index?.sortKey ?? SK;
    const range = q.between ? ' AND #sk BETWEEN :from AND :to' : q.prefix !== undefined ? ' AND begins_with(#sk, :prefix)' : '';
    const values: Item = { ':pk': q.partition };
    if (q.between) [values[':from'], values[':to']] = q.between;
    else if (q.prefix !== undefined) values[':prefix'] = q.prefix;
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.name,
          ...(q.index ? { IndexName: q.index.name } : { ConsistentRead: true }),
          KeyConditionExpression: `#pk = :pk${range}`,
          ExpressionAttributeNames: { '#pk': pkName, ...(range ? { '#sk': skName } : {}) },
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
          ...(q.limit ? { Limit: q.limit - items.length } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start && (!q.limit || items.length < q.limit));
    return items;
  }
}
