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
  /** Accept ECR pushes forwarded by member accounts of this organisation. @default - this account's only */
  readonly organizationId?: string;
  /** @default - every member repository whose pushes are forwarded */
  readonly memberRepositoryNames?: string[];
  /** Read Amazon Inspector's findings as a second opinion. @default false */
  readonly inspector?: boolean;
  /**
   * Environments and their policies (see `ArtifactGuardProps.environments`); the stack creates
   * each environment's repositories (`repositoryNames`), closed to every push but promotion's.
   * @default - none
   */
  readonly environments?: Readonly<Record<string, { readonly policy: Record<string, unknown>; readonly repositoryNames?: string[] }>>;
  /** The account already has a trail logging write management events here. @default false */
  readonly existingTrail?: boolean;
  /** @default 80 */
  readonly buildSuccessAlarmBelow?: number;
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
      ...(props.organizationId ? { organizationId: props.organizationId } : {}),
      ...(props.memberRepositoryNames ? { memberRepositoryNames: props.memberRepositoryNames } : {}),
      ...(props.inspector ? { inspector: { enabled: true } } : {}),
      ...(props.environments ? { environments: this.environmentRepositories(props.environments) } : {}),
      existingTrail: props.existingTrail,
      buildSuccessAlarmBelow: props.buildSuccessAlarmBelow,
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
    this.acknowledgeFindings(props.inspector ?? false);
  }

  /** The cdk-nag AwsSolutions findings on the guard that are by design, each with its reason. */
  private acknowledgeFindings(inspector: boolean): void {
    const { guard } = this;
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(guard.triggerDeadLetterQueue, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the push rule targets.');
    const lambdas = [...Object.values(guard.steps), guard.verifyGate, guard.evidenceCheck, guard.alertMailer, guard.buildRecorder, guard.pusherRecorder, ...(guard.promote ? [guard.promote] : []), ...(guard.admissionPolicies ? [guard.admissionPolicies] : []), ...(guard.reconciler ? [guard.reconciler] : [])];
    for (const s of lambdas) {
      ack(s.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords only support Resource "*".');
      ack(s.function, 'AwsSolutions-L1', 'Pinned to nodejs22.x (the supported LTS line the product targets); bumped deliberately.');
    }
    for (const s of [guard.steps.resolve, guard.steps.sbom, guard.steps.attach, guard.verifyGate, guard.evidenceCheck, ...(guard.promote ? [guard.promote] : [])]) {
      ack(s.role, 'AwsSolutions-IAM5[Action::ecr:GetAuthorizationToken]', 'ECR GetAuthorizationToken has no resource-level permissions.');
    }
    if (inspector) {
      ack(guard.steps.scan.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords and inspector2:ListFindings only support Resource "*" (the request filters findings by image hash and repository).');
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
    ack(guard.steps.sign.role, evidence('evidence/*'), 'Reads (only) the SBOMs and scan reports it builds the signed statements from, under evidence/ (keys are per digest).');
    ack(guard.steps.attach.role, evidence('evidence/*'), 'Reads SBOMs and scan reports to rebuild the statements and writes Sigstore bundles under evidence/ (keys are per digest).');
    for (const prefix of ['evidence/*', 'layer-cache/*']) {
      ack(guard.steps.sbom.role, evidence(prefix), `Object-level access under the ${prefix} prefix of the evidence bucket (keys are per digest).`);
    }
    for (const s of Object.values(guard.steps)) {
      ack(guard.stateMachine.role, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(s.function)}.Arn>:*]`, 'lambda:InvokeFunction on the step function and its versions/aliases (CDK LambdaInvoke).');
    }
    ack(guard.stateMachine.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray and CloudWatch Logs delivery actions only support Resource "*".');
    if (guard.organization) {
      for (const role of [guard.steps.resolve.role, guard.steps.sbom.role, guard.evidenceCheck.role, guard.verifyGate.role, guard.steps.attach.role]) {
        ack(role, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:*:*:repository/*]', "Member accounts' repositories are not known at synth: limited to repositories of the organisation (aws:ResourceOrgID) whose repository policy admits this account.");
      }
    }
    if (guard.reconciler) {
      ack(guard.node.findChild('ReconcileScheduleRole'), `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(guard.reconciler.function)}.Arn>:*]`, 'lambda:InvokeFunction on the reconciler and its versions (the Scheduler target grant).');
    }
    if (guard.trail) {
      const trailBucket = guard.node.findChild('TrailLogs');
      ack(trailBucket, 'AwsSolutions-S1', 'The bucket holds CloudTrail log files (integrity-validated); they are the access record, and nothing else reads or writes it.');
    }
    ack(guard.steps.record.role, evidence('evidence/*'), 'Reads the SBOMs under evidence/ to index their components (keys are per digest).');
    this.acknowledgeWatchFindings(evidence);
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

  /** The vulnerability watch (lib/vulnerability-watch.ts): its two Lambdas and the re-scan state machine. */
  private acknowledgeWatchFindings(evidence: (prefix: string) => string): void {
    const watch = this.guard.vulnerabilityWatch;
    if (!watch) return;
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    for (const s of [watch.watchFunction, watch.rescanFunction]) {
      ack(s.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords only support Resource "*".');
      ack(s.function, 'AwsSolutions-L1', 'Pinned to nodejs22.x (the supported LTS line the product targets); bumped deliberately.');
      ack(s.role, evidence('evidence/*'), 'Reads SBOMs and scan reports and writes later scan reports under evidence/ (keys are per digest).');
      ack(s.role, evidence('osv-mirror/*'), 'The OSV mirror files under osv-mirror/ (the watch writes them, the re-scan reads them).');
    }
    const sm = watch.rescanStateMachine;
    ack(sm.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray and CloudWatch Logs delivery actions only support Resource "*".');
    ack(sm.role, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(watch.rescanFunction.function)}.Arn>:*]`, 'lambda:InvokeFunction on the re-scan function and its versions/aliases (CDK LambdaInvoke).');
    // A Distributed Map starts child executions of its own state machine (CDK's grant).
    const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${this.logicalIdOf(sm)}"}]}]}`;
    const childPolicy = sm.node.tryFindChild('DistributedMapPolicy') ?? sm.role;
    for (const suffix of [':*', '/*:*']) {
      ack(childPolicy, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}${suffix}]`, "The Distributed Map's child executions of this state machine (redrive and describe).");
    }
  }

  private logicalIdOf(c: IConstruct): string {
    return this.resolve(this.getLogicalId(c.node.defaultChild as CfnElement)) as string;
  }
}
