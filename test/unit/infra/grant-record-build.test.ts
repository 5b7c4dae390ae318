import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactGuard } from '../../../lib/artifact-guard';

describe('grantRecordBuild', () => {
  it('allows PutEvents on the guard bus for Build Recorded events from artifact-guard.ci only', () => {
    const stack = new Stack(new App(), 'S');
    const imported = ArtifactGuard.fromArtifactGuardAttributes(stack, 'G', {
      guardId: 'g',
      signingKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      signingKeyAliasName: 'alias/a',
      tableName: 'records',
      evidenceBucketName: 'evidence-bucket',
      alertBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/guard',
      alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      repositoryNames: ['app'],
      gateFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gate',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:wf',
    });
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantRecordBuild(ci);
    const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantReadLedger(auditor);
    const auditorPolicy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes('dynamodb:Query'));
    expect(JSON.stringify(auditorPolicy)).not.toContain('PutItem');
    expect(JSON.stringify(auditorPolicy)).toContain('/index/*');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/guard',
            Condition: { StringEquals: { 'events:source': 'artifact-guard.ci', 'events:detail-type': 'Build Recorded' } },
          },
        ],
      },
    });
  });
});
