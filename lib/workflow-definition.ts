import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { StepName } from '../lambdas/workflow/step-registry';
import { NOTIFY_FAILURE_STATE, RETRYABLE_ERRORS, STEPS } from '../lambdas/workflow/step-registry';

/** One Lambda per registered step (lambdas/workflow/step-registry.ts). */
export type WorkflowFunctions = { readonly [N in StepName]: lambda.IFunction };

/**
 * The workflow, in JSONPath (the local runner cannot interpret JSONata). Each task receives the
 * whole state and adds its result under its own key; every task retries transient errors and
 * routes any failure to NotifyFailure, which alerts and ends the execution as failed.
 */
export function buildWorkflowDefinition(scope: Construct, fns: WorkflowFunctions): sfn.IChainable {
  const invoke = (name: string, fn: lambda.IFunction, resultPath: string) =>
    new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      resultPath,
      retryOnServiceExceptions: true,
    }).addRetry({ errors: RETRYABLE_ERRORS, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
  const task = (step: StepName) => withCatch(invoke(STEPS[step].state, fns[step], STEPS[step].resultPath));

  const notifyFailure = invoke(NOTIFY_FAILURE_STATE, fns.notify, sfn.JsonPath.DISCARD).next(
    new sfn.Fail(scope, 'Failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' }),
  );
  const withCatch = (t: sfn.TaskStateBase) => t.addCatch(notifyFailure, { errors: ['States.ALL'], resultPath: '$.error' });

  const resolve = task('resolve');
  const sbom = task('sbom');
  const scan = task('scan');
  const sign = task('sign');
  const record = task('record');
  const notify = task('notify');

  record.next(notify).next(new sfn.Succeed(scope, 'Done'));
  sbom.next(scan).next(sign).next(record);
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
