import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ArtifactGuard } from '../../../lib/artifact-guard';
import { synthTemplate } from '../../../lib/synth-offline';
import { RecordsTable } from '../../../lambdas/core/records-table';

const template = synthTemplate({ alertEmail: 'sec@example.com' });
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const resources = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

/** The DynamoDB actions the role of the Lambda whose description starts with `description` is allowed. */
function dynamoActionsOf(description: string): string[] {
  const fn = resources('AWS::Lambda::Function').find(([, f]) => String(f.Properties?.Description).startsWith(description));
  const role = (fn?.[1].Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined)?.['Fn::GetAtt'][0];
  const statements = resources('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles as { Ref?: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement);
  return [...new Set(statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])).filter((a) => a.startsWith('dynamodb:')))].sort();
}

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

describe('pusher identity, tag policy and build success rate in the stack', () => {
  it('routes successful ecr:PutImage CloudTrail events of the guarded repositories to the pusher recorder', () => {
    const rules = resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties?.EventPattern ?? {}).includes('AWS API Call via CloudTrail'));
    expect(rules).toHaveLength(1);
    const pattern = (rules[0]?.[1].Properties as { EventPattern: { source: string[]; detail: Record<string, unknown> } }).EventPattern;
    expect(pattern.source).toEqual(['aws.ecr']);
    expect(pattern.detail).toMatchObject({ eventSource: ['ecr.amazonaws.com'], eventName: ['PutImage'], errorCode: [{ exists: false }] });
    expect(JSON.stringify(pattern.detail.requestParameters)).toContain('repositoryName');
    // Conditional puts only: the recorder reads nothing (test/integration/lambda-bundles.test.ts records its calls).
    expect(dynamoActionsOf('Record who pushed a digest')).toEqual(['dynamodb:PutItem']);
  });

  it('creates a trail of write management events (no data events) unless told an existing one does it', () => {
    const trails = resources('AWS::CloudTrail::Trail');
    expect(trails).toHaveLength(1);
    expect(trails[0]?.[1].Properties).toMatchObject({ IsLogging: true, EnableLogFileValidation: true, EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] });
    expect(JSON.stringify(trails[0]?.[1].Properties)).not.toContain('DataResources');
    const without = synthTemplate({ existingTrail: true });
    without.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it('alarms when the build success rate falls under the configured percentage, and graphs it per pipeline', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    const alarm = alarms.find(([, a]) => String(a.Properties?.AlarmDescription).includes('CI builds'));
    expect(alarm?.[1].Properties).toMatchObject({ Threshold: 80, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'notBreaching' });
    expect(JSON.stringify(alarm?.[1].Properties?.Metrics)).toContain('BuildSuccess');
    const custom = synthTemplate({ buildSuccessAlarmBelow: 95 }).toJSON() as typeof json;
    expect(Object.values(custom.Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties?.AlarmDescription).includes('CI builds'))?.Properties?.Threshold).toBe(95);
    const dashboard = JSON.stringify(resources('AWS::CloudWatch::Dashboard')[0]?.[1].Properties?.DashboardBody);
    expect(dashboard).toContain('Build success rate per pipeline');
    expect(dashboard).toContain('MetricName=\\\\\\"BuildSuccess\\\\\\"');
  });

  it('hands the tag policy to the Record step (default rule: TAG_POLICY empty)', () => {
    const record = resources('AWS::Lambda::Function').find(([, f]) => JSON.stringify(f.Properties?.Environment ?? {}).includes('TAG_POLICY'));
    expect((record?.[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.TAG_POLICY).toBe('');
  });
});

describe('the reconciler in the stack', () => {
  it('runs hourly from EventBridge Scheduler, may describe only the guarded repositories and start only the workflow', () => {
    const schedules = resources('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.[1].Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' });
    expect(JSON.stringify(schedules[0]?.[1].Properties?.Target)).toContain('DeadLetterConfig');
    const fn = resources('AWS::Lambda::Function').find(([, f]) => String(f.Properties?.Description).startsWith('Start the workflow for guarded images'));
    const vars = (fn?.[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(['STATE_MACHINE_ARN', 'REGISTRY_HOST', 'GUARDED_REPOSITORIES', 'RECONCILE_CONCURRENCY']));
    const policies = resources('AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties));
    const describe = policies.filter((p) => p.includes('ecr:DescribeImages'));
    expect(describe).toHaveLength(1);
    expect(describe[0]).toContain('states:StartExecution');
    const statement = (JSON.parse(describe[0] ?? '{}') as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }).PolicyDocument.Statement.find((x) => x.Action === 'ecr:DescribeImages');
    expect(statement?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactGuardRepository/), 'Arn'] });
    // PROCESSED by GetItem, a processed digest's evidence items by Query (the SBOM coverage metric).
    expect(dynamoActionsOf('Start the workflow for guarded images')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('can be turned off', () => {
    const stack = new Stack(new App(), 'S');
    new ArtifactGuard(stack, 'G', { reconcileEvery: false });
    Template.fromStack(stack).resourceCountIs('AWS::Scheduler::Schedule', 0);
  });
});
