import { synthTemplate } from '../../../lib/synth-offline';
import { definitionFromTemplate } from '../../../lib/template-definition';
import { PROCESSING_LEASE_SECONDS } from '../../../lambdas/core/processing-lease';
import { RecordsTable } from '../../../lambdas/core/records-table';
import { STEPS } from '../../../lambdas/workflow/step-registry';

type Resource = { Type: string; Properties?: Record<string, unknown> };
const json = synthTemplate().toJSON() as { Resources: Record<string, Resource> };
const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);

/** The DynamoDB actions in the inline policies of the Lambda with this description. */
function tableActions(description: string): string[] {
  const fn = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties?.Description === description)?.[1];
  const role = (fn?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  expect(role).toBeDefined();
  const statements = ofType('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement);
  return statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('dynamodb:')).sort();
}

describe('processing lease in the stack', () => {
  it('has TTL on the lease expiry attribute of the records table', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource]];
    expect(table.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: RecordsTable.timeToLiveAttribute, Enabled: true });
  });

  it('outlives any execution: the state machine times out before the lease expires', () => {
    const definition = definitionFromTemplate(json as Parameters<typeof definitionFromTemplate>[0]) as { TimeoutSeconds?: number };
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    expect(PROCESSING_LEASE_SECONDS).toBeGreaterThan(definition.TimeoutSeconds ?? Infinity);
  });

  it('lets Resolve take the lease and Notify write PROCESSED and release it, and nothing more', () => {
    expect(tableActions(STEPS.resolve.description)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(tableActions(STEPS.notify.description)).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
  });

  it('routes an event another execution is already processing to a success end, before the heavy steps', () => {
    const definition = definitionFromTemplate(json as Parameters<typeof definitionFromTemplate>[0]) as { States: Record<string, { Type: string; Choices?: { Next: string; And?: unknown[] }[] }> };
    const route = definition.States.Route;
    const inProgress = route?.Choices?.findIndex((c) => c.Next === 'AlreadyInProgress') ?? -1;
    const duplicate = route?.Choices?.findIndex((c) => JSON.stringify(c).includes('$.artifact.duplicate')) ?? -1;
    expect(inProgress).toBeGreaterThanOrEqual(0);
    expect(inProgress).toBeLessThan(duplicate);
    expect(definition.States.AlreadyInProgress?.Type).toBe('Succeed');
  });
});
