// Per-job status of one execution, read from its history. Which job a state serves comes from
// the workflow's definitions (emit/state-owners.ts) when its file is at hand, else from the name
// alone: the compiler names the Task of job J `J` and every helper state `J <something>` (runtime
// contract). Events without a name (TaskScheduled, TaskFailed, ...) belong to the state their
// `previousEventId` chain leads back to. Where a failed run broke comes from the contract's one
// reading of it (contract/run-failure.ts), which the failure alert shares.
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { closedAt, errorOf, FAILURE_EVENTS, jobTimedOutCause, WAIT_TIMED_OUT, waitTimedOutCause, type FailedState } from '../contract/run-failure.ts';
import type { StateOwner } from '../emit/state-owners.ts';
import type { Aws } from './aws.ts';
import type { ItemProgress } from './item-progress.ts';

type JobState =
  | 'not started'
  | 'waiting'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  /** Still running or waiting when another job failed the run. */
  | 'cancelled'
  | 'aborted'
  | 'timed out'
  /** The run closed before the job's turn came. */
  | 'not run'
  /** Its `when` was false (counts as done for its dependents). */
  | 'skipped: when false'
  /** Its needs did not end as its `run_if` asks (or, by default, one of them failed). */
  | 'not run: rule unmet';

export interface JobStatus {
  job: string;
  status: JobState;
  start?: Date;
  end?: Date;
  durationMs?: number;
  /** Attempts of the job's Task (1 + retries); 0 when it never started. */
  attempts: number;
  error?: string;
  cause?: string;
  /** What a waiting job waits for (a marker or a job of this run). */
  waitingFor?: string;
  /** The marker objects of the run's date it waits for (ops/wait-keys.ts), when the workflow is known. */
  waitingKeys?: string[];
  /** The state a failed job failed in (its Task, one of its waits, its marker write, a sweep's Fail state). */
  failedIn?: string;
  /** A for_each job's items (ops/item-progress.ts), once its Map started. */
  items?: ItemProgress;
}

/** Every page of an execution's history, oldest first. */
export async function fetchHistory(aws: Aws, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.call('GetExecutionHistory', () =>
      aws.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: true })),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

const JOB_NAME = /^[a-z][a-z0-9_]*$/;
/** The helper states' names after `J ` (generator/emit/names.ts); long names end in `~<hash>`. */
const HELPER = /^(selected\?|skipped|waits for |done$|signals$|failed$|when\?$|run if\?$|not run$|failure handed on$)/;

/** Jobs as the history shows them, when the workflow's file is not at hand. */
export function jobsInHistory(events: readonly HistoryEvent[]): string[] {
  const jobs: string[] = [];
  const add = (name: string): void => {
    if (!jobs.includes(name)) jobs.push(name);
  };
  for (const e of events) {
    const name = e.stateEnteredEventDetails?.name;
    if (!name) continue;
    const space = name.indexOf(' ');
    const job = space < 0 ? name : name.slice(0, space);
    // Helper states always follow their job's name with a space; `Check input` and the like do not start with a job name.
    if (JOB_NAME.test(job) && (space < 0 || HELPER.test(name.slice(space + 1)))) add(job);
  }
  return jobs;
}

const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const SUCCEEDED = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']);

interface Tracker extends JobStatus {
  /** A job that writes its own marker (a data pipeline): its Task lasts until the marker appears. */
  ownMarker: boolean;
}

/**
 * What a state does for its job, as status reads it: `task` is the job's Task; a sweep job runs
 * from `sweep-first` entered to `sweep-last` exited; `done` writes its marker and `signal` tells
 * the jobs of the run that wait for it; `failed` is a sweep job's Fail state; `other` changes
 * nothing (the replay guard, a sweep's inner states). `wait` says, when known, whether a wait is
 * for a marker of another producer or for a job of this run.
 */
export type Step =
  | { job: string; step: 'task' | 'skipped' | 'failed' | 'done' | 'signal' | 'sweep-first' | 'sweep-last' | 'other' | 'condition_false' | 'not_run' | 'handed_on' }
  | { job: string; step: 'waits'; what: string; wait?: 'external' | 'in-run' };

/** Which job a state (by name, with the type of its event) serves; undefined: none. */
export type StepOf = (state: string, eventType: string) => Step | undefined;

/** The step of a state from the workflow's own table (emit/state-owners.ts). */
export function stepOfOwner(owner: StateOwner): Step {
  const job = owner.job;
  switch (owner.step) {
    case 'task':
    case 'skipped':
    case 'failed':
    case 'done':
    case 'condition_false':
    case 'not_run':
    case 'handed_on':
      return { job, step: owner.step };
    case 'signal':
      return { job, step: 'signal' };
    case 'wait':
      return { job, step: 'waits', what: owner.what, wait: owner.wait };
    case 'sweep':
      return { job, step: owner.edge === 'first' ? 'sweep-first' : owner.edge === 'last' ? 'sweep-last' : 'other' };
    default:
      return { job, step: 'other' };
  }
}

