import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, MetricName } from '../lambdas/core/metric-names';
import { ALERT_SOURCE, NOTIFYING_ALERTS } from '../lambdas/core/alerts';
import { StepFunction } from './step-lambda';
import { buildWorkflowDefinition } from './workflow-definition';

export type SeverityThreshold = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

export interface ArtifactGuardProps {
  /**
   * Existing ECR repositories to guard. Imported repositories keep their own tag mutability
   * setting; the workflow still records a moved tag as an immutability violation.
   * @default - one new repository named `repositoryName` is created
   */
  readonly repositories?: ecr.IRepository[];
  /**
   * Name of the repository created when `repositories` is not given.
   * @default - a generated name
   */
  readonly repositoryName?: string;
  /**
   * E-mail address subscribed to the alerts topic.
   * @default - no subscription
   */
  readonly alertEmail?: string;
  /**
   * Findings at or above this severity raise a `Vulnerabilities Found` alert and fail the verdict.
   * @default 'HIGH'
   */
  readonly severityThreshold?: SeverityThreshold;
  /**
   * Sign images even when the scan finds vulnerabilities at or above the threshold (attestations
   * are always attached). Never applies to an `incomplete` verdict: what was not fully
   * inventoried and scanned is never signed.
   * @default false
   */
  readonly signOnFindings?: boolean;
  /**
   * How findings whose severity is unknown (no CVSS and no severity word in any record of the
   * vulnerability, as in Debian's OSV records) count: `FAIL` treats them as at the threshold,
   * `WARN` reports them without failing the verdict.
   * @default 'FAIL'
   */
  readonly unknownSeverity?: 'FAIL' | 'WARN';
  /**
   * Sign artifacts that have no container filesystem to inventory (Helm charts, other OCI
   * artifacts) instead of reporting them `incomplete`. Their signature then vouches for their
   * origin, not for their content.
   * @default false
   */
  readonly signUninventoriedArtifacts?: boolean;
  /**
   * How long each evidence object (SBOMs, scan reports, bundles) is locked by S3 Object Lock in
   * governance mode; nothing in the stack can delete or overwrite it before then.
   * @default Duration.days(365)
   */
  readonly evidenceRetention?: Duration;
  /**
   * Retention of the Lambda and state machine logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * An OSV mirror in S3 (`s3://BUCKET/KEY` of an OSV `all.zip`) for accounts whose Lambdas
   * have no internet egress.
   * @default - the OSV.dev API
   */
  readonly osvMirror?: string;
  /**
   * The deploy gate's policy (the `verify --policy` document format, e.g.
   * `{ attestations: ['slsaprovenance1', 'vuln'], vulnerabilities: { failOn: 'high' } }`). A
   * request's own policy can only add to it, and the stack's signature is always required
   * (`signature: false` is ignored): attestations are attached whatever the verdict.
   * @default - a valid signature by the stack's key is enough
   */
  readonly gatePolicy?: Record<string, unknown>;
  /**
   * Repositories (`HOST/REPO`) whose signatures a gate request may accept instead of the
   * reference's own (`identities`: replicas, pull-through caches). Naming any other is refused.
   * @default - none
   */
  readonly gateIdentities?: string[];
  /**
   * Alias of the signing key (without `alias/`).
   * @default 'artifact-guard-signing'
   */
  readonly signingKeyAlias?: string;
}

/**
 * Makes every artifact pushed to the guarded ECR repositories trusted, verified and traceable:
 * a push starts a Step Functions workflow that resolves and classifies the artifact, records it
 * and its tags in DynamoDB (append-only) and raises alerts on a custom EventBridge bus that an
 * encrypted SNS topic delivers to people.
 */
