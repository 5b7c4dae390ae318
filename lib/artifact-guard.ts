import { Annotations, Aws, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { WORKFLOW_TIMEOUT_SECONDS } from '../lambdas/core/processing-lease';
import { RecordsTable } from '../lambdas/core/records-table';
import { ALERT_SOURCE, NOTIFYING_ALERTS } from '../lambdas/core/alerts';
import { METRICS_NAMESPACE, MetricName } from '../lambdas/core/metric-names';
import type { StepName, StepSpec } from '../lambdas/workflow/step-registry';
import { STEP_NAMES, STEPS } from '../lambdas/workflow/step-registry';
import type { IArtifactGuard } from './artifact-guard-base';
import { ArtifactGuardBase, METRICS_SERVICE } from './artifact-guard-base';
import { OperationalAlarms } from './operational-alarms';
import { OrganizationPushes } from './organization-pushes';
import { StepLambda } from './step-lambda';
import { OSV_MIRROR_PREFIX, VulnerabilityWatch, type VulnerabilityWatchOptions } from './vulnerability-watch';
import { buildWorkflowDefinition } from './workflow-definition';
import { environmentsFrom } from '../lambdas/gate/environments';
import { AccessRoles, PUSH } from './access-roles';
import { BUILD_EVENT_SOURCE, BUILD_RECORDED } from '../lambdas/core/bus-events';

export { ArtifactGuardBase, AlertType } from './artifact-guard-base';
export type { AlertRuleOptions, AlertTypeName, ArtifactGuardMetricMethods, IArtifactGuard } from './artifact-guard-base';

export type SeverityThreshold = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

/** The default alias of the signing key (without `alias/`). */
export const DEFAULT_SIGNING_KEY_ALIAS = 'artifact-guard-signing';

/** Ids of the synth-time warnings (`Annotations.of(guard).acknowledgeWarning(id, reason)`). */
export const ArtifactGuardWarning = {
  signingKeyPolicy: '@artifact-guard:signingKeyPolicy',
  evidenceObjectLock: '@artifact-guard:evidenceObjectLock',
  evidenceWriteOnce: '@artifact-guard:evidenceWriteOnce',
  alertTopicKey: '@artifact-guard:alertTopicKey',
  environmentRepositoryPolicy: '@artifact-guard:environmentRepositoryPolicy',
} as const;

/** One environment of the guard (see `ArtifactGuardProps.environments`). */
export interface EnvironmentProps {
  /** The policy document (`verify --policy` format). */
  readonly policy: Record<string, unknown>;
  /**
   * The repositories whose images run in this environment: an artifact is allowed only from one
   * of them (promotion copies it there).
   * @default - any guarded repository
   */
  readonly repositories?: ecr.IRepository[];
}

/** A Slack channel for alerts (AWS Chatbot). */
export interface SlackTarget {
  /** The Slack workspace (team) id authorised in AWS Chatbot, e.g. `T0123ABCD`. */
  readonly workspaceId: string;
  /** The channel id, e.g. `C0123ABCD`. */
  readonly channelId: string;
}

/** Amazon Inspector as a second opinion of the Scan step. */
export interface InspectorProps {
  /** Read Inspector's findings for each scanned manifest and merge them into the verdict. */
  readonly enabled: boolean;
}

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
   * The value of the `guard` dimension of this guard's metrics (its Lambdas' `GUARD_ID`); give
   * each guard in an account and region its own.
   * @default - this construct's `node.addr` (stable while its construct path does not change)
   */
  readonly guardId?: string;
  /**
   * An existing ECC_NIST_P256 / SIGN_VERIFY key to sign with; its key policy must let IAM
   * policies of the account grant its use (the default key policy does). For a `kms.Key` of the
   * same stack the construct adds the statement that denies `kms:Sign` to every principal but the
   * signing role; for any other key it cannot, and warns (`@artifact-guard:signingKeyPolicy`):
   * add that statement to the key policy yourself.
   * @default - a new key (retained when the stack is deleted) with that statement
   */
  readonly signingKey?: kms.IKey;
  /**
   * Alias of the signing key (without `alias/`). The alias is retained when it leaves the stack,
   * so a key rollover (a new key under a new alias) leaves the old alias on the old key.
   * @default 'artifact-guard-signing'
   */
  readonly signingKeyAlias?: string;
  /**
   * An existing table for the records: string keys `pk`/`sk` and global secondary indexes
   * `byDigest` on `gsi1pk`/`gsi1sk` and `byActor` on `gsi2pk`/`gsi2sk` (see
   * lambdas/core/records-table.ts; CloudFormation adds one index per stack update); enable its
   * TTL on `expiresAt` so that abandoned processing leases are removed (expired ones are taken over anyway).
   * @default - a new on-demand, point-in-time-recovery, deletion-protected table (retained)
   */
  readonly table?: dynamodb.ITable;
  /**
   * An existing bucket for the evidence. It must have S3 Object Lock enabled (evidence is written
   * with a governance-mode retention; without Object Lock those writes fail): the construct
   * warns (`@artifact-guard:evidenceObjectLock`) unless the bucket is an `s3.Bucket` whose
   * resource enables it. For an `s3.Bucket` of the same stack the construct adds the
   * `EvidenceIsWriteOnce` statement to its policy; for any other bucket it cannot, and warns
   * (`@artifact-guard:evidenceWriteOnce`).
   * @default - a new versioned, TLS-only, access-logged bucket with Object Lock and that statement (retained)
   */
  readonly evidenceBucket?: s3.IBucket;
  /**
   * An existing topic for the alerts meant for people. The construct changes neither its policy
   * nor its key, and warns (`@artifact-guard:alertTopicKey`): EventBridge must be allowed to
   * publish to it and, if it is encrypted, to use its key (`kms:Decrypt`, `kms:GenerateDataKey*`
   * for `events.amazonaws.com`; with the AWS-managed `aws/sns` key deliveries are dropped).
   * @default - a new topic encrypted with a new customer-managed key that EventBridge may use
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * Also send alerts to a Slack channel through AWS Chatbot (the workspace must be authorised in
   * the Chatbot console once). Messages are Chatbot custom notifications.
   * @default - no chat
   */
  readonly slack?: SlackTarget;
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
   * have no internet egress, or `watch`: the mirror the vulnerability watch keeps in the
   * evidence bucket (`osv-mirror/`; ecosystems older than `vulnerabilityWatch.maxMirrorAge` are
   * gaps, and artifacts left `incomplete` are re-scanned when their data arrives).
   * @default - the OSV.dev API
   */
  readonly osvMirror?: string;
  /**
   * Amazon Inspector as a second opinion (README "Second opinions"): with enhanced scanning on
   * for the guarded repositories, the Scan step reads Inspector's findings for each manifest
   * (`inspector2:ListFindings` filtered by image hash and repository), records which source
   * reported what in the scan report, and counts them toward the verdict. Grants exactly
   * `inspector2:ListFindings`.
   * @default - Inspector is not read
   */
  readonly inspector?: InspectorProps;
  /**
   * The continuous vulnerability watch: an OSV mirror synced on a schedule, changed records
   * matched against the stored artifacts that hold their packages (the component index), new
   * findings alerted; and a weekly full re-scan. `false` leaves it out.
   * @default - hourly sync, weekly re-scan
   */
  readonly vulnerabilityWatch?: VulnerabilityWatchOptions | false;
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
   * Named environments (e.g. `dev`, `staging`, `prod`), each with the policy an artifact must meet
   * to run there (the `verify --policy` format: attestations, maximum severity, scan age, allowed
   * sources and builders) and, optionally, the repositories that make it up. The gate answers
   * "may D run in E?" with them. Policies are validated at synth: a bad one fails `cdk synth`.
   * @default - no environments: the gate applies `gatePolicy`
   */
  readonly environments?: Readonly<Record<string, EnvironmentProps>>;
  /**
   * An AWS Organizations id (`o-…`): member accounts of that organisation may forward their ECR
   * push events to this account's default event bus (`ArtifactGuardMemberAccount` in each of
   * them), and the guard processes them as its own (see `OrganizationPushes`). The bus policy
   * admits principals of the organisation only; the workflow roles may pull from (the signing
   * role push to) repositories of the organisation that let this account in.
   * @default - only this account's pushes
   */
  readonly organizationId?: string;
  /**
   * With `organizationId`: the member repositories to process.
   * @default - every repository whose pushes a member account forwards
   */
  readonly memberRepositoryNames?: string[];
  /**
   * Who may assume the pusher, promoter, deployer and auditor roles (`ArtifactGuard.roles`).
   * @default - principals of this account whose own IAM policy allows sts:AssumeRole on the role
   */
  readonly accessRolesAssumedBy?: iam.IPrincipal;
  /**
   * Pusher identity comes from CloudTrail's `AWS API Call via CloudTrail` events for
   * `ecr:PutImage` on EventBridge, which exist only while a trail logs the account's write
   * management events in this region. Set this when the account already has such a trail (an
   * organization trail or a multi-region one counts); otherwise the construct creates one (write
   * management events only, no data events, logs in a new encrypted bucket).
   * @default false
   */
  readonly existingTrail?: boolean;
  /**
   * Tags a push may use, as regular expressions matched against the whole tag; a push under any
   * other tag is recorded and alerted (`Policy Violation`, reason `tag-policy`). `false` turns the
   * rule off.
   * @default - semantic versions (`1.4.2`, `v1.4`, `1.4.2-rc.1`), `sha-<hex>` and `build-<id>`
   */
  readonly tagPatterns?: string[] | false;
  /**
   * The build success rate (succeeded / all recorded CI builds, all pipelines, per hour) under
   * which the `BuildSuccessRate` alarm fires, in percent.
   * @default 80
   */
  readonly buildSuccessAlarmBelow?: number;
  /**
   * How often the reconciler lists the guarded repositories (ECR DescribeImages) and starts the
   * workflow for every tagged digest without a completed record (pushed before deployment, or
   * whose push event was lost). `false`: no reconciler.
   * @default Duration.hours(1)
   */
  readonly reconcileEvery?: Duration | false;
  /**
   * Digests the reconciler checks and starts at once.
   * @default 4
   */
  readonly reconcileConcurrency?: number;
}

