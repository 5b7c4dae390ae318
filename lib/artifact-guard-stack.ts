import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct, IConstruct } from 'constructs';
import type { ArtifactGuardAttributes, SeverityThreshold, SlackTarget } from './artifact-guard';
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
    const lambdas = [...Object.values(guard.steps), guard.verifyGate, guard.evidenceCheck, guard.alertMailer, guard.buildRecorder, guard.pusherRecorder, ...(guard.reconciler ? [guard.reconciler] : [])];
    for (const s of lambdas) {
      ack(s.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords only support Resource "*".');
      ack(s.function, 'AwsSolutions-L1', 'Pinned to nodejs22.x (the supported LTS line the product targets); bumped deliberately.');
    }
    for (const s of [guard.steps.resolve, guard.steps.sbom, guard.steps.sign, guard.verifyGate, guard.evidenceCheck]) {
      ack(s.role, 'AwsSolutions-IAM5[Action::ecr:GetAuthorizationToken]', 'ECR GetAuthorizationToken has no resource-level permissions.');
    }
    const evidence = (prefix: string) => `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(guard.evidenceBucket)}.Arn>/${prefix}]`;
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
    if (guard.reconciler) {
      ack(guard.node.findChild('ReconcileScheduleRole'), `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(guard.reconciler.function)}.Arn>:*]`, 'lambda:InvokeFunction on the reconciler and its versions (the Scheduler target grant).');
    }
    if (guard.trail) {
      const trailBucket = guard.node.findChild('TrailLogs');
      ack(trailBucket, 'AwsSolutions-S1', 'The bucket holds CloudTrail log files (integrity-validated); they are the access record, and nothing else reads or writes it.');
    }
    ack(guard.table, 'AwsSolutions-DDB3', 'Point-in-time recovery is enabled through pointInTimeRecoverySpecification.');
  }

  private logicalIdOf(c: IConstruct): string {
    return this.resolve(this.getLogicalId(c.node.defaultChild as CfnElement)) as string;
  }
}
