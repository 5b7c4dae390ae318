/**
 * Issue 15 points 4-6 in the template: the Promote Lambda, closed environment repositories and the
 * pusher / promoter / deployer / auditor roles, their boundaries proven statement by statement.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactGuardStack } from '../../../lib/artifact-guard-stack';
import { offlineApp } from '../../../lib/synth-offline';

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };
type Resource = { Type: string; Properties?: Record<string, unknown> };

const app = offlineApp();
const stack = new ArtifactGuardStack(app, 'Roles', {
  environments: { dev: { policy: { attestations: ['vuln'] } }, prod: { policy: { vulnerabilities: { failOn: 'high' } }, repositoryNames: ['app-prod'] } },
});
const template = Template.fromStack(stack);
const resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
const idOf = (predicate: (id: string, r: Resource) => boolean): string => {
  const hit = Object.entries(resources).find(([id, r]) => predicate(id, r));
  if (!hit) throw new Error('resource not found');
  return hit[0];
};
const roleId = (name: string) => idOf((id, r) => r.Type === 'AWS::IAM::Role' && id.startsWith(`ArtifactGuardRoles${name}`));
const promoteRoleId = idOf((id, r) => r.Type === 'AWS::IAM::Role' && id.startsWith('ArtifactGuardPromoteRole'));
const prodRepoId = idOf((_, r) => r.Type === 'AWS::ECR::Repository' && r.Properties?.RepositoryName === 'app-prod');
const sourceRepoId = idOf((id, r) => r.Type === 'AWS::ECR::Repository' && id.startsWith('ArtifactGuardRepository'));
const signingKeyId = idOf((_, r) => r.Type === 'AWS::KMS::Key' && r.Properties?.KeySpec === 'ECC_NIST_P256');

/** Every statement of every identity policy attached to a role. */
function statementsOf(role: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${role}"`))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesText = (s: Statement): string => JSON.stringify(s.Resource);
const allActions = (role: string) => statementsOf(role).flatMap(actions);

describe('access roles (issue 15 point 6)', () => {
  it('pusher: pull and push to the source repository only; no signing, promotion, evidence or ledger', () => {
    const pusher = roleId('Pusher');
    for (const s of statementsOf(pusher)) {
      expect(s.Effect).toBe('Allow');
      for (const a of actions(s)) expect(a).toMatch(/^ecr:(GetAuthorizationToken|BatchCheckLayerAvailability|GetDownloadUrlForLayer|BatchGetImage|InitiateLayerUpload|UploadLayerPart|CompleteLayerUpload|PutImage)$/);
      if (actions(s).includes('ecr:PutImage')) {
        expect(resourcesText(s)).toContain(sourceRepoId);
        expect(resourcesText(s)).not.toContain(prodRepoId);
      }
      if (resourcesText(s) === '"*"') expect(actions(s)).toEqual(['ecr:GetAuthorizationToken']);
    }
    expect(allActions(pusher)).toContain('ecr:PutImage');
    expect(allActions(pusher)).not.toContain('kms:Sign');
    expect(allActions(pusher).some((a) => a.startsWith('lambda:') || a.startsWith('s3:') || a.startsWith('dynamodb:'))).toBe(false);
  });

  it('promoter: invokes the Promote Lambda and the gate, pulls; never pushes or signs itself', () => {
    const promoter = roleId('Promoter');
    const acts = allActions(promoter);
    expect(acts).toEqual(expect.arrayContaining(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl', 'ecr:BatchGetImage']));
    for (const a of acts) expect(a).not.toMatch(/^(ecr:(PutImage|InitiateLayerUpload|UploadLayerPart|CompleteLayerUpload|BatchDeleteImage)|kms:Sign|s3:Put|dynamodb:(Put|Update|Delete))/);
    const invoked = statementsOf(promoter).filter((s) => actions(s).some((a) => a.startsWith('lambda:'))).map(resourcesText).join(' ');
    expect(invoked).toContain('ArtifactGuardPromoteFunction');
    expect(invoked).toContain('ArtifactGuardVerifyGateFunction');
  });

  it('deployer: invokes the gate, pulls the environments\' repositories, reads the public key; nothing else', () => {
    for (const s of statementsOf(roleId('Deployer'))) {
      for (const a of actions(s)) expect(a).toMatch(/^(lambda:InvokeFunction(Url)?|ecr:(GetAuthorizationToken|BatchCheckLayerAvailability|GetDownloadUrlForLayer|BatchGetImage)|kms:(GetPublicKey|DescribeKey))$/);
      if (actions(s).some((a) => a.startsWith('lambda:'))) expect(resourcesText(s)).not.toContain('Promote');
      if (actions(s).includes('ecr:BatchGetImage')) expect(resourcesText(s)).toContain(prodRepoId);
    }
  });

  it('auditor: reads the ledger, the evidence and the public key; no write action anywhere', () => {
    const acts = allActions(roleId('Auditor'));
    expect(acts).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem', 's3:GetObject*', 'kms:GetPublicKey']));
    for (const a of acts) expect(a).toMatch(/^[a-z0-9]+:(Get|List|Describe|Query|Scan|BatchGet|ConditionCheck)/);
  });

  it('each role says who assumes it and is assumable from the account (its own policy must allow sts:AssumeRole)', () => {
    for (const name of ['Pusher', 'Promoter', 'Deployer', 'Auditor']) {
      const role = resources[roleId(name)];
      expect(String(role?.Properties?.Description)).toMatch(/^Artifact Guard [a-z]+: /);
      expect(JSON.stringify(role?.Properties?.AssumeRolePolicyDocument)).toContain(':root');
    }
  });
});

describe('promotion and closed environment repositories (issue 15 points 4 and 5)', () => {
  it('the environment repository denies every push except the Promote Lambda\'s', () => {
    const policy = resources[prodRepoId]?.Properties?.RepositoryPolicyText as { Statement: Statement[] };
    expect(policy.Statement).toEqual([
      {
        Sid: 'OnlyPromotionPushes',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [promoteRoleId, 'Arn'] } } },
      },
    ]);
    // The source repository stays open to CI.
    expect(resources[sourceRepoId]?.Properties?.RepositoryPolicyText).toBeUndefined();
  });

  it('only the Sign step may sign (key policy and identity policies); the Promote Lambda may only invoke it, which approves for the environment repositories only', () => {
    const signingRoleId = idOf((id) => id.startsWith('ArtifactGuardSigningRole'));
    const key = resources[signingKeyId]?.Properties?.KeyPolicy as { Statement: Statement[] };
    const deny = key.Statement.find((s) => s.Effect === 'Deny');
    expect(deny?.Condition?.ArnNotEquals?.['aws:PrincipalArn']).toEqual({ 'Fn::GetAtt': [signingRoleId, 'Arn'] });
    const signers = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.PolicyDocument).includes('"kms:Sign"'))
      .flatMap(([, r]) => (r.Properties?.Roles as { Ref: string }[]).map((x) => x.Ref));
    expect(signers).toEqual([signingRoleId]);
    const signFunctionId = idOf((id) => id.startsWith('ArtifactGuardSignStepFunction'));
    const invokes = statementsOf(promoteRoleId).filter((s) => actions(s).includes('lambda:InvokeFunction'));
    expect(invokes.map(resourcesText).join(' ')).toContain(signFunctionId);
    const signEnv = (resources[signFunctionId]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(signEnv.PROMOTION_TARGETS)).toContain(prodRepoId);
    expect(JSON.stringify(signEnv.PROMOTION_TARGETS)).not.toContain(sourceRepoId);
  });

  it('the Promote Lambda pushes only to the environment repositories and has an IAM-authenticated URL; the admission policies are published by a custom resource', () => {
    const pushes = statementsOf(promoteRoleId).filter((s) => actions(s).includes('ecr:PutImage'));
    expect(pushes.map(resourcesText).join(' ')).toContain(prodRepoId);
    expect(pushes.map(resourcesText).join(' ')).not.toContain(sourceRepoId);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [idOf((id, r) => r.Type === 'AWS::Lambda::Function' && id.startsWith('ArtifactGuardPromoteFunction')), 'Arn'] } });
    template.resourceCountIs('AWS::CloudFormation::CustomResource', 1);
    const writer = statementsOf(idOf((id, r) => r.Type === 'AWS::IAM::Role' && id.startsWith('ArtifactGuardAdmissionPoliciesRole')));
    expect(writer.filter((s) => actions(s).includes('s3:PutObject')).map(resourcesText).join(' ')).toContain('/admission/*');
    for (const out of ['PromoteUrl', 'AdmissionPolicies', 'PusherRole', 'PromoterRole', 'DeployerRole', 'AuditorRole']) template.hasOutput(out, {});
  });
});

describe('grantPromote', () => {
  it('grants invoking the Promote Lambda; without environments there is nothing to grant', () => {
    const s = new ArtifactGuardStack(offlineApp(), 'G', { environments: { prod: { policy: {}, repositoryNames: ['app-prod'] } } });
    const role = new iam.Role(s, 'Release', { assumedBy: new iam.AccountRootPrincipal() });
    s.guard.grantPromote(role);
    const doc = JSON.stringify(Template.fromStack(s).toJSON());
    expect(doc).toMatch(/"lambda:InvokeFunctionUrl"/);
    expect(() => new ArtifactGuardStack(offlineApp(), 'N').guard.grantPromote(role)).toThrow(/grantPromote needs environments/);
  });
});
