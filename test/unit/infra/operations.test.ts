import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ArtifactGuard, ArtifactGuardWarning } from '../../../lib/artifact-guard';
import { LAMBDA_ERRORS_THRESHOLD, LAMBDA_THROTTLES_THRESHOLD } from '../../../lib/operational-alarms';
import { offlineApp, synthTemplate } from '../../../lib/synth-offline';
import { definitionFromTemplate } from '../../../lib/template-definition';
import { FAILED_UNNOTIFIED_STATE, TaskState } from '../../../lambdas/workflow/step-registry';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface State {
  Type: string;
  Next?: string;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ErrorPath?: string;
  CausePath?: string;
}

const template = synthTemplate({ alertEmail: 'sec@example.com' });
const json = template.toJSON() as { Resources: Record<string, Resource> };
const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const definition = definitionFromTemplate(json) as { States: Record<string, State> };
const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
const [[topicId, topic]] = ofType('AWS::SNS::Topic') as [[string, Resource]];
const topicKeyId = (topic.Properties?.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as { AlarmName: string; AlarmActions: unknown[]; Threshold: number; MetricName?: string; Namespace?: string; Dimensions?: { Name: string; Value: unknown }[]; Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[] });
const alarmNamed = (suffix: string) => alarms.find((a) => a.AlarmName.endsWith(`-${suffix}`));

