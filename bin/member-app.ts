#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactGuardMemberAccountStack, memberStackPropsFromContext } from '../lib/member-account';

/**
 * The member-account template for a StackSet (README, "Many accounts"):
 * `npx cdk synth -a 'npx tsx bin/member-app.ts' -c centralEventBusArn=ARN [-c repositories=a,b]`.
 */
const app = new App();
new ArtifactGuardMemberAccountStack(app, 'ArtifactGuardMember', {
  ...memberStackPropsFromContext(app),
  description: 'Artifact Guard member account: forwards ECR push events to the central guard',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
