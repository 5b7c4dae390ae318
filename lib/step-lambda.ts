import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const ROOT = path.join(__dirname, '..');

export interface StepLambdaProps {
  /** Handler file under `lambdas/handlers/` (without extension). */
  readonly handler: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  readonly logRetention: logs.RetentionDays;
  /**
   * The function's role.
   * @default - a new role that may only write to the function's log group
   */
  readonly role?: iam.Role;
}

/**
 * One workflow step's Lambda: Node.js 22 on arm64, X-Ray active, its own log group with
 * retention and its own role that may write only to that log group (no managed policies).
 */
export class StepLambda extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StepLambdaProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Artifact Guard ${id} step`,
      });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(ROOT, 'lambdas', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(1),
      tracing: lambda.Tracing.ACTIVE,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // The nodejs22.x runtime ships AWS SDK v3. The CycloneDX library's XML plugins are
        // optional requires (we write JSON only) and are not installed.
        externalModules: ['@aws-sdk/*', 'xmlbuilder2', 'libxmljs2'],
      },
    });
  }
}