describe('faults: retries, alarms, redrive-ready failures (issue 13)', () => {
  describe('the state machine', () => {
    it('retries Lambda service errors and throttling, and UnavailableError, with backoff, full jitter and a max delay', () => {
      expect(tasks.length).toBeGreaterThanOrEqual(7);
      for (const [name, state] of tasks) {
        const lambda = state.Retry?.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
        const unavailable = state.Retry?.find((r) => r.ErrorEquals.includes('UnavailableError'));
        expect({ name, lambda }).toEqual({ name, lambda: expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException']), BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: 60 }) });
        expect({ name, unavailable }).toEqual({ name, unavailable: expect.objectContaining({ IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: 120 }) });
        // Permanent errors are never retried: no retrier catches everything or names them.
        for (const r of state.Retry ?? []) expect(r.ErrorEquals).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(States\.ALL|States\.TaskFailed|RefusedError|BadInputError)$/)]));
      }
    });

    it('cannot fail silently: NotifyFailure retries, and if it still fails the execution fails (FailedUnnotified) with the original error', () => {
      const notifyFailure = definition.States[TaskState.notifyFailure];
      expect(notifyFailure?.Retry?.length).toBe(2);
      expect(notifyFailure?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: FAILED_UNNOTIFIED_STATE }]);
      expect(notifyFailure?.Next).toBe('Failed');
      expect(definition.States[FAILED_UNNOTIFIED_STATE]).toEqual({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
      // Notify itself fails over to NotifyFailure like every other step.
      expect(definition.States[TaskState.notify]?.Catch?.[0]?.Next).toBe(TaskState.notifyFailure);
    });
  });

  describe('alarms', () => {
    it('alarm on failed (timed-out, aborted) executions of the workflow', () => {
      const alarm = alarmNamed('ExecutionsFailed');
      expect(alarm?.Threshold).toBe(1);
      expect(alarm?.Metrics?.find((m) => m.Expression)?.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
      expect(alarm?.Metrics?.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
      expect(JSON.stringify(alarm?.Metrics)).toContain('Workflow');
    });

    it('alarm on the trigger dead-letter queue holding anything', () => {
      const alarm = alarmNamed('DeadLetters');
      expect(alarm).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 });
      const [[queueId]] = ofType('AWS::SQS::Queue') as [[string, Resource]];
      expect(alarm?.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
    });

    it('alarm on errors and throttles of every Lambda of the guard', () => {
      const fns = ofType('AWS::Lambda::Function').map(([id]) => id);
      // The workflow's 7 steps (Sign and Attach two of them), gate, evidence check, mailer, build and pusher recorders, reconciler, OSV watch and full re-scan.
      expect(fns.length).toBe(15);
      for (const [metric, threshold] of [['Errors', LAMBDA_ERRORS_THRESHOLD], ['Throttles', LAMBDA_THROTTLES_THRESHOLD]] as const) {
        const watched = alarms.filter((a) => a.MetricName === metric && a.Namespace === 'AWS/Lambda');
        expect(watched.map((a) => (a.Dimensions?.[0]?.Value as { Ref: string }).Ref).sort()).toEqual([...fns].sort());
        for (const a of watched) expect(a.Threshold).toBe(threshold);
      }
    });

    it('notify the alert topic directly, named with the guard\'s prefix', () => {
      // Executions, dead letters, errors and throttles of the 15 Lambdas, and the build success rate.
      expect(alarms.length).toBe(2 + 2 * 15 + 1);
      for (const a of alarms) {
        expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(a.AlarmName).toMatch(/^ArtifactGuard-ArtifactGuard-[0-9a-f]{8}-/);
      }
    });

    it('are on the dashboard, with failed executions, dead letters, Lambda errors and throttles', () => {
      const [[, dash]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
      const body = JSON.stringify(dash.Properties?.DashboardBody);
      for (const title of ['Alarms', 'Executions failed, timed out or aborted', 'Trigger dead-letter queue depth', 'Lambda errors', 'Lambda throttles']) expect(body).toContain(title);
      expect(body).toContain('"alarms\\":[');
      expect(body).toContain('ApproximateNumberOfMessagesVisible');
    });
  });

  describe('who may publish and use keys', () => {
    const conditionsOf = (s: Statement) => s.Condition ?? {};
    const cloudwatchScoped = (s: Statement) => {
      expect(s.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
      expect(JSON.stringify(conditionsOf(s).ArnLike?.['aws:SourceArn'])).toMatch(/:cloudwatch:.*:alarm:ArtifactGuard-ArtifactGuard-[0-9a-f]{8}-\*/);
      expect(conditionsOf(s).StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    };

    it('the topic admits CloudWatch only for this guard\'s alarms of this account', () => {
      const statements = ofType('AWS::SNS::TopicPolicy').flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]?.Action).toBe('sns:Publish');
      cloudwatchScoped(allows[0]!);
    });

    it('the topic key lets CloudWatch encrypt for those alarms only', () => {
      const statements = (json.Resources[topicKeyId]?.Properties?.KeyPolicy as { Statement: Statement[] }).Statement;
      const services = statements.filter((s) => JSON.stringify(s.Principal).includes('Service'));
      expect(services).toHaveLength(1);
      expect(services[0]?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      cloudwatchScoped(services[0]!);
    });

    it('every resource policy statement that admits an AWS service names the source it admits', () => {
      const policies: [string, Statement[]][] = [
        ...ofType('AWS::SNS::TopicPolicy').map(([id, p]): [string, Statement[]] => [id, (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement]),
        ...ofType('AWS::SQS::QueuePolicy').map(([id, p]): [string, Statement[]] => [id, (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement]),
        ...ofType('AWS::S3::BucketPolicy').map(([id, p]): [string, Statement[]] => [id, (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement]),
        ...ofType('AWS::KMS::Key').map(([id, k]): [string, Statement[]] => [id, (k.Properties?.KeyPolicy as { Statement: Statement[] }).Statement]),
      ];
      let checked = 0;
      for (const [id, statements] of policies) {
        for (const s of statements.filter((x) => x.Effect === 'Allow' && JSON.stringify(x.Principal).includes('"Service"'))) {
          const c = JSON.stringify(s.Condition ?? {});
          expect({ id, sid: s.Sid, scoped: /aws:SourceArn|aws:SourceAccount/.test(c) }).toEqual({ id, sid: s.Sid, scoped: true });
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(5); // 3 rules on the DLQ, CloudWatch on the topic and its key
      for (const [, p] of ofType('AWS::Lambda::Permission')) {
        if (String(p.Properties?.Principal).endsWith('.amazonaws.com')) expect(p.Properties?.SourceArn).toBeDefined();
      }
    });

    it('with an existing topic changes nothing of it and says what to add for the alarms', () => {
      const stack = new Stack(offlineApp(), 'S');
      new ArtifactGuard(stack, 'Guard', { alertTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:alerts') });
      const t = Template.fromStack(stack);
      // The only topic policy is the alert events topic's own (TLS only): none names the existing topic.
      for (const policy of Object.values(t.findResources('AWS::SNS::TopicPolicy'))) expect(JSON.stringify(policy)).not.toContain('111111111111:alerts');
      expect(Object.keys(t.findResources('AWS::SNS::TopicPolicy'))).toEqual([expect.stringMatching(/AlertEventsTopic/)]);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:alerts'] });
      Annotations.fromStack(stack).hasWarning('/S/Guard', Match.stringLikeRegexp(`cloudwatch.amazonaws.com sns:Publish.*aws:SourceArn.*${ArtifactGuardWarning.alertTopicKey}`));
    });
  });

  it('outputs the state machine ARN that artifact-guard redrive takes', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.stringLikeRegexp('Workflow') } });
  });

  it('retains the trigger dead-letter queue with the stack (undelivered pushes are work still to do)', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(1);
    expect(queues[0]?.[1]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
