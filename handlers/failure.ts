// Reads an execution's history to say which job broke it and why. The compiled machine routes a
// job's failure to a Fail state named `<job> failed` (or `<job> wait failed`) whose error is
// stepgraph.JobFailed / stepgraph.WaitTimedOut; the Task's own error (what the user needs to
// see) is on the TaskFailed / LambdaFunctionFailed / ... event of that job's states.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { downstreamOf, jobOfState, type GraphJob } from './job-graph.ts';

export interface Failure {
  /** The jobs that broke the run: one for FAILED; those in flight for TIMED_OUT and ABORTED. */
  jobs: string[];
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

  // A job failed after its retries (or a wait passed its deadline): the Fail state names it.
  const failState = last((e) => e.type === 'FailStateEntered')?.stateEnteredEventDetails?.name;
  const failedJob = failState ? jobOfState(failState, jobs) : undefined;
  if (failedJob) {
    const task = last((e) => TASK_FAILURES.has(e.type ?? '') && jobOfState(stateOf(e) ?? '', jobs) === failedJob);
    const state = task ? stateOf(task) : failState;
    return { jobs: [failedJob], ...(state && { state }), ...withRun(task ? details(task) : {}) };
  }
  // An error no Catch handled (FAILED without a Fail state): the last task failure is the one.
  if (runEnd?.type === 'ExecutionFailed') {
    const task = last((e) => TASK_FAILURES.has(e.type ?? ''));
    const state = task ? stateOf(task) : undefined;
    const job = state ? jobOfState(state, jobs) : undefined;
    if (job) return { jobs: [job], ...(state && { state }), ...withRun(details(task!)) };
  }
  // Timed out or aborted: whatever was running at that moment did not finish.
  return { jobs: inFlight(events, jobs), ...run };
}

/**
 * Jobs with a state entered and not exited: what was running when the run stopped. A job
 * downstream of another one in that list is left out: replaying the upstream one reruns it.
 */
function inFlight(events: readonly HistoryEvent[], jobs: readonly GraphJob[]): string[] {
  const open = new Map<string, number>();
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    const exited = e.stateExitedEventDetails?.name;
    if (entered) open.set(entered, (open.get(entered) ?? 0) + 1);
    if (exited) open.set(exited, (open.get(exited) ?? 0) - 1);
  }
  const running = new Set<string>();
  for (const [state, count] of open) {
    const job = count > 0 ? jobOfState(state, jobs) : undefined;
    if (job) running.add(job);
  }
  const covered = new Set([...running].flatMap((r) => downstreamOf(jobs, [r])));
  return jobs.map((j) => j.name).filter((n) => running.has(n) && !covered.has(n));
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
