import { BadInputError } from '../../core/errors';
import type { ExecutionEnd, UnsuccessfulExecution, UnsuccessfulStatus, WorkflowExecutions } from '../../ports/workflow-executions';
import { awsError } from './aws-errors';

/**
 * The Step Functions operations the redrive needs, with the request and response shapes of the
 * Step Functions API reference (as the AWS SDK v3 client takes and returns them: timestamps as
 * Dates). `sdkStepFunctionsApi` implements it with @aws-sdk/client-sfn.
 */
export interface StepFunctionsApi {
  listExecutions(input: { stateMachineArn: string; statusFilter: UnsuccessfulStatus; maxResults?: number; nextToken?: string }): Promise<{
    executions?: { executionArn?: string; name?: string; status?: string; startDate?: Date; stopDate?: Date; redriveCount?: number }[];
    nextToken?: string;
  }>;
  describeExecution(input: { executionArn: string }): Promise<{ input?: string; error?: string; cause?: string; status?: string }>;
  getExecutionHistory(input: { executionArn: string; reverseOrder: boolean; maxResults: number; includeExecutionData: boolean }): Promise<{
    events?: { type?: string; stateEnteredEventDetails?: { name?: string }; executionFailedEventDetails?: { error?: string; cause?: string } }[];
  }>;
  redriveExecution(input: { executionArn: string; clientToken: string }): Promise<{ redriveDate?: Date }>;
  startExecution(input: { stateMachineArn: string; name: string; input: string }): Promise<{ executionArn?: string }>;
}

const STATUSES: readonly UnsuccessfulStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** WorkflowExecutions on Step Functions; every error classified (aws-errors.ts). */
export class StepFunctionsExecutions implements WorkflowExecutions {
  constructor(private readonly api: StepFunctionsApi) {}

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw awsError(err, `Step Functions ${operation}`);
    }
  }

  async listUnsuccessful(stateMachineArn: string, since: Date): Promise<UnsuccessfulExecution[]> {
    const found: UnsuccessfulExecution[] = [];
    for (const statusFilter of STATUSES) {
      let nextToken: string | undefined;
      // Newest first (the API's order): stop at the first one started before `since`.
      pages: do {
        const page = await this.call('ListExecutions', () => this.api.listExecutions({ stateMachineArn, statusFilter, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
        for (const e of page.executions ?? []) {
          if (!e.executionArn || !e.name || !e.startDate) continue;
          if (e.startDate < since) break pages;
          found.push({ executionArn: e.executionArn, name: e.name, status: statusFilter, startDate: e.startDate, ...(e.stopDate ? { stopDate: e.stopDate } : {}), redriveCount: e.redriveCount ?? 0 });
        }
        nextToken = page.nextToken;
      } while (nextToken);
    }
    return found.sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  async describeEnd(executionArn: string): Promise<ExecutionEnd> {
    const described = await this.call('DescribeExecution', () => this.api.describeExecution({ executionArn }));
    // The last few events say where it ended: ExecutionFailed right after FailStateEntered, or after a task's failure.
    const history = await this.call('GetExecutionHistory', () => this.api.getExecutionHistory({ executionArn, reverseOrder: true, maxResults: 5, includeExecutionData: false }));
    const events = history.events ?? [];
    const last = events.findIndex((e) => e.type === 'ExecutionFailed');
    const before = last >= 0 ? events[last + 1] : undefined;
    const failState = before?.type === 'FailStateEntered' ? before.stateEnteredEventDetails?.name : undefined;
    const failed = last >= 0 ? events[last]?.executionFailedEventDetails : undefined;
    const error = described.error ?? failed?.error;
    const cause = described.cause ?? failed?.cause;
    return { input: described.input ?? '{}', ...(failState ? { failState } : {}), ...(error ? { error } : {}), ...(cause ? { cause } : {}) };
  }

  async redrive(executionArn: string, clientToken: string): Promise<{ redriveDate: Date }> {
    const res = await this.call('RedriveExecution', () => this.api.redriveExecution({ executionArn, clientToken }));
    return { redriveDate: res.redriveDate ?? new Date() };
  }

  async start(stateMachineArn: string, name: string, input: string): Promise<{ executionArn: string } | 'exists'> {
    try {
      const res = await this.api.startExecution({ stateMachineArn, name, input });
      return { executionArn: res.executionArn ?? `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}` };
    } catch (err) {
      if ((err as { name?: unknown }).name === 'ExecutionAlreadyExists') return 'exists';
      throw awsError(err, 'Step Functions StartExecution');
    }
  }
}

/** The parts of @aws-sdk/client-sfn used here. */
interface SfnModule {
  SFNClient: new (config: { region?: string }) => { send(command: unknown): Promise<unknown> };
  ListExecutionsCommand: new (input: unknown) => unknown;
  DescribeExecutionCommand: new (input: unknown) => unknown;
  GetExecutionHistoryCommand: new (input: unknown) => unknown;
  RedriveExecutionCommand: new (input: unknown) => unknown;
  StartExecutionCommand: new (input: unknown) => unknown;
}

/**
 * StepFunctionsApi over @aws-sdk/client-sfn with the SDK's default credentials and region (the
 * region of the state machine ARN when none is configured). The client is loaded only here, when
 * the command runs against a deployed stack.
 */
export async function sdkStepFunctionsApi(stateMachineArn: string, env: NodeJS.ProcessEnv = process.env): Promise<StepFunctionsApi> {
  const moduleName = '@aws-sdk/client-sfn';
  let sdk: SfnModule;
  try {
    sdk = (await import(moduleName)) as SfnModule;
  } catch {
    throw new BadInputError(`redrive needs the AWS SDK's Step Functions client: npm install ${moduleName} (or use the AWS CLI steps in README, "Operations")`);
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? stateMachineArn.split(':')[3];
  const client = new sdk.SFNClient(region ? { region } : {});
  const send = <T>(Command: new (input: unknown) => unknown, input: unknown) => client.send(new Command(input)) as Promise<T>;
  return {
    listExecutions: (input) => send(sdk.ListExecutionsCommand, input),
    describeExecution: (input) => send(sdk.DescribeExecutionCommand, input),
    getExecutionHistory: (input) => send(sdk.GetExecutionHistoryCommand, input),
    redriveExecution: (input) => send(sdk.RedriveExecutionCommand, input),
    startExecution: (input) => send(sdk.StartExecutionCommand, input),
  };
}
