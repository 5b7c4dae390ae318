import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactGuardStack } from '../../../lib/artifact-guard-stack';
import { stackPropsFromContext } from '../../../lib/context';
import { ArtifactGuardMemberAccountStack, MemberAccountWarning, memberStackPropsFromContext } from '../../../lib/member-account';
import { offlineApp } from '../../../lib/synth-offline';

/**
 * Issue 13 point 6(c): `cdk synth` with every combination of the context options README's
 * "Deploy" table documents passes synth, cdk-nag AwsSolutions (errors and warnings) and carries
 * no error or warning annotation. In process (App + stack + the nag pack, as bin/app.ts wires
 * them) rather than the CLI: the same construct tree, a fraction of the time.
 *
 * Options that shape resources (a repository imported or created, a subscription, the mirror's
 * grant, the chat topic) are combined exhaustively. Options that only set a Lambda environment
 * variable are proven to change nothing else (below), so each of their values is taken once,
 * rotated over the structural combinations, instead of multiplying the matrix by 162.
 */

type Context = Record<string, string>;

/** Each option and the values it is synthesized with (`undefined`: not given). */
const STRUCTURAL: Record<string, (Context | undefined)[]> = {
  alertEmail: [undefined, { alertEmail: 'security@example.com' }],
  repositories: [undefined, { repositories: 'team/api, team/web' }],
  osvMirror: [undefined, { osvMirror: 's3://osv-mirror/osv/all.zip' }],
  slack: [undefined, { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' }],
  organization: [undefined, { organizationId: 'o-a1b2c3d4e5' }, { organizationId: 'o-a1b2c3d4e5', memberRepositories: 'team/app,team/web' }],
};
const VALUE_ONLY: Record<string, (string | undefined)[]> = {
  severityThreshold: [undefined, 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'low'],
  signOnFindings: [undefined, 'true', 'false'],
  unknownSeverity: [undefined, 'fail', 'warn'],
  signUninventoriedArtifacts: [undefined, 'true', 'false'],
};
/**
 * Options that change resources of their own (a grant, the trail, an alarm threshold) and not how
 * the others combine: each synthesized alone, and with everything else in the all-options run.
 */
const INDEPENDENT: Record<string, Context> = {
  inspector: { inspector: 'true' },
  existingTrail: { existingTrail: 'true' },
  buildSuccessAlarmBelow: { buildSuccessAlarmBelow: '95' },
};
/** The README keys each matrix option stands for. */
const README_KEYS: Record<string, string[]> = {
  ...Object.fromEntries(Object.keys(STRUCTURAL).map((k) => [k, [k]])),
  ...Object.fromEntries(Object.keys(INDEPENDENT).map((k) => [k, [k]])),
  slack: ['slackWorkspaceId', 'slackChannelId'],
  organization: ['organizationId', 'memberRepositories'],
  ...Object.fromEntries(Object.keys(VALUE_ONLY).map((k) => [k, [k]])),
};

/**
 * Every `-c key=value` README documents: the Deploy table's first column and the inline `-c`
 * examples of its section, apart (`member`) from those of the member-account app's command.
 */
function documentedContextKeys(): { central: Set<string>; member: Set<string> } {
  const readme = fs.readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  let deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('\n## ', readme.indexOf('## Deploy') + 1));
  const memberStart = deploy.lastIndexOf('\n', deploy.indexOf('bin/member-app.ts')) + 1;
  let memberEnd = memberStart;
  // The command and its continuation lines (ending in a backslash).
  while (memberEnd < deploy.length) {
    const eol = deploy.indexOf('\n', memberEnd);
    const line = deploy.slice(memberEnd, eol < 0 ? undefined : eol);
    memberEnd = eol < 0 ? deploy.length : eol + 1;
    if (!line.trimEnd().endsWith('\\')) break;
  }
  const keysIn = (text: string) => [...text.matchAll(/-c ([A-Za-z]+)=(?!value)/g)].map((m) => m[1] as string);
  const member = new Set(keysIn(deploy.slice(memberStart, memberEnd)));
  deploy = deploy.slice(0, memberStart) + deploy.slice(memberEnd);
  const central = new Set<string>();
  // The context table only (other tables of the section list formats, roles, item keys).
  const table = deploy.slice(deploy.indexOf('| key | default | meaning |'));
  const rows = table.slice(0, table.search(/\n(?!\|)/));
  for (const m of rows.matchAll(/^\| `([A-Za-z]+)` \|/gm)) central.add(m[1] as string);
  // (`-c key=value` is the syntax line, not a key)
  for (const key of keysIn(deploy)) central.add(key);
  return { central, member };
}

function product(options: (Context | undefined)[][]): Context[] {
  return options.reduce<Context[]>((acc, values) => acc.flatMap((ctx) => values.map((v) => ({ ...ctx, ...v }))), [{}]);
}

function synth(context: Context): { app: App; stack: ArtifactGuardStack } {
  const app = offlineApp(context);
  const stack = new ArtifactGuardStack(app, 'ArtifactGuard', stackPropsFromContext(app));
  return { app, stack };
}

/** Synthesizes and returns every problem: nag violations (errors and warnings) and error/warning annotations. */
function problemsOf(context: Context): string[] {
  const { app } = synth(context);
  const assembly = app.synth();
  const report = new AwsSolutionsChecks().validateScope(app);
  const nag = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  const annotations = assembly
    .getStackArtifact('ArtifactGuard')
    .messages.filter((m) => m.level === 'error' || m.level === 'warning')
    .map((m) => `${m.level} ${m.id}: ${String(m.entry.data)}`);
  return [...nag, ...annotations];
}

const templateJson = (context: Context) => JSON.parse(JSON.stringify(synth(context).app.synth().getStackArtifact('ArtifactGuard').template)) as { Resources: Record<string, { Type: string; Properties?: { Environment?: unknown } }> };

/** The template with every Lambda's environment variables blanked out. */
function withoutLambdaEnvironment(context: Context): unknown {
  const t = templateJson(context);
  for (const r of Object.values(t.Resources)) if (r.Type === 'AWS::Lambda::Function' && r.Properties) r.Properties.Environment = '(blanked)';
  return t;
}

describe('cdk synth with every documented context combination', () => {
  it('the matrix covers every context key README documents', () => {
    const documented = documentedContextKeys().central;
    const covered = new Set(Object.values(README_KEYS).flat());
    expect(documented.size).toBeGreaterThanOrEqual(8);
    expect([...documented].filter((k) => !covered.has(k))).toEqual([]);
    expect([...covered].filter((k) => !documented.has(k))).toEqual([]);
  });

  it('value-only options change nothing but Lambda environment variables', () => {
    const base = withoutLambdaEnvironment({});
    for (const [key, values] of Object.entries(VALUE_ONLY)) {
      for (const value of values) {
        if (value === undefined) continue;
        expect({ key, value, template: withoutLambdaEnvironment({ [key]: value }) }).toEqual({ key, value, template: base });
      }
    }
    // Control: they do reach the environment.
    expect(templateJson({ severityThreshold: 'LOW' })).not.toEqual(templateJson({}));
  });

  const structural = product(Object.values(STRUCTURAL));
  const valueKeys = Object.keys(VALUE_ONLY);
  // Rotating the value-only options over the structural combinations: each value appears at least once.
  const rotations = Math.max(structural.length, ...Object.values(VALUE_ONLY).map((v) => v.length));
  const matrix: Context[] = Array.from({ length: rotations }, (_, i) => {
    const ctx: Context = { ...(structural[i % structural.length] as Context) };
    valueKeys.forEach((key, k) => {
      const values = VALUE_ONLY[key] as (string | undefined)[];
      const v = values[(i + k) % values.length];
      if (v !== undefined) ctx[key] = v;
    });
    return ctx;
  }).concat(Object.values(INDEPENDENT));

  it('takes every value of every option at least once', () => {
    expect(structural).toHaveLength(48);
    for (const [key, values] of Object.entries(VALUE_ONLY)) {
      for (const v of values) expect({ key, v, seen: matrix.some((ctx) => ctx[key] === v) }).toEqual({ key, v, seen: true });
    }
  });

  it.each(matrix.map((ctx) => [JSON.stringify(ctx), ctx] as const))('synthesizes %s with no cdk-nag finding and no error or warning', (_name, ctx) => {
    expect(problemsOf(ctx)).toEqual([]);
  });

  it('synthesizes every option at once as bin/app.ts does: the nag pack as a validation plugin, with the built-in CloudFormation validation on', () => {
    const all: Context = Object.assign({}, ...Object.values(STRUCTURAL).map((values) => values[values.length - 1]), ...Object.values(INDEPENDENT), { severityThreshold: 'LOW', signOnFindings: 'true', unknownSeverity: 'warn', signUninventoriedArtifacts: 'true' });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...all }, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ag-matrix-')) });
    new ArtifactGuardStack(app, 'ArtifactGuard', stackPropsFromContext(app));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth(); // throws on any unacknowledged finding or CloudFormation validation error
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports?: { pluginName: string; conclusion: string; violations: unknown[] }[] };
    // The CloudFormation validator's report (a failing nag plugin throws above; stack.test.ts proves it does).
    expect((report.pluginReports ?? []).map((r) => r.pluginName)).toContain('CloudFormation Validate');
    for (const r of report.pluginReports ?? []) expect({ plugin: r.pluginName, conclusion: r.conclusion, violations: r.violations }).toEqual({ plugin: r.pluginName, conclusion: 'success', violations: [] });
    fs.rmSync(assembly.directory, { recursive: true, force: true });
  });

  it('reports a finding the stack does not acknowledge (control)', () => {
    const { app, stack } = synth({});
    stack.guard.steps.resolve.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    app.synth();
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::s3:*]');
  });

  it('fails synth with one clear error on an invalid value', () => {
    expect(() => memberSynth({})).toThrow(/centralEventBusArn is required/);
    expect(() => synth({ severityThreshold: 'SEVERE' })).toThrow(/severityThreshold must be one of/);
    expect(() => synth({ slackWorkspaceId: 'T1' })).toThrow(/go together/);
    expect(() => synth({ organizationId: 'org-1' })).toThrow(/organizationId must be/);
  });
});

