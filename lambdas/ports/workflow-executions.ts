/** How an execution of the workflow ended, when it did not succeed. */
export type UnsuccessfulStatus = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface UnsuccessfulExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly status: UnsuccessfulStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** How many times it was redriven already. */
  readonly redriveCount: number;
}

export interface ExecutionEnd {
  /** The execution's input, as it was started (JSON text). */
  readonly input: string;
  /** The Fail state it ended in, when it ended in one (not in a task). */
  readonly failState?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** The workflow's execution history, as Step Functions keeps it (the deployed stack only). */
export interface WorkflowExecutions {
  /** Executions that failed, timed out or were aborted, started at or after `since`, newest first. */
  listUnsuccessful(stateMachineArn: string, since: Date): Promise<UnsuccessfulExecution[]>;
  /** Its input and where it ended. */
  describeEnd(executionArn: string): Promise<ExecutionEnd>;
  /** RedriveExecution: continues from the state that did not succeed. */
  redrive(executionArn: string, clientToken: string): Promise<{ readonly redriveDate: Date }>;
  /** StartExecution: a new execution with this input; 'exists' when one of that name exists. */
  start(stateMachineArn: string, name: string, input: string): Promise<{ readonly executionArn: string } | 'exists'>;
}
