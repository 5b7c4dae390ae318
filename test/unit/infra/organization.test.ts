import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactGuard } from '../../../lib/artifact-guard';
import { ArtifactGuardStack } from '../../../lib/artifact-guard-stack';
import { stackPropsFromContext } from '../../../lib/context';
import { ArtifactGuardMemberAccount, ArtifactGuardMemberAccountStack, MemberAccountWarning } from '../../../lib/member-account';
import { offlineApp } from '../../../lib/synth-offline';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown; Principal?: unknown };

const ORG = 'o-a1b2c3d4e5';
const CENTRAL_BUS = 'arn:aws:events:eu-west-1:111111111111:event-bus/default';
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];

function central(context: Record<string, string> = { organizationId: ORG }) {
  const app = offlineApp(context);
  const stack = new ArtifactGuardStack(app, 'Central', stackPropsFromContext(app));
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Resources }).Resources;
  return { app, stack, template, resources };
}

const logicalIdOf = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);

/** Every statement of the policies attached to a role (by logical id). */
function roleStatements(resources: Resources, roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const orgStatementOf = (statements: Statement[]) => statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('aws:ResourceOrgID'));

describe('central guard with organizationId', () => {
  const { app, stack, template, resources } = central({ organizationId: ORG, memberRepositories: 'team/app, team/web' });

  it('lets only principals of the organisation put events on the default bus', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    });
  });

  it('routes member pushes (other accounts only) to the workflow and evidence pushes to the evidence check; its own rules keep to this account', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties?.EventPattern ?? {}).includes('ECR Image Action'));
    const patterns = rules.map((r) => r.Properties?.EventPattern as { account: unknown; detail: { 'repository-name': unknown; 'image-tag': unknown } });
    const member = patterns.filter((p) => JSON.stringify(p.account).includes('anything-but'));
    expect(member).toHaveLength(2);
    for (const p of member) {
      expect(p.account).toEqual([{ 'anything-but': [{ Ref: 'AWS::AccountId' }] }]);
      expect(p.detail['repository-name']).toEqual(['team/app', 'team/web']);
    }
    expect(member.map((p) => p.detail['image-tag'])).toEqual(expect.arrayContaining([[{ 'anything-but': { prefix: 'sha256-' } }], [{ prefix: 'sha256-' }]]));
    const own = patterns.filter((p) => !member.includes(p));
    expect(own).toHaveLength(2);
    for (const p of own) expect(p.account).toEqual([{ Ref: 'AWS::AccountId' }]);
    const workflowId = logicalIdOf(stack, stack.guard.stateMachine);
    const checkId = logicalIdOf(stack, stack.guard.evidenceCheck.function);
    const targetOf = (tag: unknown) => JSON.stringify(rules.find((r) => JSON.stringify(r.Properties?.EventPattern).includes('anything-but":[') && JSON.stringify((r.Properties?.EventPattern as { detail: { 'image-tag': unknown } }).detail['image-tag']) === JSON.stringify(tag))?.Properties?.Targets);
    expect(targetOf([{ 'anything-but': { prefix: 'sha256-' } }])).toContain(workflowId);
    expect(targetOf([{ prefix: 'sha256-' }])).toContain(checkId);
  });

  it('lets the reading roles pull and only the attach step push on repositories of the organisation', () => {
    const g = stack.guard;
    const orgCondition = { StringEquals: { 'aws:ResourceOrgID': ORG } };
    const resource = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:*:*:repository/*']] };
    for (const role of [g.steps.resolve.role, g.steps.sbom.role, g.evidenceCheck.role, g.verifyGate.role]) {
      const statements = orgStatementOf(roleStatements(resources, logicalIdOf(stack, role)));
      expect(statements).toEqual([expect.objectContaining({ Effect: 'Allow', Action: PULL, Resource: resource, Condition: orgCondition })]);
    }
    const attach = orgStatementOf(roleStatements(resources, logicalIdOf(stack, g.steps.attach.role)));
    expect(attach).toEqual([expect.objectContaining({ Action: [...PULL, ...PUSH], Resource: resource, Condition: orgCondition })]);
    for (const role of [g.signingRole, g.steps.scan.role, g.steps.record.role, g.steps.notify.role, g.alertMailer.role]) {
      expect(orgStatementOf(roleStatements(resources, logicalIdOf(stack, role)))).toEqual([]);
    }
  });

  it('passes cdk-nag AwsSolutions (the org-wide repository grant acknowledged with its reason)', () => {
    app.synth();
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('the construct acknowledges nothing itself: in a bare stack the organisation-wide grant is an IAM5 finding', () => {
    const bare = offlineApp();
    const s = new Stack(bare, 'Bare');
    new ArtifactGuard(s, 'Guard', { organizationId: ORG });
    bare.synth();
    const rules = new AwsSolutionsChecks().validateScope(bare).violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:*:*:repository/*]');
  });

  it('without organizationId: no bus policy, no member rules, no account filter (unchanged)', () => {
    const plain = central({});
    plain.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    for (const r of Object.values(plain.resources).filter((x) => x.Type === 'AWS::Events::Rule')) expect(JSON.stringify(r.Properties?.EventPattern ?? {})).not.toContain('"account"');
  });

  it('refuses a malformed organisation id, and member repositories without one', () => {
    expect(() => central({ organizationId: 'a1b2c3' })).toThrow(/organizationId must be an AWS Organizations id/);
    expect(() => central({ memberRepositories: 'team/app' })).toThrow(/memberRepositories needs organizationId/);
  });
});

describe('ArtifactGuardMemberAccount', () => {
  function member(setup: (stack: Stack) => ecr.IRepository[] | undefined) {
    const stack = new Stack(new App(), 'Member', { env: { account: '222222222222', region: 'eu-central-1' } });
    const repositories = setup(stack);
    const construct = new ArtifactGuardMemberAccount(stack, 'Member', { centralEventBusArn: CENTRAL_BUS, ...(repositories ? { repositories } : {}) });
    const template = Template.fromStack(stack);
    return { stack, construct, template, resources: (template.toJSON() as { Resources: Resources }).Resources };
  }

  it('forwards the account\'s ECR pushes to the central bus with a role that may put events there only', () => {
    const { stack, construct, template, resources } = member((s) => [new ecr.Repository(s, 'App', { repositoryName: 'team/app' })]);
    const roleId = logicalIdOf(stack, construct.forwardRole);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': [Match.anyValue()] } },
      Targets: [Match.objectLike({ Arn: CENTRAL_BUS, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    expect(roleStatements(resources, roleId)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: CENTRAL_BUS }]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } } })] },
    });
  });

  it('lets the central account pull and push on a repository of its stack', () => {
    const { template } = member((s) => [new ecr.Repository(s, 'App', { repositoryName: 'team/app' })]);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: [
          {
            Sid: 'ArtifactGuardCentralAccount',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
            Action: [...PULL, ...PUSH],
          },
        ],
      },
    });
  });

  it('warns with the statement to add for a repository it cannot change', () => {
    const { stack } = member((s) => [ecr.Repository.fromRepositoryName(s, 'Existing', 'team/old')]);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ArtifactGuardCentralAccount'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.entry.data)).toContain(MemberAccountWarning.repositoryPolicy);
  });

  it('forwards every repository\'s pushes when none is named', () => {
    const { template } = member(() => undefined);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] } } });
  });

  it('refuses a central bus that is not an event bus ARN', () => {
    expect(() => new ArtifactGuardMemberAccount(new Stack(), 'M', { centralEventBusArn: 'arn:aws:sns:eu-west-1:111111111111:topic' })).toThrow(/centralEventBusArn must be an event bus ARN/);
  });
});

describe('ArtifactGuardMemberAccountStack (StackSet template)', () => {
  it('synthesizes with no asset, no bootstrap version check and no cdk-nag finding', () => {
    const app = new App();
    const stack = new ArtifactGuardMemberAccountStack(app, 'ArtifactGuardMember', { centralEventBusArn: CENTRAL_BUS });
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as { Parameters?: Record<string, unknown>; Rules?: Record<string, unknown> };
    expect(template.Parameters?.BootstrapVersion).toBeUndefined();
    expect(template.Rules?.CheckBootstrapVersion).toBeUndefined();
    expect(assembly.getStackArtifact(stack.artifactId).assets).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});