/** What `ArtifactGuard.fromArtifactGuardAttributes` builds an `IArtifactGuard` from. */
export interface ArtifactGuardAttributes {
  /** The guard's `guardId` (its metrics' `guard` dimension). */
  readonly guardId: string;
  readonly signingKeyArn: string;
  /** With the `alias/` prefix. */
  readonly signingKeyAliasName: string;
  /** Of the records table (in the scope's account and region). */
  readonly tableName: string;
  readonly evidenceBucketName: string;
  readonly alertBusArn: string;
  readonly alertTopicArn: string;
  /** The guarded repositories (in the scope's account and region). */
  readonly repositoryNames: string[];
  readonly gateFunctionArn: string;
  readonly stateMachineArn: string;
}

/** What differs between the step Lambdas (the rest comes from the step registry). */
interface StepSettings {
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default - a role of its own */
  readonly role?: iam.Role;
  /** Added to the common environment. */
  readonly environment?: Record<string, string>;
  /** What the role may do besides writing its logs. */
  readonly grant: (role: iam.IRole) => void;
}

/** Evidence writers set its Object Lock retention as they create it (PutObjectRetention). */
const WRITE_EVIDENCE = ['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'];

/**
 * Makes every artifact pushed to the guarded ECR repositories trusted, verified and traceable:
 * a push starts a Step Functions workflow that resolves and classifies the artifact, records it
 * and its tags in DynamoDB (append-only) and raises alerts on a custom EventBridge bus that an
 * encrypted SNS topic delivers to people.
 *
 * The construct acknowledges no cdk-nag finding itself: its stack does (see
 * `ArtifactGuardStack`), naming the resources through the properties below.
 */
export class ArtifactGuard extends ArtifactGuardBase {
  /** An `IArtifactGuard` of a guard deployed elsewhere (grants, metrics and `onAlert` work on it). */
  static fromArtifactGuardAttributes(scope: Construct, id: string, attrs: ArtifactGuardAttributes): IArtifactGuard {
    class Import extends ArtifactGuardBase {
      override readonly guardId = attrs.guardId;
      override readonly signingKey = kms.Key.fromKeyArn(this, 'SigningKey', attrs.signingKeyArn);
      override readonly signingKeyAliasName = attrs.signingKeyAliasName;
      override readonly table = dynamodb.Table.fromTableAttributes(this, 'Records', { tableName: attrs.tableName, globalIndexes: [RecordsTable.digestIndex.name, RecordsTable.actorIndex.name] });
      override readonly evidenceBucket = s3.Bucket.fromBucketName(this, 'Evidence', attrs.evidenceBucketName);
      override readonly alertBus = events.EventBus.fromEventBusArn(this, 'AlertBus', attrs.alertBusArn);
      override readonly alertTopic = sns.Topic.fromTopicArn(this, 'AlertTopic', attrs.alertTopicArn);
      override readonly repositories = attrs.repositoryNames.map((name, i) => ecr.Repository.fromRepositoryName(this, `Repository${i}`, name));
      override readonly gateFunction = lambda.Function.fromFunctionArn(this, 'VerifyGate', attrs.gateFunctionArn);
      override readonly stateMachine = sfn.StateMachine.fromStateMachineArn(this, 'Workflow', attrs.stateMachineArn);
    }
    return new Import(scope, id);
  }

