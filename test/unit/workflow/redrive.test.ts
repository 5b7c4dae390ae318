import type { StepFunctionsApi } from '../../../lambdas/adapters/aws/step-functions-executions';
import { StepFunctionsExecutions } from '../../../lambdas/adapters/aws/step-functions-executions';
import { parseSince, redriveCommand } from '../../../lambdas/cli/redrive-command';
import { commandHelp, COMMANDS } from '../../../lambdas/cli/command-specs';
import { BadInputError } from '../../../lambdas/core/errors';
import { rerunName } from '../../../lambdas/workflow/redrive';

const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ArtifactGuardWorkflow1A2B3C4D';
const exec = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:ArtifactGuardWorkflow1A2B3C4D:${name}`;
const NOW = new Date('2026-12-02T12:00:00Z');
const EVENT = JSON.stringify({ 'detail-type': 'ECR Image Action', source: 'aws.ecr', detail: { 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': 'app', 'image-digest': `sha256:${'a'.repeat(64)}`, 'image-tag': '1.4' } });

/** An SDK-shaped service error (what the SDK's deserializer throws for a JSON error body). */
const serviceError = (name: string, status: number, message: string) => Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, requestId: 'r-1' } });

/**
 * A Step Functions double answering with the shapes of the API reference: ListExecutions (newest
 * first, paged by nextToken), DescribeExecution, GetExecutionHistory (reverseOrder), RedriveExecution,
 * StartExecution (ExecutionAlreadyExists for a name taken). It records every call.
 */
function stepFunctions() {
  const calls: [string, unknown][] = [];
  const started = new Set<string>(['caught-old.rerun1']);
  const executions = {
    FAILED: [
      { executionArn: exec('caught-new'), stateMachineArn: SM, name: 'caught-new', status: 'FAILED', startDate: new Date('2026-12-02T10:00:00Z'), stopDate: new Date('2026-12-02T10:03:00Z'), redriveCount: 0 },
      { executionArn: exec('uncaught'), stateMachineArn: SM, name: 'uncaught', status: 'FAILED', startDate: new Date('2026-12-01T09:00:00Z'), stopDate: new Date('2026-12-01T09:01:00Z'), redriveCount: 1, redriveDate: new Date('2026-12-01T10:00:00Z') },
      // second page
      { executionArn: exec('caught-old'), stateMachineArn: SM, name: 'caught-old', status: 'FAILED', startDate: new Date('2026-11-30T08:00:00Z'), stopDate: new Date('2026-11-30T08:02:00Z'), redriveCount: 0 },
      { executionArn: exec('too-old'), stateMachineArn: SM, name: 'too-old', status: 'FAILED', startDate: new Date('2026-11-01T08:00:00Z'), stopDate: new Date('2026-11-01T08:02:00Z'), redriveCount: 0 },
    ],
    TIMED_OUT: [{ executionArn: exec('timed-out'), stateMachineArn: SM, name: 'timed-out', status: 'TIMED_OUT', startDate: new Date('2026-12-02T06:00:00Z'), stopDate: new Date('2026-12-02T07:00:00Z'), redriveCount: 0 }],
    ABORTED: [],
  };
  const histories: Record<string, { type: string; stateEnteredEventDetails?: { name: string }; executionFailedEventDetails?: { error: string; cause: string } }[]> = {
    'caught-new': [
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'RefusedError', cause: '{"errorType":"RefusedError","errorMessage":"DynamoDB Put failed: AccessDeniedException: not authorized (not retried: fix the permission or configuration)"}' } },
      { type: 'FailStateEntered', stateEnteredEventDetails: { name: 'Failed' } },
      { type: 'TaskStateExited' },
    ],
    'caught-old': [{ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'UnavailableError', cause: 'registry down' } }, { type: 'FailStateEntered', stateEnteredEventDetails: { name: 'FailedUnnotified' } }],
    uncaught: [{ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Runtime', cause: 'An error occurred while executing the state' } }, { type: 'TaskFailed' }, { type: 'TaskScheduled' }],
    'timed-out': [{ type: 'ExecutionTimedOut' }, { type: 'TaskScheduled' }, { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'GenerateSbom' } }],
  };
  let redriveFails = false;
  const api: StepFunctionsApi = {
    listExecutions: async (input) => {
      calls.push(['ListExecutions', input]);
      const all = executions[input.statusFilter];
      const from = input.nextToken ? Number(input.nextToken) : 0;
      const page = all.slice(from, from + 2);
      return { executions: page, ...(from + 2 < all.length ? { nextToken: String(from + 2) } : {}) };
    },
    describeExecution: async (input) => {
      calls.push(['DescribeExecution', input]);
      const name = input.executionArn.split(':').pop() ?? '';
      const failed = histories[name]?.[0]?.executionFailedEventDetails;
      return { executionArn: input.executionArn, status: 'FAILED', input: EVENT, ...(failed ? { error: failed.error, cause: failed.cause } : {}) };
    },
    getExecutionHistory: async (input) => {
      calls.push(['GetExecutionHistory', input]);
      return { events: histories[input.executionArn.split(':').pop() ?? ''] ?? [] };
    },
    redriveExecution: async (input) => {
      calls.push(['RedriveExecution', input]);
      if (redriveFails) throw serviceError('ThrottlingException', 400, 'Rate exceeded');
      return { redriveDate: NOW };
    },
    startExecution: async (input) => {
      calls.push(['StartExecution', input]);
      if (started.has(input.name)) throw serviceError('ExecutionAlreadyExists', 400, `Execution Already Exists: '${exec(input.name)}'`);
      started.add(input.name);
      return { executionArn: exec(input.name), startDate: NOW };
    },
  };
  return { api, calls, failRedrives: () => (redriveFails = true) };
}

const run = (sf: ReturnType<typeof stepFunctions>, args: string[]) => redriveCommand(['--state-machine', SM, ...args], { executions: new StepFunctionsExecutions(sf.api), now: NOW });

describe('artifact-guard redrive', () => {
  it('redrives executions stopped in a task and restarts, with the same input, those that failed through the failure path', async () => {
    const sf = stepFunctions();
    const result = await run(sf, ['--since', '7d']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout?.trim().split('\n')).toEqual([
      `restarted failed 2026-12-02T10:00:00.000Z ${exec('caught-new')} as ${exec('caught-new.rerun1')}`,
      `redriven timed_out 2026-12-02T06:00:00.000Z ${exec('timed-out')}`,
      `redriven failed 2026-12-01T09:00:00.000Z ${exec('uncaught')}`,
      `already restarted failed 2026-11-30T08:00:00.000Z ${exec('caught-old')} (caught-old.rerun1 exists)`,
    ]);
    const byOp = (op: string) => sf.calls.filter(([o]) => o === op).map(([, i]) => i);
    expect(byOp('StartExecution')).toEqual([
      { stateMachineArn: SM, name: 'caught-new.rerun1', input: EVENT },
      { stateMachineArn: SM, name: 'caught-old.rerun1', input: EVENT },
    ]);
    expect(byOp('RedriveExecution')).toEqual([
      { executionArn: exec('timed-out'), clientToken: 'ag-0-timed-out' },
      { executionArn: exec('uncaught'), clientToken: 'ag-1-uncaught' },
    ]);
    // Paged, and no page read past the first execution older than --since.
    expect(byOp('ListExecutions')).toEqual([
      { stateMachineArn: SM, statusFilter: 'FAILED', maxResults: 100 },
      { stateMachineArn: SM, statusFilter: 'FAILED', maxResults: 100, nextToken: '2' },
      { stateMachineArn: SM, statusFilter: 'TIMED_OUT', maxResults: 100 },
      { stateMachineArn: SM, statusFilter: 'ABORTED', maxResults: 100 },
    ]);
    expect(byOp('GetExecutionHistory')[0]).toEqual({ executionArn: exec('caught-new'), reverseOrder: true, maxResults: 5, includeExecutionData: false });
  });

  it('--dry-run says what it would do and changes nothing', async () => {
    const sf = stepFunctions();
    const result = await run(sf, ['--dry-run', '-o', 'json']);
    const plan = JSON.parse(result.stdout ?? '[]') as { executionArn: string; action: string; result: string; why: string; newName?: string }[];
    expect(plan.map((p) => [p.executionArn.split(':').pop(), p.action, p.result])).toEqual([
      ['caught-new', 'restart', 'planned'],
      ['timed-out', 'redrive', 'planned'],
      ['uncaught', 'redrive', 'planned'],
      ['caught-old', 'restart', 'planned'],
    ]); // too-old started before the 14-day redrive window
    expect(plan[0]?.why).toBe('RefusedError: DynamoDB Put failed: AccessDeniedException: not authorized (not retried: fix the permission or configuration)');
    expect(sf.calls.filter(([op]) => op === 'RedriveExecution' || op === 'StartExecution')).toEqual([]);
  });

  it('reports an execution it could not recover, carries on with the others, and exits 2', async () => {
    const sf = stepFunctions();
    sf.failRedrives();
    const result = await run(sf, ['--since', '7d']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(`FAILED to redrive timed_out 2026-12-02T06:00:00.000Z ${exec('timed-out')}: Step Functions RedriveExecution failed: ThrottlingException: Rate exceeded`);
    expect(result.stdout).toContain(`restarted failed 2026-12-02T10:00:00.000Z ${exec('caught-new')}`);
    expect(result.error).toBe('redrive: 2 of 4 execution(s) could not be recovered (see above)');
  });

  it('says that it needs the deployed stack when no state machine is named', async () => {
    delete process.env.ARTIFACT_GUARD_STATE_MACHINE_ARN;
    const err = await redriveCommand([], { executions: new StepFunctionsExecutions(stepFunctions().api) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toMatch(/^redrive: no state machine: give --state-machine ARN .* local runs keep no executions/);
    await expect(redriveCommand(['--state-machine', 'not-an-arn'])).rejects.toThrow('is not a state machine ARN');
    await expect(redriveCommand(['--state-machine', SM, '--since', 'yesterday'])).rejects.toThrow('--since must be an ISO 8601 time or an age');
  });

  it('reads --since as an age or a time, 14 days by default', () => {
    expect(parseSince('6h', NOW).toISOString()).toBe('2026-12-02T06:00:00.000Z');
    expect(parseSince('2026-11-30T00:00:00Z', NOW).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(parseSince(undefined, NOW).toISOString()).toBe('2026-11-18T12:00:00.000Z');
  });

  it('names restarts so that a second run does not restart the same execution again', () => {
    expect(rerunName('a1b2')).toBe('a1b2.rerun1');
    expect(rerunName('a1b2.rerun1')).toBe('a1b2.rerun2');
    expect(rerunName('x'.repeat(80))).toHaveLength(80);
  });

  it('has help with every flag, the local limitation and an example', () => {
    const help = commandHelp('redrive');
    for (const flag of Object.keys(COMMANDS.redrive.options)) expect(help).toContain(`--${flag}`);
    expect(help).toContain('Local `process` runs keep no executions');
    expect(help).toMatch(/examples:\n {2}artifact-guard redrive --state-machine arn:aws:states:/);
  });
});