/** The member-account app (bin/member-app.ts): its documented keys, every combination. */
const MEMBER: Record<string, (Context | undefined)[]> = {
  centralEventBusArn: [{ centralEventBusArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/default' }],
  repositories: [undefined, { repositories: 'team/app, team/web' }],
};

function memberSynth(context: Context) {
  const app = new App({ context });
  const stack = new ArtifactGuardMemberAccountStack(app, 'ArtifactGuardMember', memberStackPropsFromContext(app));
  return { app, stack };
}

describe('cdk synth of the member-account app with every documented context combination', () => {
  it('the matrix covers every key its README command documents', () => {
    expect([...documentedContextKeys().member].sort()).toEqual(Object.keys(MEMBER).sort());
  });

  it.each(product(Object.values(MEMBER)).map((ctx) => [JSON.stringify(ctx), ctx] as const))('synthesizes %s with no cdk-nag finding; the only warning is the repository policy to add, once per named repository', (_name, ctx) => {
    const { app, stack } = memberSynth(ctx);
    const assembly = app.synth();
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    const messages = assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'error' || m.level === 'warning');
    const named = ctx.repositories ? ctx.repositories.split(',').length : 0;
    expect(messages.map((m) => m.level)).toEqual(Array<string>(named).fill('warning'));
    for (const m of messages) expect(String(m.entry.data)).toContain(MemberAccountWarning.repositoryPolicy);
  });
});