  override readonly guardId: string;
  override readonly repositories: ecr.IRepository[];
  /** ECC_NIST_P256 / SIGN_VERIFY key; only `signingRole` may call `kms:Sign` (see `signingKey` prop). */
  override readonly signingKey: kms.IKey;
  /** The signing key's alias (retained). */
  readonly signingKeyAlias: kms.Alias;
  override readonly signingKeyAliasName: string;
  /** The signing step's role: the only principal the key policy lets call `kms:Sign`. */
  readonly signingRole: iam.Role;
  override readonly table: dynamodb.ITable;
  override readonly evidenceBucket: s3.IBucket;
  override readonly alertBus: events.EventBus;
  override readonly alertTopic: sns.ITopic;
  override readonly stateMachine: sfn.StateMachine;
  /** One Lambda per step of the registry (lambdas/workflow/step-registry.ts). */
  readonly steps: Readonly<Record<StepName, StepLambda>>;
  /**
   * The deploy gate: `{ reference, policy?, identities? }` → `{ allowed, digest, reasons }`.
   * Invoke it from CodePipeline, GitHub Actions or an admission webhook (see `grantInvokeGate`).
   */
  readonly verifyGate: StepLambda;
  /** The gate's HTTPS endpoint (IAM auth): POST `{ reference, environment }` signed with SigV4. */
  readonly gateUrl: lambda.FunctionUrl;
  override readonly gateFunction: lambda.IFunction;
  /** Checks and records pushes to `sha256-*` evidence tags (see lambdas/workflow/evidence-check.ts). */
  readonly evidenceCheck: StepLambda;
  /** Renders alerts for people and publishes them to the alert topic (and chat). */
  readonly alertMailer: StepLambda;
  /**
   * Promotion (when `environments` are given): copies an artifact by digest into an environment's
   * repository when the gate allows it there; the only principal that may push to those
   * repositories (their policies deny everyone else). It holds no key: the Sign step signs the
   * copy's approvals for it, for the environments' repositories only.
   */
  readonly promote?: StepLambda;
  /** The Promote Lambda's HTTPS endpoint (IAM auth): POST `{ reference, target, environment }`. */
  readonly promoteUrl?: lambda.FunctionUrl;
  /** Writes each environment's admission policies (Kyverno, policy-controller, containers-policy) to `admission/<env>/` in the evidence bucket on every deployment. */
  readonly admissionPolicies?: StepLambda;
  /** The S3 prefix of the admission policies (`s3://BUCKET/admission/`). */
  readonly admissionPoliciesLocation?: string;
  /** Pusher, promoter, deployer and auditor roles (see lib/access-roles.ts). */
  readonly roles: AccessRoles;
  /**
   * Every alert event exactly as EventBridge carries it (JSON), for machines: SQS queues, HTTPS
   * endpoints, ticketing or a SIEM subscribe here instead of parsing the e-mails.
   */
  readonly alertEventsTopic: sns.Topic;
  /** The role EventBridge assumes to publish to `alertEventsTopic` (no service-principal grant on topic or key). */
  readonly alertEventsPublisher: iam.Role;
  /** The OSV mirror, the vulnerability watch and the weekly re-scan (unless `vulnerabilityWatch: false`). */
  readonly vulnerabilityWatch?: VulnerabilityWatch;
  /** Where push events and evidence-check invocations go when their retries are exhausted. */
  readonly triggerDeadLetterQueue: sqs.Queue;
  /** Executions failed, dead letters, Lambda errors and throttles: alarms that notify the alert topic. */
  readonly operationalAlarms: OperationalAlarms;
  /** Build success rate, SBOM coverage, signature verification failures, tag violations and the alarms. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The bus policy, rules and grants for member accounts' pushes (with `organizationId`). */
  readonly organization?: OrganizationPushes;
  /** Records `Build Recorded` events from CI (see `grantRecordBuild`) and joins them to artifacts by digest. */
  readonly buildRecorder: StepLambda;
  /** Records who pushed each digest, from CloudTrail's ecr:PutImage events. */
  readonly pusherRecorder: StepLambda;
  /** The trail that makes CloudTrail's API events reach EventBridge (undefined with `existingTrail`). */
  readonly trail?: cloudtrail.Trail;
  /** Fires when the build success rate falls under `buildSuccessAlarmBelow`. */
  readonly buildSuccessAlarm: cloudwatch.Alarm;
  /** Lists the guarded repositories on a schedule and starts the workflow for what was missed (undefined with `reconcileEvery: false`). */
  readonly reconciler?: StepLambda;

  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: ArtifactGuardProps = {}) {
    super(scope, id);
    this.guardId = props.guardId ?? this.node.addr;
    // A CloudWatch dimension value: printable ASCII, not only blanks.
    if (!Token.isUnresolved(this.guardId) && !/^(?=.*\S)[\x20-\x7e]{1,255}$/.test(this.guardId)) {
      throw new Error(`${this.node.path}: guardId must be 1 to 255 printable ASCII characters, got ${JSON.stringify(this.guardId)}`);
    }
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.repositories = props.repositories?.length ? props.repositories : [this.createRepository(props.repositoryName)];

    this.signingKey = props.signingKey ?? this.createSigningKey();
    this.signingKeyAlias = this.createSigningKeyAlias(props.signingKeyAlias ?? DEFAULT_SIGNING_KEY_ALIAS, props.signingKey === undefined);
    this.signingKeyAliasName = this.signingKeyAlias.aliasName;
    this.table = props.table ?? this.createTable();
    this.evidenceBucket = props.evidenceBucket ?? this.createEvidenceBucket();
    this.protectEvidence(props.evidenceBucket !== undefined);

    this.alertBus = new events.EventBus(this, 'AlertBus', { description: 'Artifact Guard alerts' });
    this.alertTopic = props.alertTopic ?? this.createAlertTopic();
    if (props.alertEmail) this.alertTopic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));

    // The only principal the key policy lets call kms:Sign.
    this.signingRole = new iam.Role(this, 'SigningRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Artifact Guard Sign step: the only principal allowed kms:Sign on the signing key (no registry access, no writes)',
    });
    // Promotion pushes into the environments; it asks the Sign step for the copy's approvals.
    const promoteRole = props.environments
      ? new iam.Role(this, 'PromoteRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Artifact Guard promotion: the only principal allowed to push to gated environment repositories' })
      : undefined;
    this.protectSigningKey();

    const environment = this.commonEnvironment(props);
    this.steps = this.createSteps(environment, props);
    this.verifyGate = this.createGate(environment, props);
    // The gate over HTTPS for deployers, authenticated by IAM (SigV4): the caller is audited.
    this.gateUrl = this.verifyGate.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.gateFunction = this.verifyGate.function;
    if (props.environments && promoteRole) {
      this.promote = this.createPromote(environment, props.environments, promoteRole);
      this.promoteUrl = this.promote.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
      this.closeEnvironmentRepositories(props.environments, promoteRole);
      this.admissionPolicies = this.publishAdmissionPolicies(environment, props.environments);
      this.admissionPoliciesLocation = `s3://${this.evidenceBucket.bucketName}/admission/`;
    }
    const environmentRepositories = environmentRepositoriesOf(props.environments);
    this.roles = new AccessRoles(this, 'Roles', {
      assumedBy: props.accessRolesAssumedBy ?? new iam.AccountRootPrincipal(),
      sourceRepositories: this.repositories.filter((r) => !environmentRepositories.includes(r)),
      environmentRepositories,
      signingKey: this.signingKey,
      table: this.table,
      evidenceBucket: this.evidenceBucket,
      gate: this.gateFunction,
      ...(this.promote ? { promote: this.promote.function } : {}),
    });
    this.stateMachine = this.createWorkflow();
    this.triggerDeadLetterQueue = new sqs.Queue(this, 'TriggerDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Undelivered pushes are work still to do: they outlive a stack update or deletion.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.evidenceCheck = this.createEvidenceCheck(environment);
    this.alertMailer = this.routeAlertsToPeople(environment, props);
    [this.alertEventsTopic, this.alertEventsPublisher] = this.routeAlertEventsToMachines();
    this.createTriggers(props.organizationId !== undefined);
    if (props.organizationId) this.organization = this.acceptOrganizationPushes(props.organizationId, props.memberRepositoryNames);
    this.buildRecorder = this.createBuildRecorder(environment);
    this.pusherRecorder = this.createPusherRecorder(environment);
    if (!props.existingTrail) this.trail = this.createTrail();
    this.buildSuccessAlarm = this.createBuildSuccessAlarm(props.buildSuccessAlarmBelow ?? 80);
    if (props.vulnerabilityWatch !== false) {
      this.vulnerabilityWatch = new VulnerabilityWatch(this, 'VulnerabilityWatch', {
        ...(props.vulnerabilityWatch ?? {}),
        table: this.table,
        evidenceBucket: this.evidenceBucket,
        alertBus: this.alertBus,
        environment: { ...environment, UNKNOWN_SEVERITY: props.unknownSeverity ?? 'FAIL', ...(props.environments ? { GATE_ENVIRONMENTS: this.environmentsDocument(props.environments) } : {}) },
        logRetention: this.logRetention,
      });
    }
    if (props.reconcileEvery !== false) this.reconciler = this.createReconciler(environment, props.reconcileEvery ?? Duration.hours(1), props.reconcileConcurrency ?? 4);
    // After every Lambda exists: each one is watched.
    this.operationalAlarms = this.createOperationalAlarms();
    this.dashboard = this.createDashboard();
  }

  /** Alarms straight to the alert topic; a topic of ours admits them (and only them) with its key. */
  private createOperationalAlarms(): OperationalAlarms {
    const alarms = new OperationalAlarms(this, 'Alarms', {
      namePrefix: this.alarmNamePrefix(),
      stateMachine: this.stateMachine,
      deadLetterQueue: this.triggerDeadLetterQueue,
      functions: {
        ...perStep((name) => this.steps[name].function),
        'verify-gate': this.verifyGate.function,
        'evidence-check': this.evidenceCheck.function,
        'alert-mailer': this.alertMailer.function,
        ...(this.promote ? { promote: this.promote.function } : {}),
        'build-recorder': this.buildRecorder.function,
        'pusher-recorder': this.pusherRecorder.function,
        ...(this.reconciler ? { reconciler: this.reconciler.function } : {}),
        ...(this.vulnerabilityWatch ? { 'osv-watch': this.vulnerabilityWatch.watchFunction.function, 'full-rescan': this.vulnerabilityWatch.rescanFunction.function } : {}),
        ...(this.admissionPolicies ? { 'admission-policies': this.admissionPolicies.function } : {}),
      },
      topic: this.alertTopic,
    });
    if (this.alertTopic instanceof sns.Topic && Stack.of(this.alertTopic) === Stack.of(this)) alarms.allowAlarmDelivery(this.alertTopic, this.alertTopic.masterKey);
    return alarms;
  }

  /** Invoke the Promote Lambda (directly and over its IAM-authenticated URL): what the promoter role has. */
  grantPromote(grantee: iam.IGrantable): iam.Grant {
    if (!this.promote) throw new Error(`${this.node.path}: grantPromote needs environments (the Promote Lambda exists only with them)`);
    return this.promote.function.grantInvoke(grantee).combine(this.promote.function.grantInvokeUrl(grantee));
  }

  private createRepository(repositoryName: string | undefined): ecr.Repository {
    return new ecr.Repository(this, 'Repository', {
      repositoryName,
      // Release tags never move; cosign's sha256-<hex>.sig/.att tags must be rewritable to append.
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard('sha256-*')],
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createSigningKey(): kms.Key {
    return new kms.Key(this, 'SigningKey', {
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      description: 'Artifact Guard cosign-compatible signing key (ECDSA P-256)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Retained like the key: a rollover moves to a new alias and leaves the old one on the old key. */
  private createSigningKeyAlias(name: string, ownKey: boolean): kms.Alias {
    // Under the key it names when that is ours (where Key.addAlias puts it), else under the guard.
    const alias = ownKey
      ? this.signingKey.addAlias(name)
      : new kms.Alias(this, 'SigningKeyAlias', { aliasName: name, targetKey: this.signingKey });
    alias.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return alias;
  }

  private createTable(): dynamodb.Table {
    const { partitionKey, sortKey, digestIndex, actorIndex } = RecordsTable;
    const table = new dynamodb.Table(this, 'Records', {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Abandoned processing leases (a crashed run's) are removed by DynamoDB.
      timeToLiveAttribute: RecordsTable.timeToLiveAttribute,
    });
    table.addGlobalSecondaryIndex({
      indexName: digestIndex.name,
      partitionKey: { name: digestIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: digestIndex.sortKey, type: dynamodb.AttributeType.STRING },
    });
    // The audit trail by actor (sparse: only AUDIT# index items carry its keys).
    table.addGlobalSecondaryIndex({
      indexName: actorIndex.name,
      partitionKey: { name: actorIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: actorIndex.sortKey, type: dynamodb.AttributeType.STRING },
    });
    return table;
  }

  private createEvidenceBucket(): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'EvidenceAccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    });
    return new s3.Bucket(this, 'Evidence', {
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
  }

  /** No principal may replace evidence: every PutObject under evidence/ must be a conditional create. */
  private protectEvidence(existing: boolean): void {
    const writeOnce = new iam.PolicyStatement({
      sid: 'EvidenceIsWriteOnce',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [this.evidenceBucket.arnForObjects('evidence/*')],
      conditions: { Null: { 's3:if-none-match': 'true' } },
    });
    if (!this.addToPolicyOfThisStack(this.evidenceBucket, (b) => b.addToResourcePolicy(writeOnce))) {
      this.warn(
        ArtifactGuardWarning.evidenceWriteOnce,
        'evidenceBucket is imported or of another stack, so the construct cannot change its policy: add to it the statement {"Sid":"EvidenceIsWriteOnce","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::<bucket>/evidence/*","Condition":{"Null":{"s3:if-none-match":"true"}}}, or evidence can be overwritten.',
      );
    }
    const cfn = this.evidenceBucket.node.defaultChild;
    if (existing && !(cfn instanceof s3.CfnBucket && cfn.objectLockEnabled === true)) {
      this.warn(ArtifactGuardWarning.evidenceObjectLock, 'evidenceBucket must have S3 Object Lock enabled: the Lambdas write evidence with a governance-mode retention, which fails on a bucket without it.');
    }
  }

  /** Encrypted with a customer-managed key: only the alert mailer publishes, and it may use the key. */
  private createAlertTopic(): sns.Topic {
    const topicKey = new kms.Key(this, 'AlertTopicKey', {
      enableKeyRotation: true,
      description: 'Artifact Guard alert topic encryption',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return new sns.Topic(this, 'AlertTopic', { displayName: 'Artifact Guard alerts', masterKey: topicKey, enforceSSL: true });
  }

  /**
   * Alerts that need a person go to the alert mailer, which renders them (subject naming the alert
   * and the image; what happened, why, what it means, what to do, links) and publishes to the
   * topic, and to Slack through AWS Chatbot when `slack` is set.
   */
  private routeAlertsToPeople(environment: Record<string, string>, props: ArtifactGuardProps): StepLambda {
    if (props.alertTopic) {
      this.warn(ArtifactGuardWarning.alertTopicKey, 'alertTopic is an existing topic: the construct changes neither its policy nor its key. If it is encrypted, give the AlertMailer role kms:GenerateDataKey* and kms:Decrypt on its key; for the operational alarms, let cloudwatch.amazonaws.com sns:Publish to it (and use its key) with the conditions ArnLike aws:SourceArn arn:aws:cloudwatch:<region>:<account>:alarm:<ArtifactGuard.operationalAlarms name prefix>* and aws:SourceAccount <account>.');
    }
    const chatTopic = props.slack ? this.createChat(props.slack) : undefined;
    const mailer = this.createLambda(
      'AlertMailer',
      { handler: 'alert-mailer', description: 'Render alerts for people and publish them to SNS (e-mail, chat)' },
      { ...environment, ALERT_TOPIC_ARN: this.alertTopic.topicArn, ...(chatTopic ? { CHAT_TOPIC_ARN: chatTopic.topicArn } : {}) },
      {
        grant: (role) => {
          this.alertTopic.grantPublish(role);
          chatTopic?.grantPublish(role);
        },
      },
    );
    mailer.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(this.triggerDeadLetterQueue) });
    new events.Rule(this, 'AlertsToPeople', {
      eventBus: this.alertBus,
      description: 'Alerts that need a person, rendered by the alert mailer',
      eventPattern: { source: [ALERT_SOURCE], detailType: [...NOTIFYING_ALERTS] },
      targets: [new targets.LambdaFunction(mailer.function, { deadLetterQueue: this.triggerDeadLetterQueue, retryAttempts: 3 })],
    });
    return mailer;
  }

  /**
   * Every alert on the bus, unchanged, to an encrypted topic. EventBridge publishes through a role
   * that only this account's EventBridge may assume, so neither the topic nor its key trusts the
   * service principal (no confused deputy across accounts).
   */
  private routeAlertEventsToMachines(): [sns.Topic, iam.Role] {
    const key = new kms.Key(this, 'AlertEventsTopicKey', {
      enableKeyRotation: true,
      description: 'Artifact Guard alert events topic encryption',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const topic = new sns.Topic(this, 'AlertEventsTopic', { displayName: 'Artifact Guard alert events (JSON)', masterKey: key, enforceSSL: true });
    const publisher = new iam.Role(this, 'AlertEventsPublisher', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'EventBridge: publish alert events to the alert events topic',
    });
    new events.Rule(this, 'AlertEventsToTopic', {
      eventBus: this.alertBus,
      description: 'Every alert event, as JSON, for machines',
      eventPattern: { source: [ALERT_SOURCE] },
      targets: [new targets.SnsTopic(topic, { role: publisher, authorizeUsingRole: true, deadLetterQueue: this.triggerDeadLetterQueue, retryAttempts: 3 })],
    });
    return [topic, publisher];
  }

  /** A topic for AWS Chatbot (custom notifications) and the Slack channel subscribed to it. */
  private createChat(slack: SlackTarget): sns.Topic {
    const key = this.alertTopic instanceof sns.Topic ? this.alertTopic.masterKey : undefined;
    const topic = new sns.Topic(this, 'ChatTopic', { displayName: 'Artifact Guard alerts for chat', ...(key ? { masterKey: key } : {}), enforceSSL: true });
    new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
      slackChannelConfigurationName: `artifact-guard-${this.guardId}`.replace(/[^A-Za-z0-9-_]/g, '-').slice(0, 128),
      slackWorkspaceId: slack.workspaceId,
      slackChannelId: slack.channelId,
      notificationTopics: [topic],
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    return topic;
  }

  /** kms:Sign only for the signing step and promotion (explicit Deny: the default key policy delegates to the account). */
  private protectSigningKey(): void {
    const denySign = new iam.PolicyStatement({
      sid: 'DenySignExceptSigningStep',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.signingRole.roleArn } },
    });
    if (!this.addToPolicyOfThisStack(this.signingKey, (k) => k.addToResourcePolicy(denySign))) {
      this.warn(
        ArtifactGuardWarning.signingKeyPolicy,
        'signingKey is imported or of another stack, so the construct cannot change its key policy: add to it the statement {"Sid":"DenySignExceptSigningStep","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Sign","Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"<signing role ARN>"}}}' +
          ` (the role ${this.signingRole.node.path}, ArtifactGuard.signingRole), or every principal its policy or IAM allows can sign.`,
      );
    }
  }

  /** What every Lambda of the guard reads. */
  private commonEnvironment(props: ArtifactGuardProps): Record<string, string> {
    return {
      TABLE_NAME: this.table.tableName,
      EVIDENCE_BUCKET: this.evidenceBucket.bucketName,
      ALERT_BUS_NAME: this.alertBus.eventBusName,
      SEVERITY_THRESHOLD: props.severityThreshold ?? 'HIGH',
      SIGN_ON_FINDINGS: String(props.signOnFindings ?? false),
      EVIDENCE_LOCK_DAYS: String((props.evidenceRetention ?? Duration.days(365)).toDays()),
      POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      // The `guard` dimension of every metric (lambdas/handlers/runtime.ts).
      GUARD_ID: this.guardId,
    };
  }

  private createLambda(id: string, spec: Pick<StepSpec, 'handler' | 'description'>, environment: Record<string, string>, settings: StepSettings): StepLambda {
    const { grant, ...options } = settings;
    const fn = new StepLambda(this, id, {
      handler: spec.handler,
      description: spec.description,
      logRetention: this.logRetention,
      ...options,
      environment: { ...environment, ...settings.environment },
    });
    grant(fn.role);
    return fn;
  }

  /** One Lambda per registered step, named `<Step>Step`, with what differs from `stepSettings`. */
  private createSteps(environment: Record<string, string>, props: ArtifactGuardProps): Record<StepName, StepLambda> {
    const settings = this.stepSettings(props);
    const id = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}Step`;
    const steps = perStep((name) => this.createLambda(id(name), STEPS[name], environment, settings[name]));
    // Attach rebuilds the statements Sign signed, which name Sign's function as the attestor.
    steps.attach.function.addEnvironment('ATTESTOR_FUNCTION', steps.sign.function.functionName);
    return steps;
  }

  /** Memory, timeout, role, environment and least-privilege grants of each step. */
  private stepSettings(props: ArtifactGuardProps): Record<StepName, StepSettings> {
    const cacheMacKey = this.createLayerCacheMacKey();
    return {
      resolve: {
        grant: (role) => {
          this.repositories.forEach((repo) => repo.grantPull(role));
          // PutItem: the processing lease (conditional).
          this.grantTable(role, 'dynamodb:GetItem', 'dynamodb:PutItem');
        },
      },
      // Layers are streamed, never held whole; memory buys CPU for gunzip and tar parsing.
      sbom: {
        memorySize: 2048,
        timeout: Duration.minutes(15),
        environment: { CACHE_MAC_KEY_ARN: cacheMacKey.keyArn },
        grant: (role) => {
          this.repositories.forEach((repo) => repo.grantPull(role));
          iam.Grant.addToPrincipal({ grantee: role, actions: ['kms:GenerateMac', 'kms:VerifyMac'], resourceArns: [cacheMacKey.keyArn] });
          this.grantEvidence(role, WRITE_EVIDENCE, 'evidence/*');
          this.grantEvidence(role, ['s3:GetObject', 's3:PutObject'], 'layer-cache/*');
          this.protectLayerCacheMacKey(cacheMacKey, role);
        },
      },
      scan: {
        memorySize: 1024,
        timeout: Duration.minutes(5),
        environment: {
          UNKNOWN_SEVERITY: props.unknownSeverity ?? 'FAIL',
          ACCEPT_UNINVENTORIED: String(props.signUninventoriedArtifacts ?? false),
          ...(props.osvMirror ? { ARTIFACT_GUARD_OSV_MIRROR: this.osvMirrorUri(props.osvMirror) } : { ARTIFACT_GUARD_OSV_API: '1' }),
          ...(props.osvMirror === 'watch' ? { OSV_MIRROR_MAX_AGE_HOURS: String(((props.vulnerabilityWatch || undefined)?.maxMirrorAge ?? Duration.hours(48)).toHours()) } : {}),
          ...(props.inspector?.enabled ? { ARTIFACT_GUARD_INSPECTOR: '1' } : {}),
        },
        grant: (role) => {
          this.grantEvidence(role, WRITE_EVIDENCE, 'evidence/*');
          // ListFindings has no resource-level permissions; the request filters by image hash and repository.
          if (props.inspector?.enabled) iam.Grant.addToPrincipal({ grantee: role, actions: ['inspector2:ListFindings'], resourceArns: ['*'] });
          if (props.osvMirror === 'watch') this.grantEvidence(role, ['s3:GetObject'], `${OSV_MIRROR_PREFIX}*`);
          else if (props.osvMirror) {
            const [bucket, ...key] = props.osvMirror.replace(/^s3:\/\//, '').split('/');
            iam.Grant.addToPrincipal({ grantee: role, actions: ['s3:GetObject'], resourceArns: [`arn:${Aws.PARTITION}:s3:::${bucket}/${key.join('/')}`] });
          }
        },
      },
      // The key's only user: no registry, no writes; it reads the SBOMs and reports it attests.
      sign: {
        role: this.signingRole,
        timeout: Duration.minutes(2),
        environment: { SIGNING_KEY_ARN: this.signingKey.keyArn },
        grant: (role) => {
          iam.Grant.addToPrincipal({ grantee: role, actions: ['kms:Sign', 'kms:GetPublicKey'], resourceArns: [this.signingKey.keyArn] });
          this.grantEvidence(role, ['s3:GetObject'], 'evidence/*');
        },
      },
      // Publishes what Sign signed, with no key: a parser bug here cannot reach kms:Sign.
      attach: {
        timeout: Duration.minutes(5),
        grant: (role) => {
          // cosign's layout: the .sig manifest and its blobs go into the image's own repository.
          this.repositories.forEach((repo) => repo.grantPullPush(role));
          // Reads the SBOMs and scan reports to rebuild the statements; writes the Sigstore bundles beside them.
          this.grantEvidence(role, WRITE_EVIDENCE, 'evidence/*');
        },
      },
      // Conditional puts, the get that reads a tag's first digest, the ledger's queries (build records by digest), the component index's batch writes.
      record: {
        environment: { TAG_POLICY: tagPolicyEnvironment(props.tagPatterns) },
        grant: (role) => {
          this.grantTable(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem');
          // The component index is built from the SBOMs the SBOM step stored.
          this.grantEvidence(role, ['s3:GetObject'], 'evidence/*');
        },
      },
      notify: {
        grant: (role) => {
          this.alertBus.grantPutEventsTo(role);
          // PROCESSED after the alerts, then the processing lease released.
          this.grantTable(role, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        },
      },
    };
  }

  /** `watch`: the mirror the vulnerability watch keeps in the evidence bucket (its layout, read by prefix). */
  private osvMirrorUri(osvMirror: string): string {
    if (osvMirror !== 'watch') return osvMirror;
    return `s3://${this.evidenceBucket.bucketName}/${OSV_MIRROR_PREFIX}`;
  }

  /** Authenticates the layer cache (HMAC in KMS): a cache entry the SBOM step did not write is ignored. */
  private createLayerCacheMacKey(): kms.Key {
    return new kms.Key(this, 'LayerCacheMacKey', {
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      description: 'Artifact Guard layer-cache MAC key (HMAC-SHA256)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Forging a cache entry needs kms:GenerateMac: only the SBOM step may call it. */
  private protectLayerCacheMacKey(key: kms.Key, sbomRole: iam.IRole): void {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGenerateMacExceptSbomStep',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:GenerateMac'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': sbomRole.roleArn } },
      }),
    );
  }

  /** May read the public key and pull, never sign. */
  private createGate(environment: Record<string, string>, props: ArtifactGuardProps): StepLambda {
    return this.createLambda('VerifyGate', { handler: 'verify', description: 'Deploy gate: verify the signature and attestations of an image' }, environment, {
      timeout: Duration.minutes(1),
      environment: {
        SIGNING_KEY_ARN: this.signingKey.keyArn,
        ...(props.gatePolicy ? { GATE_POLICY: JSON.stringify(props.gatePolicy) } : {}),
        ...(props.gateIdentities?.length ? { GATE_IDENTITIES: props.gateIdentities.join(',') } : {}),
        ...(props.environments ? { GATE_ENVIRONMENTS: this.environmentsDocument(props.environments) } : {}),
      },
      grant: (role) => {
        iam.Grant.addToPrincipal({ grantee: role, actions: ['kms:GetPublicKey'], resourceArns: [this.signingKey.keyArn] });
        this.repositories.forEach((repo) => repo.grantPull(role));
        for (const env of Object.values(props.environments ?? {})) env.repositories?.forEach((repo) => repo.grantPull(role));
        this.alertBus.grantPutEventsTo(role);
        // The ledger (processed? recorded verdict?) and one audit event per decision.
        this.grantTable(role, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem');
      },
    });
  }

  /**
   * The Promote Lambda: the gate's decision (forPromotion) for E, then the copy into E's repository,
   * a signature for it, the ledger and the tag (lambdas/gate/promotion.ts).
   */
  private createPromote(environment: Record<string, string>, envs: Readonly<Record<string, EnvironmentProps>>, role: iam.Role): StepLambda {
    return this.createLambda('Promote', { handler: 'promote', description: 'Promotion: copy an artifact by digest into an environment repository when the gate allows it there' }, environment, {
      role,
      memorySize: 512,
      timeout: Duration.minutes(15),
      environment: { SIGNING_KEY_ARN: this.signingKey.keyArn, GATE_ENVIRONMENTS: this.environmentsDocument(envs), SIGNER_FUNCTION: this.steps.sign.function.functionName },
      grant: (r) => {
        // Verifies with the public key; the copy's approvals are signed by the Sign step, for the environments' repositories only.
        iam.Grant.addToPrincipal({ grantee: r, actions: ['kms:GetPublicKey', 'kms:DescribeKey'], resourceArns: [this.signingKey.keyArn] });
        this.steps.sign.function.grantInvoke(r);
        this.steps.sign.function.addEnvironment('PROMOTION_TARGETS', environmentRepositoriesOf(envs).map((repo) => repo.repositoryUri).join(','));
        this.repositories.forEach((repo) => repo.grantPull(r));
        // Push (and mount from the source: ECR mounts need pull on the source too) into the environments' repositories.
        for (const repo of environmentRepositoriesOf(envs)) repo.grantPullPush(r);
        this.alertBus.grantPutEventsTo(r);
        this.grantTable(r, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem');
      },
    });
  }

  /**
   * "Only approved artifacts enter production", enforced by ECR: the repositories of gated
   * environments deny every push (explicit Deny) but the Promote Lambda's.
   */
  private closeEnvironmentRepositories(envs: Readonly<Record<string, EnvironmentProps>>, promoteRole: iam.IRole): void {
    const statement = new iam.PolicyStatement({
      sid: 'OnlyPromotionPushes',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: PUSH,
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': promoteRole.roleArn } },
    });
    for (const repo of environmentRepositoriesOf(envs)) {
      const ours = repo instanceof ecr.Repository && Stack.of(repo) === Stack.of(this);
      if (ours && repo.addToResourcePolicy(statement).statementAdded) continue;
      this.warn(
        ArtifactGuardWarning.environmentRepositoryPolicy,
        `${repo.node.path} is an environment repository the construct cannot change (imported or of another stack): add to its repository policy {"Sid":"OnlyPromotionPushes","Effect":"Deny","Principal":{"AWS":"*"},"Action":${JSON.stringify(PUSH)},"Condition":{"ArnNotEquals":{"aws:PrincipalArn":"<ArtifactGuard.promote role ARN>"}}}, or anyone with push rights can bypass promotion.`,
      );
    }
  }

  /** A custom resource that writes the admission policies for the stack's key to the evidence bucket. */
  private publishAdmissionPolicies(environment: Record<string, string>, envs: Readonly<Record<string, EnvironmentProps>>): StepLambda {
    const document = this.environmentsDocument(envs);
    const fn = this.createLambda('AdmissionPolicies', { handler: 'admission-policies', description: 'Write the environments\' admission policies (Kyverno, policy-controller, containers-policy) to the evidence bucket' }, environment, {
      environment: { SIGNING_KEY_ARN: this.signingKey.keyArn, GATE_ENVIRONMENTS: document, GUARDED_REPOSITORIES: this.repositories.map((r) => r.repositoryUri).join(',') },
      grant: (r) => {
        iam.Grant.addToPrincipal({ grantee: r, actions: ['kms:GetPublicKey'], resourceArns: [this.signingKey.keyArn] });
        this.grantEvidence(r, ['s3:PutObject'], 'admission/*');
      },
    });
    // Re-run whenever the policies, the repositories or the key change.
    const cr = new CustomResource(this, 'AdmissionPoliciesDocuments', { serviceToken: fn.function.functionArn, properties: { Environments: document, Key: this.signingKey.keyArn } });
    cr.node.addDependency(fn.role);
    return fn;
  }

  /**
   * The environments as the gate Lambda reads them (GATE_ENVIRONMENTS), each policy validated
   * now: a policy with a typo fails the synth, not a deployment at 3 a.m.
   */
  private environmentsDocument(envs: Readonly<Record<string, EnvironmentProps>>): string {
    const doc = { environments: Object.fromEntries(Object.entries(envs).map(([name, e]) => [name, { policy: e.policy }])) };
    try {
      environmentsFrom(doc, 'ArtifactGuard environments');
    } catch (err) {
      throw new Error((err as Error).message);
    }
    const withRepositories = {
      environments: Object.fromEntries(Object.entries(envs).map(([name, e]) => [name, { policy: e.policy, ...(e.repositories ? { repositories: e.repositories.map((r) => r.repositoryUri) } : {}) }])),
    };
    const text = Stack.of(this).toJsonString(withRepositories);
    // Lambda environment variables share 4 KB; the policies (without the resolved URIs) must fit well within.
    if (JSON.stringify(doc).length > 3000) throw new Error('ArtifactGuard environments: the policies take more than 3,000 characters; shorten them (the gate reads them from its environment)');
    return text;
  }

  private createWorkflow(): sfn.StateMachine {
    return new sfn.StateMachine(this, 'Workflow', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(buildWorkflowDefinition(this, perStep((name) => this.steps[name].function))),
      tracingEnabled: true,
      // Shorter than the processing lease, so a live execution never loses it.
      timeout: Duration.seconds(WORKFLOW_TIMEOUT_SECONDS),
      logs: { destination: new logs.LogGroup(this, 'WorkflowLogs', { retention: this.logRetention }), level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }

  /**
   * sha256-* tags are mutable (signatures are appended) and never processed: each push of one is
   * checked to be the evidence it claims (a runnable image parked there is a Policy Violation) and recorded.
   */
  private createEvidenceCheck(environment: Record<string, string>): StepLambda {
    const check = this.createLambda('EvidenceCheck', { handler: 'evidence', description: 'Check and record a push to a sha256-* evidence tag' }, environment, {
      timeout: Duration.minutes(2),
      grant: (role) => {
        this.repositories.forEach((repo) => repo.grantPull(role));
        // Resolve's processed-check and Record's conditional puts (no queries).
        this.grantTable(role, 'dynamodb:GetItem', 'dynamodb:PutItem');
        this.alertBus.grantPutEventsTo(role);
      },
    });
    check.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(this.triggerDeadLetterQueue) });
    return check;
  }

  /** CI build reports (`record-build --bus`) on the custom bus, recorded and joined to artifacts by digest. */
  private createBuildRecorder(environment: Record<string, string>): StepLambda {
    const recorder = this.createLambda('BuildRecorder', { handler: 'build-recorder', description: 'Record a CI build report and join it to artifacts by digest' }, environment, {
      grant: (role) => {
        this.grantTable(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
        this.grantIndex(role, RecordsTable.digestIndex.name, 'dynamodb:Query');
        this.alertBus.grantPutEventsTo(role);
      },
    });
    recorder.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(this.triggerDeadLetterQueue) });
    new events.Rule(this, 'OnBuildRecorded', {
      eventBus: this.alertBus,
      description: 'CI build reports (artifact-guard record-build --bus), to the build recorder',
      eventPattern: { source: [BUILD_EVENT_SOURCE], detailType: [BUILD_RECORDED] },
      targets: [new targets.LambdaFunction(recorder.function, { deadLetterQueue: this.triggerDeadLetterQueue, retryAttempts: 3 })],
    });
    return recorder;
  }

  /** Who pushed: CloudTrail's ecr:PutImage on the default bus, for the guarded repositories, successful calls only. */
  private createPusherRecorder(environment: Record<string, string>): StepLambda {
    const recorder = this.createLambda('PusherRecorder', { handler: 'pusher-recorder', description: 'Record who pushed a digest (CloudTrail ecr:PutImage)' }, environment, {
      // Conditional puts only (the trail entry, the pusher by digest): a replay is a failed condition, never a read.
      grant: (role) => this.grantTable(role, 'dynamodb:PutItem'),
    });
    recorder.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(this.triggerDeadLetterQueue) });
    new events.Rule(this, 'OnPutImage', {
      description: 'ecr:PutImage calls on a guarded repository (CloudTrail), to the pusher recorder',
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ecr.amazonaws.com'], eventName: ['PutImage'], errorCode: [{ exists: false }], requestParameters: { repositoryName: this.repositories.map((r) => r.repositoryName) } },
      },
      targets: [new targets.LambdaFunction(recorder.function, { deadLetterQueue: this.triggerDeadLetterQueue, retryAttempts: 3 })],
    });
    return recorder;
  }

  /** Write management events only: what EventBridge needs to see PutImage, no data events (cost). */
  private createTrail(): cloudtrail.Trail {
    const bucket = new s3.Bucket(this, 'TrailLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A fixed name, so the bucket policy can name the trail (its ARN) without a dependency cycle.
    const trailName = `${Stack.of(this).stackName}-${this.node.addr.slice(0, 8)}-ledger`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
    const trail = new cloudtrail.Trail(this, 'Trail', {
      trailName,
      bucket,
      managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
      includeGlobalServiceEvents: false,
      isMultiRegionTrail: false,
      enableFileValidation: true,
    });
    // CloudTrail's grants, scoped to this trail (aws:SourceArn: no other account's trail may write here).
    const sourceArn = `arn:${Aws.PARTITION}:cloudtrail:${Aws.REGION}:${Aws.ACCOUNT_ID}:trail/${trailName}`;
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const policy = bucket.policy?.node.defaultChild;
    if (!(policy instanceof s3.CfnBucketPolicy)) throw new Error(`${this.node.path}: the trail bucket has no policy to scope`);
    policy.addPropertyOverride(
      'PolicyDocument',
      new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['s3:*'],
            resources: [bucket.bucketArn, bucket.arnForObjects('*')],
            conditions: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          new iam.PolicyStatement({ principals: [cloudTrail], actions: ['s3:GetBucketAcl'], resources: [bucket.bucketArn], conditions: { StringEquals: { 'aws:SourceArn': sourceArn } } }),
          new iam.PolicyStatement({
            principals: [cloudTrail],
            actions: ['s3:PutObject'],
            resources: [bucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`)],
            conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': sourceArn } },
          }),
        ],
      }),
    );
    return trail;
  }

  /** EventBridge Scheduler → reconciler Lambda: DescribeImages on the guarded repositories, StartExecution for the missed digests. */
  private createReconciler(environment: Record<string, string>, every: Duration, concurrency: number): StepLambda {
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new Error(`${this.node.path}: reconcileConcurrency must be a whole number from 1 to 32, got ${concurrency}`);
    const reconciler = this.createLambda('Reconciler', { handler: 'reconciler', description: 'Start the workflow for guarded images without a completed record (backfill, lost events)' }, environment, {
      timeout: Duration.minutes(10),
      environment: {
        STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        REGISTRY_HOST: `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}`,
        GUARDED_REPOSITORIES: this.repositories.map((r) => r.repositoryName).join(','),
        RECONCILE_CONCURRENCY: String(concurrency),
      },
      grant: (role) => {
        iam.Grant.addToPrincipal({ grantee: role, actions: ['ecr:DescribeImages'], resourceArns: this.repositories.map((r) => r.repositoryArn) });
        this.stateMachine.grantStartExecution(role);
        // PROCESSED (GetItem), then the evidence items of a processed digest (Query) for the SBOM coverage metric.
        this.grantTable(role, 'dynamodb:GetItem', 'dynamodb:Query');
      },
    });
    // A role of its own (not the stack-wide one the target would share), so that its acknowledgement names it.
    const role = new iam.Role(this, 'ReconcileScheduleRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'), description: 'EventBridge Scheduler: invoke the Artifact Guard reconciler' });
    new scheduler.Schedule(this, 'ReconcileSchedule', {
      description: 'Artifact Guard reconciler: nothing pushed to a guarded repository escapes the ledger',
      schedule: scheduler.ScheduleExpression.rate(every),
      target: new schedulerTargets.LambdaInvoke(reconciler.function, { role, retryAttempts: 2, deadLetterQueue: this.triggerDeadLetterQueue }),
    });
    return reconciler;
  }

  /** Readable and unique per guard; no wildcard characters (it ends up in the topic policy's ArnLike condition). */
  private alarmNamePrefix(): string {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
    return `${safe(Stack.of(this).stackName)}-${safe(this.node.id)}-${this.node.addr.slice(0, 8)}-`;
  }

  private createBuildSuccessAlarm(below: number): cloudwatch.Alarm {
    if (!(below > 0 && below <= 100)) throw new Error(`${this.node.path}: buildSuccessAlarmBelow must be a percentage in (0, 100], got ${below}`);
    const alarm = new cloudwatch.Alarm(this, 'BuildSuccessRate', {
      // Named with the guard's alarm prefix: the alert topic admits CloudWatch for those alarms only.
      alarmName: `${this.alarmNamePrefix()}BuildSuccessRate`,
      metric: this.metricBuildSuccessRate(),
      threshold: below,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No builds in an hour is no evidence of failing builds.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Less than ${below}% of the CI builds recorded in an hour succeeded (artifact-guard record-build)`,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alertTopic));
    return alarm;
  }

  /** Pushes start the workflow; pushes of sha256-* evidence tags go to the evidence check instead. */
  private createTriggers(organization: boolean): void {
    const dlq = this.triggerDeadLetterQueue;
    const pushOf = (imageTag: string[] | Record<string, unknown>[]) => ({
      source: ['aws.ecr'],
      detailType: ['ECR Image Action'],
      // Member accounts' events (organizationId) are the organisation rules' (no event runs twice).
      ...(organization ? { account: [Aws.ACCOUNT_ID] } : {}),
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': this.repositories.map((r) => r.repositoryName), 'image-tag': imageTag },
    });
    new events.Rule(this, 'OnPush', {
      description: "Every successful push to a guarded repository, except sha256-* evidence tags (the pipeline's own pushes never start the workflow)",
      eventPattern: pushOf(events.Match.anythingButPrefix('sha256-')),
      targets: [new targets.SfnStateMachine(this.stateMachine, { deadLetterQueue: dlq, retryAttempts: 3 })],
    });
    new events.Rule(this, 'OnEvidencePush', {
      description: 'Pushes to sha256-* evidence tags of a guarded repository, for the evidence check',
      eventPattern: pushOf(events.Match.prefix('sha256-')),
      targets: [new targets.LambdaFunction(this.evidenceCheck.function, { deadLetterQueue: dlq, retryAttempts: 3 })],
    });
  }

  /** Member accounts' pushes: the bus policy, their rules, and the workflow roles' grants on their repositories. */
  private acceptOrganizationPushes(organizationId: string, repositoryNames: string[] | undefined): OrganizationPushes {
    return new OrganizationPushes(this, 'Organization', {
      organizationId,
      ...(repositoryNames ? { repositoryNames } : {}),
      stateMachine: this.stateMachine,
      evidenceCheck: this.evidenceCheck.function,
      deadLetterQueue: this.triggerDeadLetterQueue,
      pullRoles: [this.steps.resolve.role, this.steps.sbom.role, this.evidenceCheck.role, this.verifyGate.role],
      pushRoles: [this.steps.attach.role],
    });
  }

  private createDashboard(): cloudwatch.Dashboard {
    const graph = (title: string, metric: cloudwatch.IMetric, percent = false) =>
      new cloudwatch.GraphWidget({ title, left: [metric], width: 12, ...(percent ? { leftYAxis: { min: 0, max: 100 } } : {}) });
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [graph('Build success rate (%)', this.metricBuildSuccessRate(), true), graph('SBOM coverage (%)', this.metricSbomCoverage(), true)],
        [graph('Signature verification failures', this.metricSignatureVerificationFailures()), graph('Tag immutability violations', this.metricTagImmutabilityViolations())],
        ...this.operationalAlarms.widgets(),
        [
          new cloudwatch.GraphWidget({
            title: 'Build success rate per pipeline (%)',
            width: 12,
            leftYAxis: { min: 0, max: 100 },
            left: [
              new cloudwatch.MathExpression({
                expression: `100 * SEARCH('{${METRICS_NAMESPACE},guard,pipeline,service} MetricName="${MetricName.buildSuccess}" guard="${this.guardId}"', 'Average', 3600)`,
                label: '',
                period: Duration.hours(1),
              }),
            ],
          }),
          new cloudwatch.AlarmWidget({ title: 'Build success rate alarm', alarm: this.buildSuccessAlarm, width: 12 }),
        ],
        [graph('Reconciler: workflows started for missed digests', this.metricReconcileStarted())],
      ],
    });
  }

  /** Object actions under a key prefix of the evidence bucket. */
  private grantEvidence(grantee: iam.IGrantable, actions: string[], prefix: string): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.evidenceBucket.arnForObjects(prefix)] });
  }

  /** Actions on one index of the table. */
  private grantIndex(grantee: iam.IGrantable, indexName: string, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [`${this.table.tableArn}/index/${indexName}`] });
  }

  /** Item-level actions on the table itself (not its indexes): what a step needs, no more. */
  private grantTable(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn] });
  }

  /**
   * Adds a statement to the resource policy of a resource of this stack; false when the resource
   * is imported or in another stack (whose policy would then refer to this stack and back).
   */
  private addToPolicyOfThisStack<T extends kms.IKey | s3.IBucket>(resource: T, add: (r: T) => iam.AddToResourcePolicyResult): boolean {
    return Stack.of(resource) === Stack.of(this) && add(resource).statementAdded;
  }

  private warn(id: string, message: string): void {
    Annotations.of(this).addWarningV2(id, message);
  }
}

/** The repositories of every environment that names some (each once). */
function environmentRepositoriesOf(envs: Readonly<Record<string, EnvironmentProps>> | undefined): ecr.IRepository[] {
  return [...new Set(Object.values(envs ?? {}).flatMap((e) => e.repositories ?? []))];
}

/** TAG_POLICY as the Record step reads it: `off`, or a JSON list of patterns (each checked now). */
function tagPolicyEnvironment(patterns: string[] | false | undefined): string {
  if (patterns === false) return 'off';
  if (patterns === undefined) return '';
  if (patterns.length === 0) throw new Error('ArtifactGuard tagPatterns: give at least one pattern, or false to turn the tag rule off');
  for (const p of patterns) {
    try {
      new RegExp(`^(?:${p})$`);
    } catch (err) {
      throw new Error(`ArtifactGuard tagPatterns: "${p}" is not a regular expression (${(err as Error).message})`);
    }
  }
  return JSON.stringify(patterns);
}

/** One value per registered step, made in registry order. */
function perStep<T>(make: (name: StepName) => T): Record<StepName, T> {
  return Object.fromEntries(STEP_NAMES.map((name) => [name, make(name)])) as Record<StepName, T>;
}
