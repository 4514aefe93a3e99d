// Per-job status of one execution, read from its history. Which job a state serves comes from
// the workflow's definitions (emit/state-owners.ts) when its file is at hand, else from the name
// alone: the compiler names the Task of job J `J` and every helper state `J <something>` (runtime
// contract). Events without a name (TaskScheduled, TaskFailed, ...) belong to the state their
// `previousEventId` chain leads back to.
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateOwner } from '../emit/state-owners.ts';
import type { Aws } from './aws.ts';

export type JobState =
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
  | 'not run';

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
const HELPER = /^(selected\?|skipped|waits for |wait for |done$|signals$|failed$|clears marker$|finishes$)/;

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

const FAILURE_DETAILS = [
  'taskFailedEventDetails',
  'taskTimedOutEventDetails',
  'taskStartFailedEventDetails',
  'taskSubmitFailedEventDetails',
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'lambdaFunctionStartFailedEventDetails',
  'lambdaFunctionScheduleFailedEventDetails',
  'activityFailedEventDetails',
  'activityTimedOutEventDetails',
  'activityScheduleFailedEventDetails',
] as const;

const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const SUCCEEDED = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']);

interface Tracker extends JobStatus {
  /** How the job's own Task last ended: a caught failure still exits the state. */
  taskOutcome?: 'succeeded' | 'failed';
  finishesStep: boolean;
  /** A sweep job (seen entering its first state). */
  sweep?: boolean;
}

/**
 * What a state does for its job, as status reads it: `task` is the job's Task; a sweep job runs
 * from `sweep-first` entered to `sweep-last` exited; `other` changes nothing (a marker write, a
 * sweep's inner states).
 */
export type Step =
  | { job: string; step: 'task' | 'skipped' | 'failed' | 'finishes' | 'sweep-first' | 'sweep-last' | 'other' }
  | { job: string; step: 'waits' | 'wait-failed'; what: string };

/** Which job a state (by name, with the type of its event) serves; undefined: none. */
export type StepOf = (state: string, eventType: string) => Step | undefined;

/** The step of a state from the workflow's own table (emit/state-owners.ts). */
export function stepOfOwner(owner: StateOwner): Step {
  const job = owner.job;
  switch (owner.step) {
    case 'task':
    case 'skipped':
    case 'failed':
    case 'finishes':
      return { job, step: owner.step };
    case 'wait':
      return { job, step: 'waits', what: owner.what };
    case 'wait-failed':
      return { job, step: 'wait-failed', what: owner.what };
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
  if (step === 'skipped' || step === 'failed' || step === 'finishes') return { job, step };
  if (step === 'started') return { job, step: 'sweep-first' };
  if (step === 'summary') return { job, step: 'sweep-last' };
  if (step.startsWith('waits for ')) return { job, step: 'waits', what: step.slice('waits for '.length) };
  const gaveUp = /^wait for (.+) failed$/.exec(step);
  if (gaveUp) return { job, step: 'wait-failed', what: gaveUp[1] };
  return { job, step: 'other' };
};

/**
 * Per-job status from the events (oldest first). `jobs` are the workflow's jobs in order;
 * `finishes` names the jobs whose completion is their `J finishes` step (data pipelines);
 * `stepOf` says which job each state serves (by default: by its name).
 */
export function jobStatuses(events: readonly HistoryEvent[], jobs: readonly string[], finishes: ReadonlySet<string> = new Set(), stepOf: StepOf = stepByName): JobStatus[] {
  const trackers = new Map<string, Tracker>(
    jobs.map((job) => [job, { job, status: 'not started', attempts: 0, finishesStep: finishes.has(job) }]),
  );
  const owner = new Map<number, Step | undefined>();
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    const exited = e.stateExitedEventDetails?.name;
    const type = e.type ?? '';
    const named = entered ?? exited;
    const at = named !== undefined ? stepOf(named, type) : owner.get(e.previousEventId ?? -1);
    if (e.id !== undefined && at !== undefined) owner.set(e.id, at);
    const time = e.timestamp;

    if (type === 'ExecutionRedriven') {
      // The closed run is open again: what closing marked as cancelled may now be re-entered.
      continue;
    }
    if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      const closed: JobState = type === 'ExecutionFailed' ? 'cancelled' : type === 'ExecutionAborted' ? 'aborted' : 'timed out';
      for (const t of trackers.values()) {
        if (t.status === 'running' || t.status === 'waiting') close(t, closed, time);
        else if (t.status === 'not started') t.status = 'not run';
      }
      continue;
    }
    if (type === 'ExecutionSucceeded') {
      for (const t of trackers.values()) if (t.status === 'not started') t.status = 'not run';
      continue;
    }
    if (at === undefined) continue;
    const t = trackers.get(at.job);
    if (!t) continue;

    if (entered !== undefined) {
      onEntered(t, at, time, e);
    } else if (exited !== undefined) {
      onExited(t, at, time);
    } else if (at.step === 'task') {
      // A Task cut short by a failing sibling branch is closed by the execution's end event.
      if (SCHEDULED.has(type)) t.attempts += 1;
      else if (SUCCEEDED.has(type)) {
        // A retry that worked: the earlier attempt's error is history, not the job's state.
        t.taskOutcome = 'succeeded';
        t.error = undefined;
        t.cause = undefined;
      }
      else recordFailure(t, e);
    }
    // Failures of `J waits for X` and `J finishes` are polls that found no marker yet, not job failures.
  }
  return [...trackers.values()].map(({ taskOutcome: _o, finishesStep: _f, sweep: _s, ...status }) => status);
}

