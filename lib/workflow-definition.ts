import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { StepName } from '../lambdas/workflow/step-registry';
import { FAILED_STATE, FAILED_UNNOTIFIED_STATE, NOTIFY_FAILURE_STATE, RETRYABLE_ERRORS, STEPS } from '../lambdas/workflow/step-registry';

/** One Lambda per registered step (lambdas/workflow/step-registry.ts). */
export type WorkflowFunctions = { readonly [N in StepName]: lambda.IFunction };

/**
 * Lambda's own transient errors as Step Functions names them (the CDK's service-exception list,
 * plus throttling: a burst of pushes can exceed the account's concurrency).
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * How every task retries. Exponential backoff with full jitter (a burst of pushes that hit the same
 * throttle must not retry in lockstep) and a ceiling on each wait; permanent errors (RefusedError,
 * BadInputError…) are not listed, so they fail at once.
 */
export const RETRY_POLICY = {
  /** Transient trouble a step reports (aws-errors.ts classifies AWS's): ~5 s, 10, 20, 40, 80 (each at most 2 min). */
  unavailable: { errors: RETRYABLE_ERRORS, interval: Duration.seconds(5), maxAttempts: 5, backoffRate: 2, maxDelay: Duration.minutes(2), jitterStrategy: sfn.JitterType.FULL },
  /** Lambda's service errors and throttling. */
  lambda: { errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, maxDelay: Duration.minutes(1), jitterStrategy: sfn.JitterType.FULL },
} as const satisfies Record<string, sfn.RetryProps>;

/**
 * The workflow, in JSONPath (the local runner cannot interpret JSONata). Each task receives the
 * whole state and adds its result under its own key; every task retries transient errors and
 * routes any failure to NotifyFailure, which alerts and ends the execution as failed. Should
 * NotifyFailure itself fail after its retries, the execution still ends as failed (FailedUnnotified,
 * with the original error): the executions-failed alarm reaches the alert topic without it.
 */
export function buildWorkflowDefinition(scope: Construct, fns: WorkflowFunctions): sfn.IChainable {
  const invoke = (name: string, fn: lambda.IFunction, resultPath: string) =>
    new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      resultPath,
      retryOnServiceExceptions: false,
    })
      .addRetry(RETRY_POLICY.lambda)
      .addRetry(RETRY_POLICY.unavailable);
  const task = (step: StepName) => withCatch(invoke(STEPS[step].state, fns[step], STEPS[step].resultPath));

  const failed = (id: string) => new sfn.Fail(scope, id, { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const notifyFailure = invoke(NOTIFY_FAILURE_STATE, fns.notify, sfn.JsonPath.DISCARD)
    .addCatch(failed(FAILED_UNNOTIFIED_STATE), { errors: ['States.ALL'], resultPath: '$.notifyError' })
    .next(failed(FAILED_STATE));
  const withCatch = (t: sfn.TaskStateBase) => t.addCatch(notifyFailure, { errors: ['States.ALL'], resultPath: '$.error' });

  const resolve = task('resolve');
  const sbom = task('sbom');
  const scan = task('scan');
  const sign = task('sign');
  const attach = task('attach');
  const record = task('record');
  const notify = task('notify');

  record.next(notify).next(new sfn.Succeed(scope, 'Done'));
  sbom.next(scan).next(sign).next(attach).next(record);
  const route = new sfn.Choice(scope, 'Route')
    // Signatures, attestations and referrers are checked by Resolve and only recorded.
    .when(sfn.Condition.isPresent('$.artifact.evidence'), record)
    // This very event is being processed by another execution (a redelivery): nothing to add.
    .when(
      sfn.Condition.and(sfn.Condition.isPresent('$.artifact.inProgress'), sfn.Condition.booleanEquals('$.artifact.inProgress.sameEvent', true)),
      new sfn.Succeed(scope, 'AlreadyInProgress', { comment: 'Another execution holds the processing lease for this event' }),
    )
    // Processed before, or being processed for another event (another tag): tag bookkeeping only.
    .when(sfn.Condition.booleanEquals('$.artifact.duplicate', true), record)
    .otherwise(sbom);
  // The execution's ARN travels in the state so that alerts can link to it.
  const start = new sfn.Pass(scope, 'Start', { parameters: { id: sfn.JsonPath.stringAt('$$.Execution.Id') }, resultPath: '$.execution' });
  return start.next(resolve).next(route);
}
