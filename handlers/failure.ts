// Reads an execution's history to say which job broke it, why, and what else it left unfinished.
// The compiled machine routes a job's failure to a Fail state named `<job> failed` (or
// `<job> wait for <what> failed`) whose error is stepgraph.JobFailed / stepgraph.WaitTimedOut;
// the Task's own error (what the user needs to see) is on the TaskFailed / LambdaFunctionFailed
// / ... event of that job's states. A job is finished when its last state (`<job> done`,
// `<job> finishes` for a data pipeline, `<job> skipped`) was left.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { downstreamOf, jobOfState, type GraphJob } from './job-graph.ts';

export interface Failure {
  /** The jobs that broke the run: one for FAILED; those in flight for TIMED_OUT and ABORTED. */
  jobs: string[];
  /**
   * Jobs that had begun, did not finish, and are not downstream of `jobs`: fail-fast stopped
   * them (a Parallel branch beside the failed job). A replay must restart them too.
   */
  cancelled: string[];
  /** The state that failed, when known (`revenue`, `bi_import waits for payments`). */
  state?: string;
  error?: string;
  cause?: string;
  /** The run's own error and cause (e.g. stepgraph.WaitTimedOut naming the marker), when they differ. */
  runError?: string;
  runCause?: string;
}

interface ErrorDetails {
  error?: string;
  cause?: string;
}

const TASK_FAILURES = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
  'MapRunFailed',
  'EvaluationFailed',
]);
const RUN_ENDS = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const FINAL_STATES = ['done', 'finishes', 'skipped'];

export function analyzeHistory(events: readonly HistoryEvent[], jobs: readonly GraphJob[]): Failure {
  const byId = new Map(events.map((e) => [e.id, e]));
  const stateOf = (event: HistoryEvent): string | undefined => {
    for (let e: HistoryEvent | undefined = event, steps = 0; e && steps < 1000; e = byId.get(e.previousEventId), steps++) {
      if (e.stateEnteredEventDetails?.name) return e.stateEnteredEventDetails.name;
    }
    return undefined;
  };
  const last = (test: (e: HistoryEvent) => boolean): HistoryEvent | undefined => [...events].reverse().find(test);
  const runEnd = last((e) => RUN_ENDS.has(e.type ?? ''));
  const run = runEnd ? details(runEnd) : {};
  const withRun = (own: ErrorDetails) => ({
    ...own,
    ...(run.error && run.error !== own.error && { runError: run.error }),
    ...(run.cause && run.cause !== own.cause && { runCause: run.cause }),
  });
  const unfinished = unfinishedJobs(events, jobs);
  const withCancelled = (failed: string[]) => {
    const behind = new Set(downstreamOf(jobs, failed));
    return { jobs: failed, cancelled: unfinished.filter((j) => !failed.includes(j) && !behind.has(j)) };
  };

  // A job failed after its retries (or a wait passed its deadline): the Fail state names it.
  const failState = last((e) => e.type === 'FailStateEntered')?.stateEnteredEventDetails?.name;
  const failedJob = failState ? jobOfState(failState, jobs) : undefined;
  if (failedJob) {
    const task = last((e) => TASK_FAILURES.has(e.type ?? '') && jobOfState(stateOf(e) ?? '', jobs) === failedJob);
    const state = task ? stateOf(task) : failState;
    return { ...withCancelled([failedJob]), ...(state && { state }), ...withRun(task ? details(task) : {}) };
  }
  // An error no Catch handled (FAILED without a Fail state): the last task failure is the one.
  if (runEnd?.type === 'ExecutionFailed') {
    const task = last((e) => TASK_FAILURES.has(e.type ?? ''));
    const state = task ? stateOf(task) : undefined;
    const job = state ? jobOfState(state, jobs) : undefined;
    if (job) return { ...withCancelled([job]), ...(state && { state }), ...withRun(details(task!)) };
  }
  // Timed out or aborted: whatever had begun and not finished at that moment.
  return { ...withCancelled(minimal(unfinished, jobs)), ...run };
}

/** Jobs with a state entered but no final state left, in graph order. */
function unfinishedJobs(events: readonly HistoryEvent[], jobs: readonly GraphJob[]): string[] {
  const begun = new Set<string>();
  const finished = new Set<string>();
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    if (entered) {
      const job = jobOfState(entered, jobs);
      if (job) begun.add(job);
    }
    const exited = e.stateExitedEventDetails?.name;
    const job = exited ? jobOfState(exited, jobs) : undefined;
    if (job && FINAL_STATES.some((s) => exited === `${job} ${s}`)) finished.add(job);
  }
  return jobs.map((j) => j.name).filter((n) => begun.has(n) && !finished.has(n));
}

/** Drops the jobs downstream of another one in the list: replaying that one reruns them. */
function minimal(names: readonly string[], jobs: readonly GraphJob[]): string[] {
  const covered = new Set(names.flatMap((n) => downstreamOf(jobs, [n])));
  return names.filter((n) => !covered.has(n));
}

/** The error and cause of any event kind (each keeps them in its own `*EventDetails`). */
function details(event: HistoryEvent): ErrorDetails {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const { error, cause } = value as ErrorDetails;
      if (error !== undefined || cause !== undefined) return { ...(error && { error }), ...(cause && { cause }) };
    }
  }
  return {};
}

/**
 * The child execution a failed `startExecution.sync` Task ran, from its cause (Step Functions puts
 * the child's description there, ExecutionArn included); undefined when there is none.
 */
export function failedChildExecution(events: readonly HistoryEvent[]): string | undefined {
  for (const event of [...events].reverse()) {
    if (!TASK_FAILURES.has(event.type ?? '')) continue;
    const { cause } = details(event);
    try {
      const arn = (JSON.parse(cause ?? '') as { ExecutionArn?: unknown }).ExecutionArn;
      if (typeof arn === 'string') return arn;
    } catch {
      // not a child's description
    }
  }
  return undefined;
}
