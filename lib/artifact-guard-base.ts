import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import type { AlertTypeName } from '../lambdas/core/alerts';
import { ALERT_SOURCE, AlertType } from '../lambdas/core/alerts';
import { METRICS_NAMESPACE, MetricName } from '../lambdas/core/metric-names';
import { BUILD_EVENT_SOURCE, BUILD_RECORDED } from '../lambdas/core/bus-events';

export { AlertType } from '../lambdas/core/alerts';
export type { AlertTypeName } from '../lambdas/core/alerts';

/** The `service` dimension of every metric the Lambdas emit (Powertools `serviceName`). */
export const METRICS_SERVICE = 'artifact-guard';

/** Actions `IRepository.grantPull` grants on a repository (besides `ecr:GetAuthorizationToken`). */
const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

/** One `metric…` method per name in `lambdas/core/metric-names.ts` (a new name fails to compile until it has one). */
export type ArtifactGuardMetricMethods = {
  readonly [N in (typeof MetricName)[keyof typeof MetricName] as `metric${N}`]: (props?: cloudwatch.MetricOptions) => cloudwatch.Metric;
};

/** Options of `IArtifactGuard.onAlert`. */
export interface AlertRuleOptions {
  /** The target the matching alerts go to. */
  readonly target: events.IRuleTarget;
  /**
   * Alert detail-types to match (see `AlertType`).
   * @default - every alert type
   */
  readonly types?: AlertTypeName[];
  /**
   * The rule's description.
   * @default - no description
   */
  readonly description?: string;
}

/**
 * What a consumer of an Artifact Guard relies on: its resources, grants, metrics and alerts.
 * Implemented by `ArtifactGuard` and by `ArtifactGuard.fromArtifactGuardAttributes`.
 */
export interface IArtifactGuard extends IConstruct, ArtifactGuardMetricMethods {
  /** The value of the `guard` dimension of this guard's metrics (the Lambdas' `GUARD_ID`). */
  readonly guardId: string;
  /** The ECC_NIST_P256 / SIGN_VERIFY key that signs artifacts. */
  readonly signingKey: kms.IKey;
  /** The signing key's alias, with its `alias/` prefix (`cosign verify --key awskms:///<this>`). */
  readonly signingKeyAliasName: string;
  /** Artifacts, tags and the audit trail (append-only). */
  readonly table: dynamodb.ITable;
  /** SBOMs, scan reports and Sigstore bundles, under `evidence/`. */
  readonly evidenceBucket: s3.IBucket;
  /** The bus alerts are published on (source `artifact-guard`). */
  readonly alertBus: events.IEventBus;
  /** The topic that delivers the alerts meant for people. */
  readonly alertTopic: sns.ITopic;
  /** The guarded repositories. */
  readonly repositories: ecr.IRepository[];
  /** The deploy gate: `{ reference, policy?, identities? }` → `{ allowed, digest, reasons }`. */
  readonly gateFunction: lambda.IFunction;
  /** The workflow every push starts. */
  readonly stateMachine: sfn.IStateMachine;

  /** Public key and `DescribeKey` on the signing key, pull on every repository, read the records. */
  grantVerify(grantee: iam.IGrantable): iam.Grant;
  /** Read the records and the evidence bucket (SBOMs, scan reports, bundles). */
  grantReadEvidence(grantee: iam.IGrantable): iam.Grant;
  /** Invoke the deploy gate. */
  grantInvokeGate(grantee: iam.IGrantable): iam.Grant;
  /** Lets CI report builds (`artifact-guard record-build --bus`): PutEvents on the guard's bus, `Build Recorded` events only. */
  grantRecordBuild(grantee: iam.IGrantable): iam.Grant;
  /** Lets auditors read the ledger (`artifact-guard history|audit --table`): GetItem and Query on the records table and its indexes. */
  grantReadLedger(grantee: iam.IGrantable): iam.Grant;

