import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ArtifactGuard } from '../../../lib/artifact-guard';
import { offlineApp } from '../../../lib/synth-offline';
import { environmentsFrom } from '../../../lambdas/gate/environments';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function guardWith(environments: ConstructorParameters<typeof ArtifactGuard>[2] extends infer P ? (P extends { environments?: infer E } ? E : never) : never) {
  const stack = new Stack(offlineApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const prodRepo = ecr.Repository.fromRepositoryName(stack, 'ProdRepo', 'app-prod');
  const guard = new ArtifactGuard(stack, 'Guard', { environments: typeof environments === 'function' ? (environments as (r: ecr.IRepository) => never)(prodRepo) : environments });
  return { stack, guard, template: Template.fromStack(stack) };
}

describe('environments on the construct (issue 15)', () => {
  it('hands the gate its environments, validated, with the environment repositories resolved, and pull on them', () => {
    const stack = new Stack(offlineApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const prodRepo = ecr.Repository.fromRepositoryName(stack, 'ProdRepo', 'app-prod');
    new ArtifactGuard(stack, 'Guard', {
      environments: {
        dev: { policy: { attestations: ['vuln'], vulnerabilities: { failOn: 'critical' } } },
        prod: { policy: { maxAge: '7d', attestations: ['slsaprovenance1', 'vuln'], vulnerabilities: { failOn: 'high' } }, repositories: [prodRepo] },
      },
    });
    const template = Template.fromStack(stack);
    const resources = (template.toJSON() as { Resources: Resources }).Resources;
    const gate = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && String((r.Properties?.Description as string) ?? '').startsWith('Deploy gate'));
    const raw = (gate?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.GATE_ENVIRONMENTS;
    // The document is JSON around the CloudFormation reference to the URL suffix; it parses once resolved.
    const text = (raw as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'amazonaws.com')).join('');
    const envs = environmentsFrom(JSON.parse(text), 'GATE_ENVIRONMENTS');
    expect([...envs.keys()]).toEqual(['dev', 'prod']);
    expect(envs.get('prod')?.repositories).toEqual(['111111111111.dkr.ecr.eu-west-1.amazonaws.com/app-prod']);
    expect(envs.get('dev')?.policy.failOn).toBe('critical');
    // The gate reads the ledger and writes one audit event per decision.
    const gatePolicy = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('VerifyGate'))?.[1];
    const actions = JSON.stringify(gatePolicy?.Properties?.PolicyDocument);
    for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'ecr:BatchGetImage']) expect(actions).toContain(a);
    expect(actions).not.toMatch(/dynamodb:(UpdateItem|DeleteItem)/);
    expect(actions).toContain('repository/app-prod');
  });

  it('exposes the gate over a Function URL with AWS_IAM auth', () => {
    const { template } = guardWith({ dev: { policy: { attestations: ['vuln'] } } });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('VerifyGateFunction'), 'Arn'] } });
  });

  it.each([
    [{ prod: { policy: { vulnerabilities: { failOn: 'severe' } } } }, /environments\.prod\.policy vulnerabilities\.failOn must be one of/],
    [{ Prod: { policy: { attestations: ['vuln'] } } }, /environment name is lowercase/],
    [{ prod: { policy: { atestations: ['vuln'] } } }, /unknown key "atestations"/],
  ])('fails the synth on a bad environment (%j)', (environments, message) => {
    expect(() => guardWith(environments as never)).toThrow(message);
  });
});
