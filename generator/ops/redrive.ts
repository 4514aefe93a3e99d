// Redrive: continue a failed run in place (same execution, same definition, only the unfinished
// states rerun) when Step Functions allows it and when it is what the user wants; otherwise say
// why and give the replay command that does the same job with the current definition.
import {
  DescribeStateMachineForExecutionCommand,
  RedriveExecutionCommand,
  type DescribeExecutionOutput,
  type DescribeStateMachineOutput,
  type DescribeStateMachineForExecutionOutput,
} from '@aws-sdk/client-sfn';
import type { Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import type { JobStatus } from './history.ts';

export const REDRIVE_WINDOW_MS = 14 * 24 * 3_600_000;

const REDRIVABLE_STATUSES = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export interface RedriveFacts {
  execution: DescribeExecutionOutput;
  /** The state machine as deployed now. */
  current: Partial<Pick<DescribeStateMachineOutput, 'type' | 'revisionId' | 'definition'>>;
  /** The definition the execution ran with (DescribeStateMachineForExecution). */
  used: Partial<Pick<DescribeStateMachineForExecutionOutput, 'revisionId' | 'definition'>>;
  now: number;
}

export type Eligibility = { ok: true } | { ok: false; reasons: string[] };

/** Every reason a redrive is impossible or unwise; none means go. */
export function redriveEligibility(facts: RedriveFacts): Eligibility {
  const { execution, current, used, now } = facts;
  const reasons: string[] = [];
  if (current.type && current.type !== 'STANDARD') {
    reasons.push(`the state machine is ${current.type}; only STANDARD workflows can be redriven`);
  }
  const status = execution.status ?? 'UNKNOWN';
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    reasons.push(`the execution is ${status}; there is nothing to redrive yet (follow it with \`stepgraph status\`)`);
  } else if (status === 'SUCCEEDED') {
    reasons.push('the execution SUCCEEDED; to run jobs again, replay them');
  } else if (!REDRIVABLE_STATUSES.has(status)) {
    reasons.push(`the execution is ${status}`);
  }
  const closedAt = execution.stopDate;
  if (REDRIVABLE_STATUSES.has(status) && closedAt && now - closedAt.getTime() > REDRIVE_WINDOW_MS) {
    const days = Math.floor((now - closedAt.getTime()) / (24 * 3_600_000));
    reasons.push(`it closed ${days} days ago; Step Functions redrives only executions closed in the last 14 days`);
  }
  if (execution.redriveStatus === 'NOT_REDRIVABLE' && REDRIVABLE_STATUSES.has(status) && reasons.length === 0) {
    reasons.push(`Step Functions says it is not redrivable: ${execution.redriveStatusReason ?? 'no reason given'}`);
  }
  // stepgraph catches a job's final failure (and a wait past its deadline) into a Fail state
  // that names the job. A redrive restarts at the unsuccessful step, which is that Fail state,
  // so it would fail again at once: re-executing the job is what helps.
  if (status === 'FAILED' && execution.error?.startsWith('stepgraph.')) {
    reasons.push(`the run failed with ${execution.error} (${execution.cause ?? 'no cause given'}); a redrive restarts at that Fail state and fails again at once`);
  }
  if (definitionChanged(current, used)) {
    reasons.push(
      'the state machine was redeployed since this run started; a redrive would rerun the old definition, a replay runs the new one',
    );
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

function definitionChanged(current: RedriveFacts['current'], used: RedriveFacts['used']): boolean {
  if (current.revisionId && used.revisionId) return current.revisionId !== used.revisionId;
  if (current.definition !== undefined && used.definition !== undefined) return normalize(current.definition) !== normalize(used.definition);
  return false;
}

const normalize = (definition: string): string => {
  try {
    return JSON.stringify(JSON.parse(definition));
  } catch {
    return definition;
  }
};

export async function definitionUsedBy(aws: Aws, executionArn: string): Promise<DescribeStateMachineForExecutionOutput> {
  return aws.call('DescribeStateMachineForExecution', () =>
    aws.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
  );
}

export async function redrive(aws: Aws, executionArn: string): Promise<Date | undefined> {
  // The token makes a retried call (after throttling) one redrive, not two.
  const clientToken = `stepgraph-${executionArn.split(':').pop()}-${Date.now()}`.slice(0, 64);
  const out = await aws.call('RedriveExecution', () => aws.sfn.send(new RedriveExecutionCommand({ executionArn, clientToken })));
  return out.redriveDate;
}

const DONE = new Set(['succeeded', 'skipped']);

/**
 * The replay that reruns what this run left unfinished. `--from` the first unfinished jobs covers
 * the rest (everything unfinished is downstream of one of them) unless the run was itself a
 * partial replay, where `--only` keeps to exactly the unfinished jobs.
 */
export function replayCommandFor(workflow: Workflow, date: string, jobs: readonly JobStatus[], wasPartial: boolean): string {
  const unfinished = new Set(jobs.filter((j) => !DONE.has(j.status)).map((j) => j.job));
  const base = `npx stepgraph replay ${workflow.name} --date ${date}`;
  if (unfinished.size === 0) {
    // Every job finished and the run still failed (outside any job): rerun it all.
    return `${base} ${workflow.jobs.filter((j) => j.needs.length === 0).map((j) => `--from ${j.name}`).join(' ')}`;
  }
  const order = jobs.map((j) => j.job).filter((j) => unfinished.has(j));
  if (wasPartial) return `${base} ${order.map((j) => `--only ${j}`).join(' ')}`;
  const needs = new Map(workflow.jobs.map((j) => [j.name, j.needs]));
  const frontier = order.filter((j) => !(needs.get(j) ?? []).some((n) => unfinished.has(n)));
  return `${base} ${frontier.map((j) => `--from ${j}`).join(' ')}`;
}
