import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct, IConstruct } from 'constructs';
import type { ArtifactGuardAttributes, EnvironmentProps, SeverityThreshold, SlackTarget } from './artifact-guard';
import { ArtifactGuard } from './artifact-guard';

export interface ArtifactGuardStackProps extends StackProps {
  /** Names of existing repositories to guard. @default - one repository is created */
  readonly repositoryNames?: string[];
  /** @default - no e-mail subscription */
  readonly alertEmail?: string;
  /** @default 'HIGH' */
  readonly severityThreshold?: SeverityThreshold;
  /** @default false */
  readonly signOnFindings?: boolean;
  /** @default 'FAIL' */
  readonly unknownSeverity?: 'FAIL' | 'WARN';
  /** @default false */
  readonly signUninventoriedArtifacts?: boolean;
  /** @default - the OSV.dev API */
  readonly osvMirror?: string;
  /** @default - no chat */
  readonly slack?: SlackTarget;
  /**
   * Environments and their policies (see `ArtifactGuardProps.environments`); the stack creates
   * each environment's repositories (`repositoryNames`), closed to every push but promotion's.
   * @default - none
   */
  readonly environments?: Readonly<Record<string, { readonly policy: Record<string, unknown>; readonly repositoryNames?: string[] }>>;
}

/**
 * A thin stack around the reusable `ArtifactGuard` construct. It owns the cdk-nag
 * acknowledgements of the guard's resources (the construct makes none), each with its reason.
 */
export class ArtifactGuardStack extends Stack {
  readonly guard: ArtifactGuard;

  constructor(scope: Construct, id: string, props: ArtifactGuardStackProps = {}) {
    super(scope, id, props);
    const repositories = props.repositoryNames?.map((name, i) => ecr.Repository.fromRepositoryName(this, `Guarded${i}`, name));
    this.guard = new ArtifactGuard(this, 'ArtifactGuard', {
      repositories,
      alertEmail: props.alertEmail,
      severityThreshold: props.severityThreshold,
      signOnFindings: props.signOnFindings,
      unknownSeverity: props.unknownSeverity,
      signUninventoriedArtifacts: props.signUninventoriedArtifacts,
      ...(props.slack ? { slack: props.slack } : {}),
      osvMirror: props.osvMirror,
      ...(props.environments ? { environments: this.environmentRepositories(props.environments) } : {}),
    });
    const guard = this.guard;
    new CfnOutput(this, 'SigningKeyAlias', { value: guard.signingKeyAliasName, description: 'cosign verify --key awskms:///<this>' });
    new CfnOutput(this, 'RepositoryUris', { value: guard.repositories.map((r) => r.repositoryUri).join(',') });
    new CfnOutput(this, 'GateUrl', { value: guard.gateUrl.url, description: 'POST {"reference":"HOST/REPO@sha256:…","environment":"prod"} with SigV4 (service lambda); 200 allowed, 403 denied' });
    new CfnOutput(this, 'VerifyGateFunction', { value: guard.gateFunction.functionName, description: 'aws lambda invoke --function-name <this> --payload \'{"reference":"HOST/REPO:TAG"}\' out.json' });
    new CfnOutput(this, 'EvidenceBucket', { value: guard.evidenceBucket.bucketName });
    new CfnOutput(this, 'RecordsTable', { value: guard.table.tableName });
    new CfnOutput(this, 'AlertTopic', { value: guard.alertTopic.topicArn });
    for (const [name, role] of Object.entries({ PusherRole: guard.roles.pusher, PromoterRole: guard.roles.promoter, DeployerRole: guard.roles.deployer, AuditorRole: guard.roles.auditor })) {
      new CfnOutput(this, name, { value: role.roleArn });
    }
    if (guard.promoteUrl && guard.promote) {
      new CfnOutput(this, 'PromoteUrl', { value: guard.promoteUrl.url, description: 'POST {"reference":"HOST/REPO@sha256:…","target":"HOST/REPO:TAG","environment":"prod"} with SigV4 (service lambda) as the PromoterRole; 200 promoted, 403 refused' });
      new CfnOutput(this, 'PromoteFunction', { value: guard.promote.function.functionName });
    }
    if (guard.admissionPoliciesLocation) new CfnOutput(this, 'AdmissionPolicies', { value: guard.admissionPoliciesLocation, description: '<env>/kyverno.json, policy-controller.json, policy.json (containers), registries.d.yaml for the stack key' });
    new CfnOutput(this, 'AlertEventsTopic', { value: guard.alertEventsTopic.topicArn });
    new CfnOutput(this, 'StateMachineArn', { value: guard.stateMachine.stateMachineArn, description: 'artifact-guard redrive --state-machine <this> (README, "Operations")' });
    const attributes: ArtifactGuardAttributes = {
      guardId: guard.guardId,
      signingKeyArn: guard.signingKey.keyArn,
      signingKeyAliasName: guard.signingKeyAliasName,
      tableName: guard.table.tableName,
      evidenceBucketName: guard.evidenceBucket.bucketName,
      alertBusArn: guard.alertBus.eventBusArn,
      alertTopicArn: guard.alertTopic.topicArn,
      repositoryNames: guard.repositories.map((r) => r.repositoryName),
      gateFunctionArn: guard.gateFunction.functionArn,
      stateMachineArn: guard.stateMachine.stateMachineArn,
    };
    new CfnOutput(this, 'GuardAttributes', { value: this.toJsonString(attributes), description: 'ArtifactGuard.fromArtifactGuardAttributes(scope, id, <this, parsed>)' });
    this.acknowledgeFindings();
  }

