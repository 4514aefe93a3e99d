// Executions of a workflow's state machine: listing (every page), describing, starting with a
// deterministic name, and finding the runs of one date.
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import { UserError } from '../errors.ts';
import { didYouMean } from '../contract/suggest.ts';
import { isAwsError, type Aws } from './aws.ts';
import { executionArn } from './names.ts';
import { isRunOfDate } from '../contract/run-names.ts';

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export const CLOSED_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export function parseStatusFilter(text: string): ExecutionStatus {
  const upper = text.toUpperCase().replace(/-/g, '_');
  const found = EXECUTION_STATUSES.find((s) => s === upper);
  if (found) return found;
  const hint = didYouMean(upper, EXECUTION_STATUSES);
  throw new UserError(`--status '${text}' is not an execution status; ${hint ?? `use one of ${EXECUTION_STATUSES.join(', ')}`}`);
}

export interface ListOptions {
  status?: ExecutionStatus;
  /** Only executions started at or after this instant (ms since the epoch). */
  startedAfter?: number;
  /** Stop after this many (newest first). */
  limit?: number;
}

/** Executions newest first, every page (Step Functions lists by start time, newest first). */
export async function listExecutions(aws: Aws, stateMachineArn: string, options: ListOptions = {}): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.call('ListExecutions', () =>
      aws.sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: options.status, maxResults: 1000, nextToken })),
    );
    for (const item of page.executions ?? []) {
      // Pages come newest first: the first one too old ends the listing.
      if (options.startedAfter !== undefined && (item.startDate?.getTime() ?? 0) < options.startedAfter) return out;
      out.push(item);
      if (options.limit !== undefined && out.length >= options.limit) return out;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** The first run and every replay of `date`, newest first. */
export async function runsOfDate(aws: Aws, stateMachineArn: string, workflow: string, date: string): Promise<ExecutionListItem[]> {
  const all = await listExecutions(aws, stateMachineArn);
  return all.filter((e) => e.name !== undefined && isRunOfDate(e.name, workflow, date)).sort(newestFirst);
}

export const newestFirst = (a: ExecutionListItem, b: ExecutionListItem): number =>
  (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0) || ((a.name ?? '') < (b.name ?? '') ? 1 : -1);

/** undefined when there is no such execution. */
export async function describeExecution(aws: Aws, arn: string): Promise<DescribeExecutionOutput | undefined> {
  try {
    return await aws.call('DescribeExecution', () => aws.sfn.send(new DescribeExecutionCommand({ executionArn: arn })));
  } catch (error) {
    if (isAwsError(error, 'ExecutionDoesNotExist')) return undefined;
    throw error;
  }
}

export type StartResult = { started: true; executionArn: string; startDate?: Date } | { started: false; executionArn: string };

/**
 * Starts an execution named `name`. A name already taken is not an error here: Step Functions
 * refuses it (ExecutionAlreadyExists) and the caller decides what that means.
 */
export async function startExecution(aws: Aws, stateMachineArn: string, name: string, input: unknown): Promise<StartResult> {
  try {
    const out = await aws.call('StartExecution', () =>
      aws.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
    );
    return { started: true, executionArn: out.executionArn ?? executionArn(stateMachineArn, name), startDate: out.startDate };
  } catch (error) {
    if (isAwsError(error, 'ExecutionAlreadyExists')) return { started: false, executionArn: executionArn(stateMachineArn, name) };
    if (isAwsError(error, 'StateMachineDoesNotExist', 'StateMachineDeleting')) {
      throw new UserError(`the state machine ${stateMachineArn} does not exist (any more); deploy the workflow's stack first`);
    }
    throw error;
  }
}
