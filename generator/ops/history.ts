// Per-job status of one execution, read from its history. The compiler names the Task of job J
// `J` and every helper state `J <something>` (runtime contract), so a state name says which job an
// event belongs to; events without a name (TaskScheduled, TaskFailed, ...) belong to the state
// their `previousEventId` chain leads back to.
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
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
}

/**
 * Per-job status from the events (oldest first). `jobs` are the workflow's jobs in order;
 * `finishes` names the jobs whose completion is their `J finishes` step (data pipelines).
 */
export function jobStatuses(events: readonly HistoryEvent[], jobs: readonly string[], finishes: ReadonlySet<string> = new Set()): JobStatus[] {
  const trackers = new Map<string, Tracker>(
    jobs.map((job) => [job, { job, status: 'not started', attempts: 0, finishesStep: finishes.has(job) }]),
  );
  const owner = new Map<number, string>();
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    const exited = e.stateExitedEventDetails?.name;
    const state = entered ?? exited ?? owner.get(e.previousEventId ?? -1);
    if (e.id !== undefined && state !== undefined) owner.set(e.id, state);
    const time = e.timestamp;
    const type = e.type ?? '';

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
    if (state === undefined) continue;
    const { job, step } = splitState(state);
    const t = trackers.get(job);
    if (!t) continue;

    if (entered !== undefined) {
      onEntered(t, step, time);
    } else if (exited !== undefined) {
      onExited(t, step, time);
    } else if (step === '') {
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
  return [...trackers.values()].map(({ taskOutcome: _o, finishesStep: _f, ...status }) => status);
}

function onEntered(t: Tracker, step: string, time: Date | undefined): void {
  if (step === '') {
    t.status = 'running';
    t.start = time;
    t.end = undefined;
    t.durationMs = undefined;
    t.waitingFor = undefined;
    t.taskOutcome = undefined;
    t.error = undefined;
    t.cause = undefined;
  } else if (step === 'skipped') {
    t.status = 'skipped';
  } else if (step.startsWith('waits for ') && t.status !== 'running') {
    t.status = 'waiting';
    t.waitingFor = step.slice('waits for '.length);
  } else if (step === 'failed') {
    if (t.status !== 'failed') {
      if (t.taskOutcome !== 'failed' && t.finishesStep) {
        t.error = 'stepgraph.JobFailed';
        t.cause = "the job's own marker did not appear within its timeout";
      }
      t.error = t.error ?? 'stepgraph.JobFailed';
      close(t, 'failed', time);
    }
  } else if (/^wait for .+ failed$/.test(step)) {
    const what = step.slice('wait for '.length, -' failed'.length);
    t.error = 'stepgraph.WaitTimedOut';
    t.cause = `'${what}' did not arrive before the wait's deadline`;
    t.waitingFor = undefined;
    close(t, 'failed', time);
  }
}

function onExited(t: Tracker, step: string, time: Date | undefined): void {
  if (step === '' && t.status === 'running') {
    if (t.taskOutcome === 'failed') close(t, 'failed', time);
    else if (!t.finishesStep) close(t, 'succeeded', time);
  } else if (step === 'finishes' && t.status === 'running') {
    close(t, 'succeeded', time);
  } else if (step.startsWith('waits for ') && t.status === 'waiting') {
    t.waitingFor = undefined;
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
