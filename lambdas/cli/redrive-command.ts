import { sdkStepFunctionsApi, StepFunctionsExecutions } from '../adapters/aws/step-functions-executions';
import { BadInputError } from '../core/errors';
import type { WorkflowExecutions } from '../ports/workflow-executions';
import type { RedriveOutcome } from '../workflow/redrive';
import { applyRedrive, planRedrive, REDRIVE_WINDOW_DAYS } from '../workflow/redrive';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { usageLine } from './command-specs';

const DAY = 86_400_000;
const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY };

/** `--since`: an ISO 8601 time, or an age (`30m`, `6h`, `2d`, `1w`) before `now`. */
export function parseSince(value: string | undefined, now: Date): Date {
  if (value === undefined) return new Date(now.getTime() - REDRIVE_WINDOW_DAYS * DAY);
  const age = /^(\d+)([mhdw])$/.exec(value);
  if (age) return new Date(now.getTime() - Number(age[1]) * (UNITS[age[2] ?? 'd'] ?? DAY));
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw new BadInputError(`redrive: --since must be an ISO 8601 time or an age such as 6h or 2d (got "${value}")`);
  return time;
}

function line(o: RedriveOutcome): string {
  const what = `${o.execution.status.toLowerCase()} ${o.execution.startDate.toISOString()} ${o.execution.executionArn}`;
  switch (o.result) {
    case 'planned':
      return `would ${o.action} ${what}${o.newName ? ` as ${o.newName}` : ''} (${o.why})`;
    case 'redriven':
      return `redriven ${what}`;
    case 'restarted':
      return `restarted ${what} as ${o.detail ?? o.newName ?? ''}`;
    case 'already-restarted':
      return `already restarted ${what} (${o.newName ?? ''} exists)`;
    case 'error':
      return `FAILED to ${o.action} ${what}: ${o.detail ?? ''}`;
  }
}

/**
 * `redrive [--since T] [--state-machine ARN] [--dry-run]`: every unsuccessful execution of the
 * deployed workflow since T, redriven or restarted (lambdas/workflow/redrive.ts says which).
 */
export async function redriveCommand(argv: string[], deps: { executions?: WorkflowExecutions; now?: Date } = {}): Promise<CommandResult> {
  const { values } = parseCommand('redrive', argv);
  const format = oneOf('redrive', '-o', values.output, ['text', 'json'] as const, 'text');
  const since = parseSince(values.since, deps.now ?? new Date());
  const arn = values['state-machine'] ?? process.env.ARTIFACT_GUARD_STATE_MACHINE_ARN;
  if (!arn) {
    throw new BadInputError(
      `redrive: no state machine: give --state-machine ARN (the stack output StateMachineArn) or set ARTIFACT_GUARD_STATE_MACHINE_ARN. It works on the deployed stack; local runs keep no executions (run 'artifact-guard process SOURCE' again). Usage: ${usageLine('redrive')}`,
    );
  }
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(arn)) throw new BadInputError(`redrive: "${arn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`);
  const executions = deps.executions ?? new StepFunctionsExecutions(await sdkStepFunctionsApi(arn));
  const steps = await planRedrive(executions, arn, since);
  const outcomes: RedriveOutcome[] = values['dry-run'] ? steps.map((s) => ({ ...s, result: 'planned' })) : await applyRedrive(executions, arn, steps);
  const failed = outcomes.filter((o) => o.result === 'error');
  const stdout =
    format === 'json'
      ? `${JSON.stringify(
          outcomes.map((o) => ({ executionArn: o.execution.executionArn, status: o.execution.status, startDate: o.execution.startDate.toISOString(), action: o.action, result: o.result, why: o.why, ...(o.newName ? { newName: o.newName } : {}), ...(o.detail ? { detail: o.detail } : {}) })),
          null,
          2,
        )}\n`
      : outcomes.length
        ? `${outcomes.map(line).join('\n')}\n`
        : `nothing to redrive: no failed, timed-out or aborted execution since ${since.toISOString()}\n`;
  if (failed.length) return { exitCode: 2, stdout, error: `redrive: ${failed.length} of ${outcomes.length} execution(s) could not be recovered (see above)` };
  return { exitCode: 0, stdout };
}