/** The step of a state from its name alone (the workflow's file is not at hand). */
export const stepByName: StepOf = (state, eventType) => {
  const { job, step } = splitState(state);
  // A sweep job's Map carries the job's name; it is not the job's Task.
  if (step === '') return { job, step: eventType.startsWith('Map') ? 'other' : 'task' };
  if (step === 'skipped' || step === 'failed' || step === 'done') return { job, step };
  if (step === 'signals') return { job, step: 'signal' };
  if (step === 'skipped by condition') return { job, step: 'condition_false' };
  if (step === 'not run') return { job, step: 'not_run' };
  if (step === 'failure handed on') return { job, step: 'handed_on' };
  if (step === 'started') return { job, step: 'sweep-first' };
  if (step === 'summary') return { job, step: 'sweep-last' };
  if (step.startsWith('waits for ')) return { job, step: 'waits', what: step.slice('waits for '.length) };
  return { job, step: 'other' };
};

/**
 * Per-job status from the events (oldest first). `jobs` are the workflow's jobs in order;
 * `ownMarker` names the jobs that write their own marker (data pipelines), whose Task times out
 * when the marker does not appear; `stepOf` says which job each state serves (by default: by its
 * name). A redriven execution shows each job's latest outcome: the states it enters again
 * replace what the closed attempt left.
 */
export function jobStatuses(events: readonly HistoryEvent[], jobs: readonly string[], ownMarker: ReadonlySet<string> = new Set(), stepOf: StepOf = stepByName): JobStatus[] {
  const trackers = new Map<string, Tracker>(jobs.map((job) => [job, { job, status: 'not started', attempts: 0, ownMarker: ownMarker.has(job) }]));
  const owner = new Map<number, Step | undefined>();
  events.forEach((e, index) => {
    const entered = e.stateEnteredEventDetails?.name;
    const exited = e.stateExitedEventDetails?.name;
    const type = e.type ?? '';
    const named = entered ?? exited;
    const at = named !== undefined ? stepOf(named, type) : owner.get(e.previousEventId ?? -1);
    if (e.id !== undefined && at !== undefined) owner.set(e.id, at);
    const time = e.timestamp;

    if (type === 'ExecutionRedriven') {
      // The closed run is open again: jobs it never reached may still come; the states that did
      // not succeed are entered again, and each replaces what its job showed.
      for (const t of trackers.values()) if (t.status === 'not run') t.status = 'not started';
      return;
    }
    if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      if (type === 'ExecutionFailed') {
        const failed = closedAt(events, index).failed;
        const step = failed && stepOf(failed.state, failed.stateType ?? '');
        const t = step && trackers.get(step.job);
        if (t && failed) blame(t, step, failed, jobs, time);
      }
      const closed: JobState = type === 'ExecutionFailed' ? 'cancelled' : type === 'ExecutionAborted' ? 'aborted' : 'timed out';
      for (const t of trackers.values()) {
        if (t.status === 'running' || t.status === 'waiting') close(t, closed, time);
        else if (t.status === 'not started') t.status = 'not run';
      }
      return;
    }
    if (type === 'ExecutionSucceeded') {
      for (const t of trackers.values()) if (t.status === 'not started') t.status = 'not run';
      return;
    }
    if (at === undefined) return;
    const t = trackers.get(at.job);
    if (!t) return;

    if (entered !== undefined) {
      onEntered(t, at, time, e);
    } else if (exited !== undefined) {
      onExited(t, at, time);
    } else if (at.step === 'task') {
      // A Task cut short by a failing sibling branch is closed by the execution's end event.
      if (SCHEDULED.has(type)) t.attempts += 1;
      else if (SUCCEEDED.has(type)) {
        // A retry that worked: the earlier attempt's error is history, not the job's state.
        t.error = undefined;
        t.cause = undefined;
      } else recordFailure(t, e);
    }
  });
  return [...trackers.values()].map(({ ownMarker: _o, ...status }) => status);
}

