// Redrive: continue a failed run in place (same execution, same definition, only the unfinished
// states rerun) when Step Functions allows it and when it is what the user wants; otherwise say
// why and give the replay command that does the same job with the current definition.
//
// Under the runtime contract a job fails in its own Task and a wait in its wait state, so a
// redrive re-runs exactly the job (or the wait) that failed and what it stopped. The Fail states
// that remain (a sweep's count of failed items, the input check, a part of a split graph catching
// its child's failure, the `J failed` states of definitions compiled before this contract) end a
// run by themselves: a redrive would enter them again and fail at once, so those runs are refused.
import {
  DescribeStateMachineForExecutionCommand,
  RedriveExecutionCommand,
  type DescribeExecutionOutput,
  type DescribeStateMachineOutput,
  type DescribeStateMachineForExecutionOutput,
} from '@aws-sdk/client-sfn';
import { RUN_FAILED_STATE, runOutcome, type RunEvent } from '../contract/run-failure.ts';
import { partExecutionName, partMachineName } from '../contract/run-names.ts';
import { splitRunOutcome } from '../contract/part-failures.ts';
import type { Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import { describeExecution } from './executions.ts';
import { fetchHistory, type JobStatus } from './history.ts';
import { dateOfRunName } from '../contract/run-names.ts';

export const REDRIVE_WINDOW_MS = 14 * 24 * 3_600_000;

const REDRIVABLE_STATUSES = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export interface RedriveFacts {
  execution: DescribeExecutionOutput;
  /** The state machine as deployed now. */
  current: Partial<Pick<DescribeStateMachineOutput, 'type' | 'revisionId' | 'definition'>>;
  /** The definition the execution ran with (DescribeStateMachineForExecution). */
  used: Partial<Pick<DescribeStateMachineForExecutionOutput, 'revisionId' | 'definition'>>;
  /** The Fail state a FAILED run ended in (from its history: failStateOf). */
  failState?: FailState;
  now: number;
}

/** A Fail state a run ended in, and what it is there for. */
export interface FailState {
  state: string;
  /**
   * `sweep`: more items of a sweep failed than it tolerates (`<sweep> failed`); `input`: the input
   * check refused the input; `part`: a part of a split graph failed; `other`: any other (a
   * definition compiled before failures became redrivable caught each job into `J failed`);
   * `items`: more items of a for_each job failed than it tolerates (`J failed`).
   */
  kind: 'sweep' | 'input' | 'part' | 'other' | 'handed_on' | 'items';
  /** The sweep job, or the sweep, whose Fail state it is. */
  owner?: string;
  /** The run is a sweep's own (a sweep file's state machine), not a workflow's. */
  standalone?: boolean;
  error?: string;
  cause?: string;
}

/**
 * Refused: why, and what to do instead when the reason knows: a replay from the job that failed
 * (the CLI prefers the replay of everything left unfinished when it has the workflow), or another
 * command altogether (`sweep resume`, a new start).
 */
export type Eligibility = { ok: true } | { ok: false; reasons: string[]; instead?: Instead };

export interface Instead {
  command: string;
  /** What the command does, for the line before it. */
  does: string;
  replay: boolean;
}

/**
 * The Fail state a FAILED run ended in, from its history; undefined when it failed in a state
 * that a redrive runs again (a job's Task, a wait). `stateMachine` is the state machine's name:
 * a sweep's own runs are named `<sweep>-<yyyymmdd>-<hhmmss>` by the machine named after the sweep.
 * `children`: the histories of a split run's child executions (ops/children.ts).
 */
export function failStateOf(events: readonly RunEvent[], stateMachine: string, workflow?: Workflow, children: readonly (readonly RunEvent[])[] = []): FailState | undefined {
  // A split run's failure handed on inside a child is in the child's history (`children`).
  const failed = splitRunOutcome([events, ...children])?.failed;
  // A failure handed on to run_if jobs: the run ended in its `Run failed` Fail state.
  if (failed?.handedOn) return { state: failed.state, kind: 'handed_on', owner: stateOwner(failed.state), ...(failed.error && { error: failed.error }), ...(failed.cause && { cause: failed.cause }) };
  if (!failed || failed.how !== 'fail') return undefined;
  const { state, error, cause } = failed;
  const facts = { state, ...(error && { error }), ...(cause && { cause }) };
  if (state === 'Invalid input') return { ...facts, kind: 'input' };
  if (/^Part \d+ failed$/.test(state)) return { ...facts, kind: 'part' };
  const owner = state.endsWith(' failed') ? state.slice(0, -' failed'.length) : undefined;
  const sweepJob = owner !== undefined && workflow?.jobs.some((j) => j.name === owner && j.kind.type === 'sweep');
  if (owner !== undefined && (sweepJob || error === 'stepgraph.SweepFailed')) {
    return { ...facts, kind: 'sweep', owner, ...(!workflow && owner === stateMachine && { standalone: true }) };
  }
  const forEachJob = owner !== undefined && workflow?.jobs.some((j) => j.name === owner && j.forEach?.toleratedFailures);
  if (owner !== undefined && (forEachJob || error === 'stepgraph.ForEachFailed')) return { ...facts, kind: 'items', owner };
  return { ...facts, kind: 'other', ...(owner !== undefined && { owner }) };
}

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
  let instead: Instead | undefined;
  if (status === 'FAILED' && facts.failState) {
    const refusal = failStateRefusal(facts.failState, execution.name ?? execution.executionArn?.split(':').pop() ?? '', execution.stateMachineArn?.split(':').pop() ?? '');
    reasons.push(refusal.reason);
    instead = refusal.instead;
  }
  if (execution.redriveStatus === 'NOT_REDRIVABLE' && REDRIVABLE_STATUSES.has(status) && reasons.length === 0) {
    reasons.push(`Step Functions says it is not redrivable: ${execution.redriveStatusReason ?? 'no reason given'}`);
  }
  if (definitionChanged(current, used)) {
    reasons.push(
      'the state machine was redeployed since this run started; a redrive would rerun the old definition, a replay runs the new one',
    );
  }
  if (reasons.length === 0) return { ok: true };
  return { ok: false, reasons, ...(instead && { instead }) };
}

