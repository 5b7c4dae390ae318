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

describe('build records in the stack', () => {
  it('routes Build Recorded events on the guard bus to the build recorder, which may query the byDigest index', () => {
    const rules = resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties?.EventPattern ?? {}).includes('Build Recorded'));
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as unknown as [string, { Properties: { EventPattern: unknown; EventBusName: unknown; Targets: { Arn: unknown; DeadLetterConfig?: unknown }[] } }];
    expect(rule.Properties.EventPattern).toEqual({ source: ['artifact-guard.ci'], 'detail-type': ['Build Recorded'] });
    expect(rule.Properties.EventBusName).toBeDefined();
    expect(rule.Properties.Targets[0]?.DeadLetterConfig).toBeDefined();
    const fn = resources('AWS::Lambda::Function').find(([, f]) => String(f.Properties?.Description).startsWith('Record a CI build report'));
    expect(fn).toBeDefined();
    const policies = resources('AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.some((p) => p.includes('/index/byDigest') && p.includes('dynamodb:Query'))).toBe(true);
  });
});
