import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationalAlarmsProps {
  /** Every alarm's name starts with it; the alert topic and its key admit only alarms named so. */
  readonly namePrefix: string;
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.IQueue;
  /** The guard's Lambdas by a short name (`sbom`, `verify-gate`…). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Where the alarms notify. */
  readonly topic: sns.ITopic;
}

/** Lambda errors in five minutes that alarm: a step's retried transient errors count too, so one or two are normal. */
export const LAMBDA_ERRORS_THRESHOLD = 3;
/** Lambda throttles in five minutes that alarm (throttled invocations are retried by the state machine). */
export const LAMBDA_THROTTLES_THRESHOLD = 5;

const PERIOD = Duration.minutes(5);

/**
 * What tells an operator that the guard is not doing its job, whatever the alerts bus says: failed
 * (or timed-out, aborted) executions, events in the trigger dead-letter queue, Lambda errors and
 * throttles. Each alarm notifies the alert topic directly (not through the bus and the mailer,
 * which may be what is broken).
 */
export class OperationalAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly executionsFailed: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  /** Every alarm's name starts with it. */
  readonly namePrefix: string;

  constructor(scope: Construct, id: string, private readonly props: OperationalAlarmsProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    const sm = props.stateMachine;
    this.executionsFailed = this.alarm('ExecutionsFailed', {
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: { failed: sm.metricFailed({ statistic: 'Sum' }), timedOut: sm.metricTimedOut({ statistic: 'Sum' }), aborted: sm.metricAborted({ statistic: 'Sum' }) },
        label: 'Executions failed, timed out or aborted',
        period: PERIOD,
      }),
      threshold: 1,
      description: 'A workflow execution failed after its retries (or timed out, or was aborted): the artifact is not signed and may not be recorded. Read the execution, fix the cause, then redrive it (README, "Operations").',
    });
    this.deadLetters = this.alarm('DeadLetters', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
      threshold: 1,
      description: 'Push events or alerts could not be delivered after their retries and wait in the trigger dead-letter queue: those pushes were never processed, or those alerts never sent (README, "Operations").',
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${pascal(name)}Errors`, {
        metric: fn.metricErrors({ statistic: 'Sum', period: PERIOD }),
        threshold: LAMBDA_ERRORS_THRESHOLD,
        description: `The ${name} Lambda failed ${LAMBDA_ERRORS_THRESHOLD} or more times in 5 minutes (its log group says why).`,
      });
      this.alarm(`${pascal(name)}Throttles`, {
        metric: fn.metricThrottles({ statistic: 'Sum', period: PERIOD }),
        threshold: LAMBDA_THROTTLES_THRESHOLD,
        description: `The ${name} Lambda was throttled ${LAMBDA_THROTTLES_THRESHOLD} or more times in 5 minutes: the account's concurrency is exhausted (raise it, or reserve concurrency for the guard).`,
      });
    }
  }

  /** The ARN pattern of this guard's alarms (for the `aws:SourceArn` conditions). */
  get alarmArnPattern(): string {
    return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${this.props.namePrefix}*`;
  }

  /**
   * Lets CloudWatch publish this guard's alarms to the topic and use the topic's key, and nothing
   * else: both statements hold only for alarms of this account whose name has the guard's prefix
   * (confused-deputy protection; CloudWatch sends both condition keys to SNS and to KMS).
   */
  allowAlarmDelivery(topic: sns.Topic, key: kms.IKey | undefined): void {
    const principal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const conditions = { ArnLike: { 'aws:SourceArn': this.alarmArnPattern }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } };
    topic.addToResourcePolicy(new iam.PolicyStatement({ sid: 'GuardAlarmsPublish', principals: [principal], actions: ['sns:Publish'], resources: [topic.topicArn], conditions }));
    key?.addToResourcePolicy(new iam.PolicyStatement({ sid: 'GuardAlarmsUseKey', principals: [principal], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions }));
  }

  /** A row of dashboard widgets: alarm states, failed executions, dead letters, Lambda errors and throttles. */
  widgets(): cloudwatch.IWidget[][] {
    const fns = Object.entries(this.props.functions);
    return [
      [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
      [
        new cloudwatch.GraphWidget({ title: 'Executions failed, timed out or aborted', left: [this.executionsFailed.metric], width: 12 }),
        new cloudwatch.GraphWidget({ title: 'Trigger dead-letter queue depth', left: [this.deadLetters.metric], width: 12 }),
      ],
      [
        new cloudwatch.GraphWidget({ title: 'Lambda errors', left: fns.map(([name, fn]) => fn.metricErrors({ statistic: 'Sum', period: PERIOD, label: name })), width: 12 }),
        new cloudwatch.GraphWidget({ title: 'Lambda throttles', left: fns.map(([name, fn]) => fn.metricThrottles({ statistic: 'Sum', period: PERIOD, label: name })), width: 12 }),
      ],
    ];
  }

  private alarm(id: string, props: { metric: cloudwatch.IMetric; threshold: number; description: string }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.namePrefix}${id}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.props.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

function pascal(name: string): string {
  return name.replace(/(^|[-_ ])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase());
}
