import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RETRYABLE_ERRORS, TaskState } from '../lambdas/workflow/step-registry';

export interface WorkflowFunctions {
  readonly resolve: lambda.IFunction;
  readonly sbom: lambda.IFunction;
  readonly scan: lambda.IFunction;
  readonly sign: lambda.IFunction;
  readonly record: lambda.IFunction;
  readonly notify: lambda.IFunction;
}

/**
 * The workflow, in JSONPath (the local runner cannot interpret JSONata). Each task receives the
 * whole state and adds its result under its own key; every task retries transient errors and
 * routes any failure to NotifyFailure, which alerts and ends the execution as failed.
 */
export function buildWorkflowDefinition(scope: Construct, fns: WorkflowFunctions): sfn.IChainable {
  const task = (name: string, fn: lambda.IFunction, resultPath: string) =>
    new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      resultPath,
      retryOnServiceExceptions: true,
    }).addRetry({ errors: RETRYABLE_ERRORS, interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });

  const notifyFailure = task(TaskState.notifyFailure, fns.notify, sfn.JsonPath.DISCARD).next(
    new sfn.Fail(scope, 'Failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' }),
  );
  const withCatch = (t: sfn.TaskStateBase) => t.addCatch(notifyFailure, { errors: ['States.ALL'], resultPath: '$.error' });

  const resolve = withCatch(task(TaskState.resolve, fns.resolve, '$.artifact'));
  const sbom = withCatch(task(TaskState.sbom, fns.sbom, '$.sbom'));
  const scan = withCatch(task(TaskState.scan, fns.scan, '$.scan'));
  const sign = withCatch(task(TaskState.sign, fns.sign, '$.signing'));
  const record = withCatch(task(TaskState.record, fns.record, '$.record'));
  const notify = withCatch(task(TaskState.notify, fns.notify, '$.alerts'));

  record.next(notify).next(new sfn.Succeed(scope, 'Done'));
  sbom.next(scan).next(sign).next(record);
  const route = new sfn.Choice(scope, 'Route')
    // Signatures, attestations and referrers are checked by Resolve and only recorded.
    .when(sfn.Condition.isPresent('$.artifact.evidence'), record)
    .when(sfn.Condition.booleanEquals('$.artifact.duplicate', true), record)
    .otherwise(sbom);
  return resolve.next(route);
}