  /** The cdk-nag AwsSolutions findings on the guard that are by design, each with its reason. */
  private acknowledgeFindings(): void {
    const { guard } = this;
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(guard.triggerDeadLetterQueue, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the push rule targets.');
    const lambdas = [...Object.values(guard.steps), guard.verifyGate, guard.evidenceCheck, guard.alertMailer, ...(guard.promote ? [guard.promote] : []), ...(guard.admissionPolicies ? [guard.admissionPolicies] : [])];
    for (const s of lambdas) {
      ack(s.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords only support Resource "*".');
      ack(s.function, 'AwsSolutions-L1', 'Pinned to nodejs22.x (the supported LTS line the product targets); bumped deliberately.');
    }
    for (const s of [guard.steps.resolve, guard.steps.sbom, guard.steps.sign, guard.verifyGate, guard.evidenceCheck, ...(guard.promote ? [guard.promote] : [])]) {
      ack(s.role, 'AwsSolutions-IAM5[Action::ecr:GetAuthorizationToken]', 'ECR GetAuthorizationToken has no resource-level permissions.');
    }
    const { pusher, promoter, deployer, auditor } = guard.roles;
    for (const r of [pusher, promoter, deployer]) ack(r, 'AwsSolutions-IAM5[Resource::*]', 'ecr:GetAuthorizationToken has no resource-level permissions (the only action on "*").');
    for (const r of [promoter, deployer]) {
      for (const fn of [guard.gateFunction, ...(guard.promote ? [guard.promote.function] : [])]) ack(r, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(fn)}.Arn>:*]`, 'lambda:InvokeFunction on the function and its versions/aliases (Function.grantInvoke).');
    }
    ack(auditor, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(guard.table)}.Arn>/index/*]`, 'Read-only queries on the records table\'s indexes (byDigest).');
    ack(auditor, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(guard.evidenceBucket)}.Arn>/*]`, 'Read-only access to every evidence object (SBOMs, reports, bundles, admission policies).');
    for (const a of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) ack(auditor, `AwsSolutions-IAM5[Action::${a}]`, 'Bucket.grantRead: read-only action groups on the evidence bucket.');
    const evidence = (prefix: string) => `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(guard.evidenceBucket)}.Arn>/${prefix}]`;
    if (guard.admissionPolicies) ack(guard.admissionPolicies.role, evidence('admission/*'), 'Writes the generated admission policies under the admission/ prefix only.');
    ack(guard.alertEventsPublisher, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Publishing to the KMS-encrypted alert events topic needs GenerateDataKey* on that one key (resource-scoped).');
    ack(guard.alertMailer.role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Publishing to the KMS-encrypted alert topic needs GenerateDataKey* on that one key (resource-scoped).');
    ack(guard.steps.scan.role, evidence('evidence/*'), 'Reads the SBOMs and writes the scan reports under the evidence/ prefix (keys are per digest).');
    ack(guard.steps.sign.role, evidence('evidence/*'), 'Reads SBOMs and scan reports to attest them and writes Sigstore bundles under evidence/ (keys are per digest).');
    for (const prefix of ['evidence/*', 'layer-cache/*']) {
      ack(guard.steps.sbom.role, evidence(prefix), `Object-level access under the ${prefix} prefix of the evidence bucket (keys are per digest).`);
    }
    for (const s of Object.values(guard.steps)) {
      ack(guard.stateMachine.role, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(s.function)}.Arn>:*]`, 'lambda:InvokeFunction on the step function and its versions/aliases (CDK LambdaInvoke).');
    }
    ack(guard.stateMachine.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray and CloudWatch Logs delivery actions only support Resource "*".');
    ack(guard.table, 'AwsSolutions-DDB3', 'Point-in-time recovery is enabled through pointInTimeRecoverySpecification.');
  }

  /** Each environment's repositories, created here with the guarded repositories' settings. */
  private environmentRepositories(envs: NonNullable<ArtifactGuardStackProps['environments']>): Record<string, EnvironmentProps> {
    return Object.fromEntries(
      Object.entries(envs).map(([name, e]) => [
        name,
        {
          policy: e.policy,
          ...(e.repositoryNames?.length
            ? {
                repositories: e.repositoryNames.map(
                  (repositoryName) =>
                    new ecr.Repository(this, `Env-${name}-${repositoryName.replace(/[^A-Za-z0-9]/g, '-')}`, {
                      repositoryName,
                      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
                      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard('sha256-*')],
                      imageScanOnPush: true,
                      encryption: ecr.RepositoryEncryption.KMS,
                      removalPolicy: RemovalPolicy.RETAIN,
                    }),
                ),
              }
            : {}),
        },
      ]),
    );
  }

  private logicalIdOf(c: IConstruct): string {
    return this.resolve(this.getLogicalId(c.node.defaultChild as CfnElement)) as string;
  }
}
