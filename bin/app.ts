#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactGuardStack } from '../lib/artifact-guard-stack';
import { stackPropsFromContext } from '../lib/context';

const app = new App();
// Env-agnostic on purpose: synth needs no AWS account and makes no lookups.
new ArtifactGuardStack(app, 'ArtifactGuard', {
  ...stackPropsFromContext(app),
  description: 'Artifact Guard: SBOM, vulnerability scan, KMS signing and provenance for every ECR push',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
