import type { UnsuccessfulExecution, WorkflowExecutions } from '../ports/workflow-executions';
import { FAILED_STATE, FAILED_UNNOTIFIED_STATE } from './step-registry';

/** Step Functions redrives executions up to 14 days after they started. */
export const REDRIVE_WINDOW_DAYS = 14;

/**
 * What to do with one unsuccessful execution:
 * - `redrive` (RedriveExecution): it stopped in a task (timed out, aborted, or failed without
 *   being caught): the execution continues from that task, with the results of the steps before;
 * - `restart` (StartExecution, same input, name `<name>.rerun<N>`): it failed through the workflow's
 *   failure path (a step's error caught, alerted, then a Fail state). A redrive would only enter
 *   that Fail state again, so the work is started over; the steps are idempotent (a processed
 *   digest is not processed twice, evidence is written once).
 */
export interface RedriveStep {
  readonly execution: UnsuccessfulExecution;
  readonly action: 'redrive' | 'restart';
  /** Why it failed, in a line (Step Functions' error and cause). */
  readonly why: string;
  /** For `restart`: the new execution's name. */
  readonly newName?: string;
  readonly input?: string;
}

export interface RedriveOutcome extends RedriveStep {
  readonly result: 'redriven' | 'restarted' | 'already-restarted' | 'planned' | 'error';
  readonly detail?: string;
}

const FAIL_STATES: ReadonlySet<string> = new Set([FAILED_STATE, FAILED_UNNOTIFIED_STATE]);
/** Execution names: at most 80 characters. */
const MAX_NAME = 80;

/** `abc` → `abc.rerun1`; `abc.rerun1` → `abc.rerun2` (a restart that failed again). */
export function rerunName(name: string): string {
  const m = /^(.*)\.rerun(\d+)$/.exec(name);
  const base = m ? (m[1] as string) : name;
  const n = m ? Number(m[2]) + 1 : 1;
  const suffix = `.rerun${n}`;
  return `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

function why(error: string | undefined, cause: string | undefined): string {
  let message = cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return [error, message.split('\n')[0]].filter((s) => s).join(': ').slice(0, 300) || 'no error recorded';
}

/** The steps for every unsuccessful execution started at or after `since` (newest first). */
export async function planRedrive(executions: WorkflowExecutions, stateMachineArn: string, since: Date): Promise<RedriveStep[]> {
  const steps: RedriveStep[] = [];
  for (const execution of await executions.listUnsuccessful(stateMachineArn, since)) {
    const end = await executions.describeEnd(execution.executionArn);
    const reason = why(end.error, end.cause);
    if (execution.status === 'FAILED' && end.failState !== undefined && FAIL_STATES.has(end.failState)) {
      steps.push({ execution, action: 'restart', why: reason, newName: rerunName(execution.name), input: end.input });
    } else {
      steps.push({ execution, action: 'redrive', why: reason });
    }
  }
  return steps;
}

/** Carries the steps out, one by one; a failure of one is reported and the others still run. */
export async function applyRedrive(executions: WorkflowExecutions, stateMachineArn: string, steps: readonly RedriveStep[]): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  for (const step of steps) {
    try {
      if (step.action === 'redrive') {
        // The client token makes a repeated command (a retry after a timeout) redrive once.
        const { redriveDate } = await executions.redrive(step.execution.executionArn, `ag-${step.execution.redriveCount}-${step.execution.name}`.slice(0, 64));
        outcomes.push({ ...step, result: 'redriven', detail: redriveDate.toISOString() });
      } else {
        const started = await executions.start(stateMachineArn, step.newName ?? rerunName(step.execution.name), step.input ?? '{}');
        outcomes.push(started === 'exists' ? { ...step, result: 'already-restarted' } : { ...step, result: 'restarted', detail: started.executionArn });
      }
    } catch (err) {
      outcomes.push({ ...step, result: 'error', detail: (err as Error).message.split('\n')[0] ?? String(err) });
    }
  }
  return outcomes;
}