function onEntered(t: Tracker, at: Step, time: Date | undefined, e: HistoryEvent): void {
  if (at.step === 'task' || at.step === 'sweep-first') {
    t.status = 'running';
    t.start = time;
    t.end = undefined;
    t.durationMs = undefined;
    t.waitingFor = undefined;
    t.taskOutcome = undefined;
    t.error = undefined;
    t.cause = undefined;
    // A sweep has no retries of its own: each time its first state is entered is one attempt.
    if (at.step === 'sweep-first') {
      t.sweep = true;
      t.attempts += 1;
    }
  } else if (at.step === 'skipped') {
    t.status = 'skipped';
  } else if (at.step === 'waits' && t.status !== 'running') {
    t.status = 'waiting';
    t.waitingFor = at.what;
  } else if (at.step === 'failed') {
    if (t.status !== 'failed') {
      if (t.taskOutcome !== 'failed' && t.finishesStep) {
        t.error = 'stepgraph.JobFailed';
        t.cause = "the job's own marker did not appear within its timeout";
      }
      const sweepError = t.sweep ? sweepFailure(e) : undefined;
      if (sweepError) {
        t.error = sweepError.Error;
        t.cause = sweepError.Cause;
      }
      t.error = t.error ?? 'stepgraph.JobFailed';
      close(t, 'failed', time);
    }
  } else if (at.step === 'wait-failed') {
    t.error = 'stepgraph.WaitTimedOut';
    t.cause = `'${at.what}' did not arrive before the wait's deadline`;
    t.waitingFor = undefined;
    close(t, 'failed', time);
  }
}

function onExited(t: Tracker, at: Step, time: Date | undefined): void {
  if (at.step === 'task' && t.status === 'running') {
    if (t.taskOutcome === 'failed') close(t, 'failed', time);
    else if (!t.finishesStep) close(t, 'succeeded', time);
  } else if ((at.step === 'finishes' || at.step === 'sweep-last') && t.status === 'running') {
    close(t, 'succeeded', time);
  } else if (at.step === 'waits' && t.status === 'waiting') {
    t.waitingFor = undefined;
  }
}

/**
 * Why a sweep job failed: the sweep leaves {Error, Cause} at `$.sweep.error` (too many items
 * failed, or the Map itself failed) before its `J failed` state, whose input the history holds.
 */
function sweepFailure(e: HistoryEvent): { Error?: string; Cause?: string } | undefined {
  try {
    const input = JSON.parse(e.stateEnteredEventDetails?.input ?? 'null') as { sweep?: { error?: { Error?: string; Cause?: string } } } | null;
    return input?.sweep?.error;
  } catch {
    return undefined;
  }
}

function recordFailure(t: Tracker, e: HistoryEvent): void {
  const failure = failureOf(e);
  if (!failure) return;
  t.taskOutcome = 'failed';
  t.error = failure.error ?? e.type;
  t.cause = failure.cause;
}

function failureOf(e: HistoryEvent): { error?: string; cause?: string } | undefined {
  for (const key of FAILURE_DETAILS) {
    const details = e[key] as { error?: string; cause?: string } | undefined;
    if (details) return details;
  }
  return undefined;
}

function close(t: Tracker, status: JobState, time: Date | undefined): void {
  t.status = status;
  t.end = time;
  t.durationMs = t.start && time ? time.getTime() - t.start.getTime() : undefined;
}

/** `revenue waits for payments` -> { job: 'revenue', step: 'waits for payments' }; `revenue` -> step ''. */
export function splitState(state: string): { job: string; step: string } {
  const space = state.indexOf(' ');
  return space < 0 ? { job: state, step: '' } : { job: state.slice(0, space), step: state.slice(space + 1) };
}
