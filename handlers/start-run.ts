// Starting a workflow's run under its deterministic name makes every start idempotent: Step
// Functions refuses a second execution of the same name (ExecutionAlreadyExists), and for a
// standard workflow returns the running one when name and input match. Both mean "the run for
// this date exists", which is exactly what a duplicate event or a retried schedule wants.
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionName } from './run-date.ts';

export interface RunRequest {
  stateMachineArn: string;
  workflow: string;
  /** "2019-03-12" or "2019-03-12T05". */
  date: string;
  params?: Record<string, unknown>;
}

export interface RunStart {
  executionName: string;
  executionArn: string;
  /** false: a run of that name already existed (this start was a duplicate). */
  started: boolean;
}

export async function startRun(sfn: SFNClient, request: RunRequest): Promise<RunStart> {
  const name = executionName(request.workflow, request.date);
  const input = JSON.stringify({ date: request.date, ...(request.params && { params: request.params }) });
  try {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name, input }));
    return { executionName: name, executionArn: out.executionArn ?? executionArnOf(request.stateMachineArn, name), started: true };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      return { executionName: name, executionArn: executionArnOf(request.stateMachineArn, name), started: false };
    }
    throw error;
  }
}

/** arn:aws:states:r:a:stateMachine:m + name -> arn:aws:states:r:a:execution:m:name */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