const AGAIN = 'a redrive would enter that state again and fail at once';

function failStateRefusal(fail: FailState, name: string, stateMachine: string): { reason: string; instead?: Instead } {
  const why = fail.cause ?? fail.error ?? 'no cause given';
  switch (fail.kind) {
    case 'sweep': {
      if (fail.standalone) {
        return {
          reason: `more items failed than the sweep tolerates (${why}): it failed in its Fail state '${fail.state}', and ${AGAIN}`,
          instead: { command: `npx stepgraph sweep resume --sweep-id ${name}`, does: 'run again only the items that did not succeed', replay: false },
        };
      }
      const date = dateOfRunName(name, stateMachine);
      return {
        reason: `sweep job '${fail.owner}' had more items fail than it tolerates (${why}): the run failed in its Fail state '${fail.state}', and ${AGAIN}; replaying the job runs the sweep again`,
        instead: { command: `npx stepgraph replay ${stateMachine} --date ${date ?? '<date>'} --from ${fail.owner}`, does: 'replay the sweep job and what depends on it', replay: true },
      };
    }
    case 'input':
      // A run started in the console with a malformed date: stepgraph checks the date before it starts one.
      return {
        reason: `the run's input was refused in '${fail.state}' (${why}); a redrive keeps the input and would fail again at once`,
        instead: { command: `npx stepgraph start ${stateMachine} --date <date>`, does: 'start the run with a valid date (stepgraph checks it first)', replay: false },
      };
    case 'part':
      return { reason: `a part of the split graph failed and the run failed in '${fail.state}' (${why}); ${AGAIN}` };
    case 'handed_on': {
      const date = dateOfRunName(name, stateMachine);
      return {
        reason: `job '${fail.owner}' failed (${why}) and its failure was handed on to the run_if jobs waiting for it, which ran; the run then failed at its end in '${RUN_FAILED_STATE}', and ${AGAIN}`,
        instead: { command: `npx stepgraph replay ${stateMachine} --date ${date ?? '<date>'} --from ${fail.owner}`, does: 'replay the job that failed and what depends on it (its run_if jobs included)', replay: true },
      };
    }
    case 'items': {
      const date = dateOfRunName(name, stateMachine);
      return {
        reason: `for_each job '${fail.owner}' had more items fail than it tolerates (${why}): the run failed in its Fail state '${fail.state}', and ${AGAIN}; replaying the job runs every item again`,
        instead: { command: `npx stepgraph replay ${stateMachine} --date ${date ?? '<date>'} --from ${fail.owner}`, does: 'replay the for_each job and what depends on it', replay: true },
      };
    }
    case 'other':
      return { reason: `the run failed in its Fail state '${fail.state}' (${fail.error ?? 'no error given'}${fail.cause ? `: ${fail.cause}` : ''}); ${AGAIN}` };
  }
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

/**
 * A run of a split graph failed in the parent's Task that ran a part (`Part <n> (...)`): its
 * child `<execution>-part-<n>` failed first. The child is redriven first (parts may run parts:
 * depth first), then the parent, whose StartExecution of the same name and input finds the child
 * running again and waits for it (emit/parts.ts). Returns the child executions redriven.
 */
export async function redriveParts(aws: Aws, executionArn: string, events: readonly RunEvent[]): Promise<string[]> {
  const failed = runOutcome(events)?.failed?.state;
  const n = failed ? /^Part (\d+) \(/.exec(failed)?.[1] : undefined;
  if (n === undefined) return [];
  const child = partExecutionArn(executionArn, Number(n));
  const execution = await describeExecution(aws, child);
  if (!execution || !REDRIVABLE_STATUSES.has(execution.status ?? '')) return [];
  const deeper = await redriveParts(aws, child, await fetchHistory(aws, child));
  await redrive(aws, child);
  return [...deeper, child];
}

/** arn:...:execution:<machine>:<name> -> the execution of part n that it started (emit/parts.ts names both). */
export function partExecutionArn(parent: string, n: number): string {
  const parts = parent.split(':');
  const name = parts.pop()!;
  const machine = parts.pop()!;
  return [...parts, partMachineName(machine, n), partExecutionName(name, n)].join(':');
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

/** The job a failed state serves: `J` itself, or `J waits for X`. */
function stateOwner(state: string): string {
  const space = state.indexOf(' ');
  return space < 0 ? state : state.slice(0, space);
}
