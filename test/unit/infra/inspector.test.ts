import * as fs from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactGuard } from '../../../lib/artifact-guard';
import { ArtifactGuardStack } from '../../../lib/artifact-guard-stack';
import { stackPropsFromContext } from '../../../lib/context';
import { offlineApp } from '../../../lib/synth-offline';

type Resource = { Type: string; Properties?: Record<string, unknown> };

function synth(inspector: boolean) {
  const stack = new Stack(offlineApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const guard = new ArtifactGuard(stack, 'Guard', inspector ? { inspector: { enabled: true } } : {});
  const resources = (Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> }).Resources;
  const scanRole = stack.getLogicalId(guard.steps.scan.role.node.defaultChild as CfnElement);
  return { stack, guard, resources, scanRole };
}

/** Every statement with an inspector2 action, and the roles its policy is attached to. */
function inspectorStatements(resources: Record<string, Resource>) {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((p) => {
      const roles = (p.Properties?.Roles as { Ref: string }[]).map((r) => r.Ref);
      const statements = (p.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
      return statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('inspector2:'))).map((s) => ({ roles, action: s.Action, resource: s.Resource }));
    });
}

describe('inspector prop', () => {
  it('grants exactly inspector2:ListFindings to the Scan step and tells it to read Inspector', () => {
    const { guard, resources, scanRole } = synth(true);
    expect(inspectorStatements(resources)).toEqual([{ roles: [scanRole], action: 'inspector2:ListFindings', resource: '*' }]);
    const scanFn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Role).includes(scanRole));
    expect((scanFn?.Properties?.Environment as { Variables: Record<string, string> }).Variables.ARTIFACT_GUARD_INSPECTOR).toBe('1');
    expect(guard.steps.scan).toBeDefined();
  });

  it('grants nothing and sets nothing without it', () => {
    const { resources } = synth(false);
    expect(inspectorStatements(resources)).toEqual([]);
    expect(JSON.stringify(resources)).not.toContain('ARTIFACT_GUARD_INSPECTOR');
  });

  it('is read from context inspector=true, and the stack stays cdk-nag AwsSolutions clean with it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], inspector: 'true' }, outdir: fs.mkdtempSync('/tmp/ag-cdk-') });
    const props = stackPropsFromContext(app);
    expect(props.inspector).toBe(true);
    new ArtifactGuardStack(app, 'WithInspector', props);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    expect(() => stackPropsFromContext(new App({ context: { inspector: 'yes' } }))).toThrow(/context inspector must be true or false/);
  });
});
