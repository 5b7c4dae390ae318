import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ArtifactGuardStackProps } from './artifact-guard-stack';
import { ArtifactGuardStack } from './artifact-guard-stack';

/** Synthesizes the stack without bundling Lambda code (fast; for tests and the definition generator). */
export function offlineApp(context: Record<string, unknown> = {}): App {
  // The built-in CloudFormation validator (WASM) costs seconds per synth; one test keeps it on.
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false } as ConstructorParameters<typeof App>[0]);
}

export function synthTemplate(props: ArtifactGuardStackProps = {}, context: Record<string, unknown> = {}): Template {
  const app = offlineApp(context);
  const stack = new ArtifactGuardStack(app, 'ArtifactGuard', props);
  return Template.fromStack(stack);
}