export class ArtifactGuard extends Construct {
  readonly repositories: ecr.IRepository[];
  /** ECC_NIST_P256 / SIGN_VERIFY key; only the signing step's role may call `kms:Sign`. */
  readonly signingKey: kms.Key;
  readonly signingKeyAlias: kms.Alias;
  readonly table: dynamodb.Table;
  readonly evidenceBucket: s3.Bucket;
  readonly alertBus: events.EventBus;
  readonly alertTopic: sns.Topic;
  readonly stateMachine: sfn.StateMachine;
  /**
   * The deploy gate: `{ reference, policy?, identities? }` → `{ allowed, digest, reasons }`.
   * Invoke it from CodePipeline, GitHub Actions or an admission webhook (see `grantInvokeGate`).
   */
  readonly verifyGate: StepFunction;
  /** Checks and records pushes to `sha256-*` evidence tags (see lambdas/workflow/evidence-check.ts). */
  readonly evidenceCheck: StepFunction;
  /** Build success rate, SBOM coverage, signature verification failures and tag violations. */
  readonly dashboard: cloudwatch.Dashboard;
  readonly steps: Readonly<Record<'resolve' | 'sbom' | 'scan' | 'sign' | 'record' | 'notify', StepFunction>>;

  constructor(scope: Construct, id: string, props: ArtifactGuardProps = {}) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.repositories = props.repositories?.length
      ? props.repositories
      : [
          new ecr.Repository(this, 'Repository', {
            repositoryName: props.repositoryName,
            // Release tags never move; cosign's sha256-<hex>.sig/.att tags must be rewritable to append.
            imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
            imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard('sha256-*')],
            imageScanOnPush: true,
            encryption: ecr.RepositoryEncryption.KMS,
            removalPolicy: RemovalPolicy.RETAIN,
          }),
        ];

    this.signingKey = new kms.Key(this, 'SigningKey', {
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      description: 'Artifact Guard cosign-compatible signing key (ECDSA P-256)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.signingKeyAlias = this.signingKey.addAlias(props.signingKeyAlias ?? 'artifact-guard-signing');

    this.table = new dynamodb.Table(this, 'Records', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'byDigest',
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
    });

    const accessLogs = new s3.Bucket(this, 'EvidenceAccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    });
    this.evidenceBucket = new s3.Bucket(this, 'Evidence', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // Evidence is write-once: each object is locked in governance mode when written (see S3BlobStore).
      objectLockEnabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'evidence/',
    });
    // No principal may replace evidence: every PutObject under evidence/ must be a conditional create.
    this.evidenceBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsWriteOnce',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.evidenceBucket.arnForObjects('evidence/*')],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );

    // Alerts: custom bus → rule → SNS encrypted with a customer-managed key that EventBridge may
    // use (with the AWS-managed SNS key, EventBridge deliveries are silently dropped).
    this.alertBus = new events.EventBus(this, 'AlertBus', { description: 'Artifact Guard alerts' });
    const topicKey = new kms.Key(this, 'AlertTopicKey', {
      enableKeyRotation: true,
      description: 'Artifact Guard alert topic encryption',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublishEncrypted',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'Artifact Guard alerts',
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.alertEmail) this.alertTopic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    new events.Rule(this, 'AlertsToTopic', {
      eventBus: this.alertBus,
      description: 'Alerts that need a person, as readable text',
      eventPattern: { source: [ALERT_SOURCE], detailType: [...NOTIFYING_ALERTS] },
      targets: [
        new targets.SnsTopic(this.alertTopic, {
          message: events.RuleTargetInput.fromText(
            `[Artifact Guard] ${events.EventField.detailType}: ${events.EventField.fromPath('$.detail.summary')}`,
          ),
        }),
      ],
    });

    const environment = {
      TABLE_NAME: this.table.tableName,
      EVIDENCE_BUCKET: this.evidenceBucket.bucketName,
      ALERT_BUS_NAME: this.alertBus.eventBusName,
      SEVERITY_THRESHOLD: props.severityThreshold ?? 'HIGH',
      SIGN_ON_FINDINGS: String(props.signOnFindings ?? false),
      EVIDENCE_LOCK_DAYS: String((props.evidenceRetention ?? Duration.days(365)).toDays()),
      POWERTOOLS_SERVICE_NAME: 'artifact-guard',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const step = (sid: string, handler: string, description: string, extra: Partial<{ memorySize: number; timeout: Duration; role: iam.Role; environment: Record<string, string> }> = {}) =>
      new StepFunction(this, sid, { handler, description, logRetention, ...extra, environment: { ...environment, ...extra.environment } });
    // Authenticates the layer cache (HMAC in KMS): a cache entry the SBOM step did not write is ignored.
    const cacheMacKey = new kms.Key(this, 'LayerCacheMacKey', {
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      description: 'Artifact Guard layer-cache MAC key (HMAC-SHA256)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The only principal the key policy lets call kms:Sign.
    const signingRole = new iam.Role(this, 'SigningRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Artifact Guard signing step: the only principal allowed kms:Sign on the signing key',
    });
    this.steps = {
      resolve: step('ResolveStep', 'resolve', 'Resolve and classify a pushed artifact'),
      // Layers are streamed, never held whole; memory buys CPU for gunzip and tar parsing.
      sbom: step('SbomStep', 'sbom', 'Generate CycloneDX and SPDX SBOMs', { memorySize: 2048, timeout: Duration.minutes(15), environment: { CACHE_MAC_KEY_ARN: cacheMacKey.keyArn } }),
      scan: step('ScanStep', 'scan', 'Match the SBOMs against OSV vulnerability data', {
        memorySize: 1024,
        timeout: Duration.minutes(5),
        environment: {
          UNKNOWN_SEVERITY: props.unknownSeverity ?? 'FAIL',
          ACCEPT_UNINVENTORIED: String(props.signUninventoriedArtifacts ?? false),
          ...(props.osvMirror ? { ARTIFACT_GUARD_OSV_MIRROR: props.osvMirror } : { ARTIFACT_GUARD_OSV_API: '1' }),
        },
      }),
      sign: step('SignStep', 'sign', 'Sign the artifact with the KMS key (cosign format)', {
        role: signingRole,
        timeout: Duration.minutes(5),
        environment: { SIGNING_KEY_ARN: this.signingKey.keyArn },
      }),
      record: step('RecordStep', 'record', 'Record artifact, tags and audit trail'),
      notify: step('NotifyStep', 'notify', 'Publish alerts to the alerts bus'),
    };

    this.verifyGate = step('VerifyGate', 'verify', 'Deploy gate: verify the signature and attestations of an image', {
      timeout: Duration.minutes(1),
      environment: {
        SIGNING_KEY_ARN: this.signingKey.keyArn,
        ...(props.gatePolicy ? { GATE_POLICY: JSON.stringify(props.gatePolicy) } : {}),
        ...(props.gateIdentities?.length ? { GATE_IDENTITIES: props.gateIdentities.join(',') } : {}),
      },
    });
    iam.Grant.addToPrincipal({ grantee: this.verifyGate.role, actions: ['kms:GetPublicKey', 'kms:DescribeKey'], resourceArns: [this.signingKey.keyArn] });
    for (const repo of this.repositories) repo.grantPull(this.verifyGate.role);
    this.alertBus.grantPutEventsTo(this.verifyGate.role);

    // Least privilege per step.
    const resolveRole = this.steps.resolve.role;
    for (const repo of this.repositories) {
      repo.grantPull(resolveRole);
      repo.grantPull(this.steps.sbom.role);
      // cosign's layout: the .sig manifest and its blobs go into the image's own repository.
      repo.grantPullPush(signingRole);
    }
    iam.Grant.addToPrincipal({ grantee: signingRole, actions: ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'], resourceArns: [this.signingKey.keyArn] });
    iam.Grant.addToPrincipal({ grantee: this.steps.sbom.role, actions: ['kms:GenerateMac', 'kms:VerifyMac'], resourceArns: [cacheMacKey.keyArn] });
    // Forging a cache entry needs kms:GenerateMac: only the SBOM step may call it.
    cacheMacKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGenerateMacExceptSbomStep',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:GenerateMac'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.steps.sbom.role.roleArn } },
      }),
    );
    // Writers of evidence set its Object Lock retention as they create it (PutObjectRetention).
    const writeEvidence = ['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'];
    this.grantEvidence(this.steps.sbom.role, writeEvidence, ['evidence/*']);
    this.grantEvidence(this.steps.sbom.role, ['s3:GetObject', 's3:PutObject'], ['layer-cache/*']);
    this.grantEvidence(this.steps.scan.role, writeEvidence, ['evidence/*']);
    // Reads the SBOMs and scan reports to attest them; writes the Sigstore bundles beside them.
    this.grantEvidence(signingRole, writeEvidence, ['evidence/*']);
    if (props.osvMirror) {
      const [bucket, ...key] = props.osvMirror.replace(/^s3:\/\//, '').split('/');
      iam.Grant.addToPrincipal({ grantee: this.steps.scan.role, actions: ['s3:GetObject'], resourceArns: [`arn:${Aws.PARTITION}:s3:::${bucket}/${key.join('/')}`] });
    }
    this.grantTable(resolveRole, 'dynamodb:GetItem');
    this.grantTable(this.steps.record.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    this.alertBus.grantPutEventsTo(this.steps.notify.role);

    // kms:Sign only for the signing step (explicit Deny: the default key policy delegates to the account).
    this.signingKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySignExceptSigningStep',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': signingRole.roleArn } },
      }),
    );

    const smLogs = new logs.LogGroup(this, 'WorkflowLogs', { retention: logRetention });
    this.stateMachine = new sfn.StateMachine(this, 'Workflow', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildWorkflowDefinition(this, {
          resolve: this.steps.resolve.function,
          sbom: this.steps.sbom.function,
          scan: this.steps.scan.function,
          sign: this.steps.sign.function,
          record: this.steps.record.function,
          notify: this.steps.notify.function,
        }),
      ),
      tracingEnabled: true,
      timeout: Duration.hours(1),
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    const dlq = new sqs.Queue(this, 'TriggerDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const pushOf = (imageTag: string[] | Record<string, unknown>[]) => ({
      source: ['aws.ecr'],
      detailType: ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': this.repositories.map((r) => r.repositoryName), 'image-tag': imageTag },
    });
    new events.Rule(this, 'OnPush', {
      description: 'Every successful push to a guarded repository, except sha256-* evidence tags (the pipeline\'s own pushes never start the workflow)',
      eventPattern: pushOf(events.Match.anythingButPrefix('sha256-')),
      targets: [new targets.SfnStateMachine(this.stateMachine, { deadLetterQueue: dlq, retryAttempts: 3 })],
    });
    // sha256-* tags are mutable (signatures are appended) and never processed: each push of one is
    // checked to be the evidence it claims (a runnable image parked there is a Policy Violation) and recorded.
    this.evidenceCheck = step('EvidenceCheck', 'evidence', 'Check and record a push to a sha256-* evidence tag', { timeout: Duration.minutes(2) });
    for (const repo of this.repositories) repo.grantPull(this.evidenceCheck.role);
    this.grantTable(this.evidenceCheck.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    this.alertBus.grantPutEventsTo(this.evidenceCheck.role);
    this.evidenceCheck.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(dlq) });
    new events.Rule(this, 'OnEvidencePush', {
      description: 'Pushes to sha256-* evidence tags of a guarded repository, for the evidence check',
      eventPattern: pushOf(events.Match.prefix('sha256-')),
      targets: [new targets.LambdaFunction(this.evidenceCheck.function, { deadLetterQueue: dlq, retryAttempts: 3 })],
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Build success rate (%)', left: [this.metricBuildSuccessRate()], leftYAxis: { min: 0, max: 100 }, width: 12 }),
          new cloudwatch.GraphWidget({ title: 'SBOM coverage (%)', left: [this.metricSbomCoverage()], leftYAxis: { min: 0, max: 100 }, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Signature verification failures', left: [this.metricSignatureVerificationFailures()], width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Tag immutability violations', left: [this.metricTagViolations()], width: 12 }),
        ],
      ],
    });

    this.acknowledgeFindings(dlq);
  }

  /** Object actions under key prefixes of the evidence bucket. */
  private grantEvidence(grantee: iam.IGrantable, actions: string[], prefixes: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: prefixes.map((p) => this.evidenceBucket.arnForObjects(p)) });
  }

  /** Item-level actions on the table itself (not its indexes): what a step needs, no more. */
  private grantTable(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn] });
  }

  /** Lets a verifier (CI, admission controller) read the public key, the evidence and pull the images. */
  grantVerify(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:GetPublicKey', 'kms:DescribeKey'],
      resourceArns: [this.signingKey.keyArn],
    });
    for (const repo of this.repositories) repo.grantPull(grantee);
    this.table.grantReadData(grantee);
    return grant;
  }

  /** Lets a deployer ask the gate whether an image may run. */
  grantInvokeGate(grantee: iam.IGrantable): iam.Grant {
    return this.verifyGate.function.grantInvoke(grantee);
  }

  /** Read access to SBOMs, scan reports and the audit trail. */
  grantReadEvidence(grantee: iam.IGrantable): iam.Grant {
    this.table.grantReadData(grantee);
    return this.evidenceBucket.grantRead(grantee);
  }

  private metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: 'artifact-guard' },
      statistic: 'Sum',
      period: Duration.hours(1),
      ...props,
    });
  }

  /** Share (%) of workflow executions that succeeded. */
  metricBuildSuccessRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'Build success rate (%)',
      period: Duration.hours(1),
      ...props,
      expression: '100 * ok / MAX([ok + failed + timedOut, 1])',
      usingMetrics: {
        ok: this.stateMachine.metricSucceeded({ statistic: 'Sum' }),
        failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
        timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
      },
    });
  }

  /** Share (%) of processed artifacts that got an SBOM. */
  metricSbomCoverage(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'SBOM coverage (%)',
      period: Duration.hours(1),
      ...props,
      expression: '100 * sboms / MAX([processed, 1])',
      usingMetrics: { sboms: this.metric(MetricName.sbomGenerated), processed: this.metric(MetricName.artifactsProcessed) },
    });
  }

  /** Signature verifications that failed. */
  metricSignatureVerificationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.signatureVerificationFailures, props);
  }

  /** Tags that were pushed again with another digest. */
  metricTagViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.tagViolations, props);
  }

  private acknowledgeFindings(dlq: sqs.Queue): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(dlq, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the push rule targets.');
    for (const s of [...Object.values(this.steps), this.verifyGate, this.evidenceCheck]) {
      ack(s.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords only support Resource "*".');
      ack(s.function, 'AwsSolutions-L1', 'Pinned to nodejs22.x (the supported LTS line the product targets); bumped deliberately.');
    }
    for (const s of [this.steps.resolve, this.steps.sbom, this.steps.sign, this.verifyGate, this.evidenceCheck]) {
      ack(s.role, 'AwsSolutions-IAM5[Action::ecr:GetAuthorizationToken]', 'ECR GetAuthorizationToken has no resource-level permissions.');
    }
    ack(this.steps.scan.role, `AwsSolutions-IAM5[Resource::<${this.logicalId(this.evidenceBucket)}.Arn>/evidence/*]`, 'Reads the SBOMs and writes the scan reports under the evidence/ prefix (keys are per digest).');
    ack(this.steps.sign.role, `AwsSolutions-IAM5[Resource::<${this.logicalId(this.evidenceBucket)}.Arn>/evidence/*]`, 'Reads SBOMs and scan reports to attest them and writes Sigstore bundles under evidence/ (keys are per digest).');
    for (const prefix of ['evidence/*', 'layer-cache/*']) {
      ack(this.steps.sbom.role, `AwsSolutions-IAM5[Resource::<${this.logicalId(this.evidenceBucket)}.Arn>/${prefix}]`, `Object-level access under the ${prefix} prefix of the evidence bucket (keys are per digest).`);
    }
    for (const s of Object.values(this.steps)) {
      ack(this.stateMachine.role, `AwsSolutions-IAM5[Resource::<${this.logicalId(s.function)}.Arn>:*]`, 'lambda:InvokeFunction on the step function and its versions/aliases (CDK LambdaInvoke).');
    }
    ack(this.stateMachine.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray and CloudWatch Logs delivery actions only support Resource "*".');
    ack(this.table, 'AwsSolutions-DDB3', 'Point-in-time recovery is enabled through pointInTimeRecoverySpecification.');
  }

  private logicalId(c: Construct): string {
    const stack = Stack.of(this);
    return stack.resolve(stack.getLogicalId(c.node.defaultChild as CfnElement)) as string;
  }
}
