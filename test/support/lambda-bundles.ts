import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ArtifactGuardStack } from '../../lib/artifact-guard-stack';
import { stackPropsFromContext } from '../../lib/context';

/** A synthesized template, as much of it as these helpers read. */
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

/** One Lambda function of the template and its bundle in the cloud assembly. */
export interface BundledFunction {
  readonly logicalId: string;
  /** The asset directory (`cdk.out/asset.<hash>`), holding the bundle's index.js. */
  readonly assetDir: string;
  readonly handler: string;
  /** Environment.Variables as the template sets them (values may be intrinsics). */
  readonly environment: Readonly<Record<string, unknown>>;
  /** Logical id of its execution role. */
  readonly roleId: string;
}

/** `cdk synth` of the app's stack, in process, with the Lambda code bundled for real (esbuild), into `outdir`. */
export function synthesizeGuard(outdir: string, context: Record<string, string | boolean>): { template: TemplateJson; functions: Map<string, BundledFunction> } {
  // Path and asset metadata as the CLI records them (construct paths name the functions).
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, ...context } });
  const stack = new ArtifactGuardStack(app, 'ArtifactGuard', stackPropsFromContext(app));
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as TemplateJson;
  const functions = new Map<string, BundledFunction>();
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = r.Properties ?? {};
    // The asset's directory: from its metadata when the app records it, else from its S3 key (<hash>.zip).
    const s3Key = (p.Code as { S3Key?: unknown } | undefined)?.S3Key;
    const fromKey = typeof s3Key === 'string' ? `asset.${s3Key.replace(/\.zip$/, '')}` : undefined;
    const dir = typeof r.Metadata?.['aws:asset:path'] === 'string' ? r.Metadata['aws:asset:path'] : fromKey;
    if (!dir) throw new Error(`${logicalId}: no asset for its code`);
    const role = (p.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    if (!role) throw new Error(`${logicalId}: its role is not a role of the template`);
    functions.set(logicalId, {
      logicalId,
      assetDir: path.resolve(assembly.directory, dir),
      handler: String(p.Handler),
      environment: (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
      roleId: role,
    });
  }
  return { template, functions };
}

/** What the resolver needs to know of the deployment it stands for. */
export interface Physical {
  readonly region: string;
  readonly account: string;
  /** `Ref` of a resource of the template (its type given). */
  ref(logicalId: string, type: string): string;
  /** `Fn::GetAtt` of a resource of the template. */
  getAtt(logicalId: string, attribute: string, resource: TemplateJson['Resources'][string]): string;
}

/** Resolves the intrinsics a Lambda environment uses (Ref, Fn::GetAtt, Fn::Join, pseudo parameters); anything else throws. */
export function resolveValue(value: unknown, template: TemplateJson, physical: Physical): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const obj = value as Record<string, unknown>;
  const ref = obj.Ref;
  if (typeof ref === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Region': physical.region, 'AWS::AccountId': physical.account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    if (pseudo[ref]) return pseudo[ref];
    const r = template.Resources[ref];
    if (!r) throw new Error(`Ref to ${ref}, which the template does not hold`);
    return physical.ref(ref, r.Type);
  }
  const getAtt = obj['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) {
    const r = template.Resources[getAtt[0]];
    if (!r) throw new Error(`GetAtt of ${getAtt[0]}, which the template does not hold`);
    return physical.getAtt(getAtt[0], getAtt[1], r);
  }
  const join = obj['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map((part) => resolveValue(part, template, physical)).join(join[0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)} for a local run`);
}

/**
 * One Lambda function run from its bundle in a fresh Node process (test/support/lambda-host.js),
 * with only the environment given (as Lambda's: the template's variables plus the runtime's).
 */
export class LambdaProcess {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';

  private constructor(
    readonly fn: BundledFunction,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-20_000);
    });
    child.on('message', (m: { id?: number; result?: unknown; error?: { name: string; message: string } }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      else p?.resolve(m.result);
    });
    child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`${fn.logicalId} exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  static async start(fn: BundledFunction, environment: Record<string, string>): Promise<LambdaProcess> {
    const [file, exported] = fn.handler.split('.');
    if (exported !== 'handler') throw new Error(`${fn.logicalId}: handler ${fn.handler} is not <file>.handler`);
    const entry = path.join(fn.assetDir, `${file}.js`);
    if (!fs.existsSync(entry)) throw new Error(`${fn.logicalId}: no bundle at ${entry}`);
    const child = fork(path.join(__dirname, 'lambda-host.js'), [entry], { env: environment, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    // Lambda logs (Powertools JSON, EMF metrics) go to stdout: drained, not shown.
    child.stdout?.resume();
    const proc = new LambdaProcess(fn, child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: { ready?: boolean; initError?: { name: string; message: string; stack?: string } }) => {
        if (m.ready) resolve();
        else reject(new Error(`${fn.logicalId} failed to initialise: ${m.initError?.stack ?? m.initError?.message ?? ''}\n${proc.stderr}`));
      });
      child.once('exit', (code) => reject(new Error(`${fn.logicalId} exited during init (${code}): ${proc.stderr}`)));
    });
    return proc;
  }

  /** One invocation; a thrown error comes back with its name (Lambda's errorType). */
  invoke(event: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, event });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A policy statement as the template holds it. */
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
}

/** The actions each role's attached policies (AWS::IAM::Policy) allow, by role logical id. */
export function allowedActions(template: TemplateJson, roleId: string): string[] {
  const actions = new Set<string>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const roles = (r.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
    if (!roles.some((x) => x.Ref === roleId)) continue;
    for (const s of (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
      if (s.Effect !== 'Allow') continue;
      for (const a of Array.isArray(s.Action) ? s.Action : [s.Action]) actions.add(a);
    }
  }
  return [...actions].sort();
}

/** Whether an IAM action pattern (`kms:GenerateDataKey*`) covers an action. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/**
 * Whether an event matches an EventBridge event pattern, for the forms the stack's rules use: a
 * field's list of values (one must equal the field, or be in it when the field is a list),
 * `{ "exists": bool }`, and nested objects. Any other form throws (it would need its own code).
 */
export function matchesEventPattern(pattern: Readonly<Record<string, unknown>>, event: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(pattern).every(([field, rule]) => {
    const value = event[field];
    if (Array.isArray(rule)) return rule.some((r) => matchesPatternValue(r, value));
    if (rule && typeof rule === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value) && matchesEventPattern(rule as Record<string, unknown>, value as Record<string, unknown>);
    throw new Error(`event pattern: ${field} is neither a list nor an object`);
  });
}

function matchesPatternValue(rule: unknown, value: unknown): boolean {
  if (rule !== null && typeof rule === 'object') {
    const keys = Object.keys(rule);
    if (keys.length === 1 && keys[0] === 'exists') return (value !== undefined) === (rule as { exists: unknown }).exists;
    throw new Error(`event pattern: the filter ${JSON.stringify(rule)} is not supported here`);
  }
  return Array.isArray(value) ? value.includes(rule) : value === rule;
}