  /** A metric the guard's Lambdas emit (namespace `ArtifactGuard`, dimensions `service` and `guard`). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Artifacts processed (each pushed digest, once). */
  metricArtifactsProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** SBOMs generated. */
  metricSbomGenerated(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Signatures created. */
  metricSignaturesCreated(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Signature verifications that failed (the deploy gate's denials among them). */
  metricSignatureVerificationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Vulnerabilities found at or above the threshold. */
  metricVulnerabilitiesFound(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Tags pushed again with another digest. */
  metricTagImmutabilityViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Policy violations (e.g. a runnable image under an evidence tag). */
  metricPolicyViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Workflow executions that failed. */
  metricWorkflowFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Share (%) of workflow executions that succeeded. */
  /** 1 per succeeded and 0 per failed CI build recorded (`record-build`); dimension `pipeline` on a second data point. */
  metricBuildSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricBuildSuccessRate(props?: cloudwatch.MathExpressionOptions, pipeline?: string): cloudwatch.MathExpression;
  /** Workflows the reconciler started (digests the event path missed, or pushed before deployment). */
  metricReconcileStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Tagged digests in the guarded repositories, counted by each reconciler run. */
  metricGuardedArtifacts(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Those of them processed with an SBOM recorded, counted by each reconciler run. */
  metricGuardedArtifactsWithSbom(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Share (%) of processed artifacts that got an SBOM. */
  metricSbomCoverage(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression;

  /** A rule on the alert bus that sends the given alert types (default: all) to `target`. */
  onAlert(id: string, options: AlertRuleOptions): events.Rule;
}

/** Grants, metrics and alert rules, shared by `ArtifactGuard` and its imported form. */
export abstract class ArtifactGuardBase extends Construct implements IArtifactGuard {
  abstract readonly guardId: string;
  abstract readonly signingKey: kms.IKey;
  abstract readonly signingKeyAliasName: string;
  abstract readonly table: dynamodb.ITable;
  abstract readonly evidenceBucket: s3.IBucket;
  abstract readonly alertBus: events.IEventBus;
  abstract readonly alertTopic: sns.ITopic;
  abstract readonly repositories: ecr.IRepository[];
  abstract readonly gateFunction: lambda.IFunction;
  abstract readonly stateMachine: sfn.IStateMachine;

  grantVerify(grantee: iam.IGrantable): iam.Grant {
    return combine([
      iam.Grant.addToPrincipal({ grantee, actions: ['kms:GetPublicKey', 'kms:DescribeKey'], resourceArns: [this.signingKey.keyArn] }),
      ...this.pullGrants(grantee),
      this.table.grantReadData(grantee),
    ]);
  }

  grantReadEvidence(grantee: iam.IGrantable): iam.Grant {
    return combine([this.table.grantReadData(grantee), this.evidenceBucket.grantRead(grantee)]);
  }

  grantInvokeGate(grantee: iam.IGrantable): iam.Grant {
    // Direct invokes and the IAM-authenticated Function URL (which names the caller in the audit).
    return this.gateFunction.grantInvoke(grantee).combine(this.gateFunction.grantInvokeUrl(grantee));
  }

  grantReadLedger(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem', 'dynamodb:Query'], resourceArns: [this.table.tableArn, `${this.table.tableArn}/index/*`] });
  }

  grantRecordBuild(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['events:PutEvents'],
      resourceArns: [this.alertBus.eventBusArn],
      // Only build reports: a CI role must not be able to forge alerts on the same bus.
      conditions: { StringEquals: { 'events:source': BUILD_EVENT_SOURCE, 'events:detail-type': BUILD_RECORDED } },
    });
  }

  /**
   * Pull on every guarded repository: the statements `IRepository.grantPull` adds, each in a
   * returned grant (`grantPull`'s own grant leaves out `ecr:GetAuthorizationToken`).
   */
  protected pullGrants(grantee: iam.IGrantable): iam.Grant[] {
    return this.repositories.flatMap((repo) => [
      repo.grant(grantee, ...PULL_ACTIONS),
      iam.Grant.addToPrincipal({ grantee, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] }),
    ]);
  }

  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: METRICS_SERVICE, guard: this.guardId },
      statistic: 'Sum',
      period: Duration.hours(1),
      ...props,
    }).attachTo(this);
  }

  metricArtifactsProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.artifactsProcessed, props);
  }

  metricSbomGenerated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.sbomGenerated, props);
  }

  metricSignaturesCreated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.signaturesCreated, props);
  }

  metricSignatureVerificationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.signatureVerificationFailures, props);
  }

  metricVulnerabilitiesFound(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.vulnerabilitiesFound, props);
  }

  metricTagImmutabilityViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.tagViolations, props);
  }

  /** @deprecated use `metricTagImmutabilityViolations` */
  metricTagViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricTagImmutabilityViolations(props);
  }

  metricPolicyViolations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.policyViolations, props);
  }

  metricWorkflowFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.workflowFailures, props);
  }

  metricReconcileStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.reconcileStarted, props);
  }

  metricGuardedArtifacts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.guardedArtifacts, props);
  }

  metricGuardedArtifactsWithSbom(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.guardedArtifactsWithSbom, props);
  }

  metricBuildSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.buildSuccess, props);
  }

  /**
   * Succeeded / all CI builds recorded (`record-build`, `Build Recorded` events), in percent: over
   * every pipeline, or one `pipeline`'s.
   */
  metricBuildSuccessRate(props?: cloudwatch.MathExpressionOptions, pipeline?: string): cloudwatch.MathExpression {
    const builds = this.metricBuildSuccess({ statistic: 'Average', ...(pipeline ? { dimensionsMap: { service: METRICS_SERVICE, guard: this.guardId, pipeline } } : {}) });
    return new cloudwatch.MathExpression({
      label: pipeline ? `Build success rate of ${pipeline} (%)` : 'Build success rate (%)',
      period: Duration.hours(1),
      ...props,
      expression: '100 * builds',
      usingMetrics: { builds },
    });
  }

  /**
   * Artifacts with an SBOM / all artifacts in the guarded repositories, in percent, as the
   * reconciler counts them each run (the latest run of the period: Maximum).
   */
  metricSbomCoverage(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'SBOM coverage (%)',
      period: Duration.hours(1),
      ...props,
      expression: '100 * withSbom / MAX([guarded, 1])',
      usingMetrics: { withSbom: this.metricGuardedArtifactsWithSbom({ statistic: 'Maximum' }), guarded: this.metricGuardedArtifacts({ statistic: 'Maximum' }) },
    });
  }

  onAlert(id: string, options: AlertRuleOptions): events.Rule {
    const types = options.types ?? Object.values(AlertType);
    if (types.length === 0) throw new Error(`${this.node.path}: onAlert('${id}'): types must name at least one alert type (omit it for all)`);
    return new events.Rule(this, id, {
      eventBus: this.alertBus,
      description: options.description,
      eventPattern: { source: [ALERT_SOURCE], detailType: [...types] },
      targets: [options.target],
    });
  }
}

/** One grant holding the statements of all (aws-cdk-lib's `Grant.combine`, folded). */
function combine([first, ...rest]: [iam.Grant, ...iam.Grant[]]): iam.Grant {
  return rest.reduce((all, g) => all.combine(g), first);
}
