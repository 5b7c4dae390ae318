import { synthTemplate } from '../../../lib/synth-offline';
import { RecordsTable } from '../../../lambdas/core/records-table';

const template = synthTemplate({ alertEmail: 'sec@example.com' });
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const resources = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

describe('ArtifactGuard ledger resources', () => {
  it('indexes the records table by digest and by audit actor (keys as core/records-table.ts says)', () => {
    const [[, table]] = resources('AWS::DynamoDB::Table') as unknown as [[string, { Properties: { GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown[] }[] } }]];
    const byName = Object.fromEntries(table.Properties.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.KeySchema]));
    expect(byName[RecordsTable.actorIndex.name]).toEqual([
      { AttributeName: 'gsi2pk', KeyType: 'HASH' },
      { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
    ]);
    expect(Object.keys(byName).sort()).toEqual([RecordsTable.actorIndex.name, RecordsTable.digestIndex.name].sort());
  });
});