function onEntered(t: Tracker, at: Step, time: Date | undefined, e: HistoryEvent): void {
  if (at.step === 'task' || at.step === 'sweep-first') {
    t.status = 'running';
    t.start = time;
    t.end = undefined;
    t.durationMs = undefined;
    t.waitingFor = undefined;
    t.error = undefined;
    t.cause = undefined;
    t.failedIn = undefined;
    // A sweep has no retries of its own: each time its first state is entered is one attempt.
    if (at.step === 'sweep-first') t.attempts += 1;
  } else if (at.step === 'skipped') {
    t.status = 'skipped';
  } else if (at.step === 'condition_false' || at.step === 'not_run') {
    t.status = at.step === 'condition_false' ? 'skipped: when false' : 'not run: rule unmet';
  } else if (at.step === 'handed_on') {
    // The job failed after its retries and a run_if job waited for it: the Catch exited its Task
    // (which looks like a success until here); the error stays the one its failure recorded.
    t.failedIn ??= t.job;
    close(t, 'failed', t.end ?? time);
  } else if (at.step === 'waits' && t.status !== 'running') {
    // A wait entered again after a redrive replaces the failure it ended in.
    t.status = 'waiting';
    t.waitingFor = at.what;
    t.error = undefined;
    t.cause = undefined;
    t.failedIn = undefined;
    t.end = undefined;
    t.durationMs = undefined;
  } else if ((at.step === 'done' || at.step === 'signal') && (t.status === 'failed' || t.status === 'cancelled')) {
    // A redrive writes the marker (or the signal) of a job whose work had succeeded.
    t.status = 'running';
    t.error = undefined;
    t.cause = undefined;
    t.failedIn = undefined;
  } else if (at.step === 'failed' && t.status !== 'failed') {
    // A sweep job with more failed items than it tolerates: the sweep left {Error, Cause} at
    // `$.sweep.error`, which the Fail state's input (in the history) holds.
    const sweepError = sweepFailure(e);
    t.error = sweepError?.Error ?? t.error ?? 'stepgraph.SweepFailed';
    t.cause = sweepError?.Cause ?? t.cause;
    t.failedIn = e.stateEnteredEventDetails?.name;
    close(t, 'failed', time);
  }
}

function onExited(t: Tracker, at: Step, time: Date | undefined): void {
  if (at.step === 'task' && t.status === 'running') {
    close(t, 'succeeded', time);
  } else if ((at.step === 'sweep-last' || at.step === 'done' || at.step === 'signal') && t.status === 'running') {
    close(t, 'succeeded', time);
  } else if (at.step === 'waits' && t.status === 'waiting') {
    t.waitingFor = undefined;
  }
}

/** The job of the state the run failed in: failed, with what failed and why in the user's terms. */
function blame(t: Tracker, at: Step, failed: FailedState, jobs: readonly string[], time: Date | undefined): void {
  if (at.step === 'failed' && t.status === 'failed') return;
  let error = failed.error;
  let cause = failed.cause;
  if (at.step === 'waits') {
    const kind = at.wait === 'in-run' || (at.wait === undefined && jobs.includes(at.what)) ? 'job' : 'marker';
    if (failed.timedOut) {
      error = WAIT_TIMED_OUT;
      cause = waitTimedOutCause(at.what, kind, failed.timeoutSeconds);
    } else {
      cause = `while waiting for ${kind} '${at.what}': ${cause ?? 'no cause given'}`;
    }
  } else if (at.step === 'task' && failed.timedOut) {
    cause = cause ?? jobTimedOutCause(failed.timeoutSeconds, t.ownMarker);
  } else if (at.step === 'done') {
    cause = `the job succeeded but its marker could not be written: ${cause ?? 'no cause given'}`;
  } else if (at.step === 'signal') {
    cause = `the job succeeded but the jobs waiting for it could not be told: ${cause ?? 'no cause given'}`;
  }
  t.error = error ?? 'States.TaskFailed';
  t.cause = cause;
  t.failedIn = failed.state;
  t.waitingFor = undefined;
  if (t.start === undefined) t.start = failed.enteredAt;
  close(t, 'failed', failed.failedAt ?? time);
}

function sweepFailure(e: HistoryEvent): { Error?: string; Cause?: string } | undefined {
  try {
    const input = JSON.parse(e.stateEnteredEventDetails?.input ?? 'null') as { sweep?: { error?: { Error?: string; Cause?: string } }; job?: { error?: { Error?: string; Cause?: string } } } | null;
    // A for_each job that tolerates failures leaves its count's error at `$.job.error`.
    return input?.sweep?.error ?? input?.job?.error;
  } catch {
    return undefined;
  }
}

/** An attempt that failed: shown while the job retries, replaced when an attempt succeeds. */
function recordFailure(t: Tracker, e: HistoryEvent): void {
  if (!FAILURE_EVENTS.has(e.type ?? '')) return;
  const { error, cause } = errorOf(e);
  t.error = error ?? e.type;
  t.cause = cause;
}

function close(t: Tracker, status: JobState, time: Date | undefined): void {
  t.status = status;
  t.end = time;
  t.durationMs = t.start && time ? time.getTime() - t.start.getTime() : undefined;
}

/** `revenue waits for payments` -> { job: 'revenue', step: 'waits for payments' }; `revenue` -> step ''. */
function splitState(state: string): { job: string; step: string } {
  const space = state.indexOf(' ');
  return space < 0 ? { job: state, step: '' } : { job: state.slice(0, space), step: state.slice(space + 1) };
}
