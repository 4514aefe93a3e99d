// Starting a workflow's run under its deterministic name makes every start idempotent: Step
// Functions refuses a second execution of the same name (ExecutionAlreadyExists), and for a
// standard workflow whose run of that name is still running with the same input, answers the
// original start again. Both mean "the run for this date exists", which is exactly what a
// duplicate event or a retried schedule wants.
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { log } from './log.ts';
import { runName } from '../generator/contract/run-names.ts';

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
  /** Why a duplicate was one: the run is still running, or it exists (finished, or other input). */
  already?: 'running' | 'exists';
}

/**
 * A start answered with a startDate this much before the request is the original start of a
 * run still running (Step Functions' idempotent answer), not a new one. Generous against clock
 * skew; a duplicate arriving within it is merely logged as a start.
 */
const ORIGINAL_START_MS = 1000;

export async function startRun(sfn: SFNClient, request: RunRequest, now: () => number = Date.now): Promise<RunStart> {
  const name = runName(request.workflow, request.date);
  const input = JSON.stringify({ date: request.date, ...(request.params && { params: request.params }) });
  const sent = now();
  try {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name, input }));
    const executionArn = out.executionArn ?? executionArnOf(request.stateMachineArn, name);
    if (out.startDate && out.startDate.getTime() < sent - ORIGINAL_START_MS) return { executionName: name, executionArn, started: false, already: 'running' };
    return { executionName: name, executionArn, started: true };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      return { executionName: name, executionArn: executionArnOf(request.stateMachineArn, name), started: false, already: 'exists' };
    }
    throw error;
  }
}

/** One log line per start, saying whether it started the run or found it. */
export function logStart(run: RunStart, fields: Record<string, unknown>): void {
  const message = run.started ? 'run started' : run.already === 'running' ? 'run already running' : 'run already exists';
  log.info(message, { ...fields, execution: run.executionArn });
}

/** arn:aws:states:r:a:stateMachine:m + name -> arn:aws:states:r:a:execution:m:name */
const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
