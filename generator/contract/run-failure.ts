// Where a closed run broke, read from its execution history. The runtime contract makes the state
// a run failed in name the job: a job that fails after its retries fails in its own Task, a wait
// past its deadline fails in its wait state (`J waits for X`, States.Timeout), nothing catches a
// failure into a Fail state but a sweep job's `J failed` (too many items failed) and the
// prologue's `Invalid input`. `stepgraph status`, `stepgraph redrive` and the failure alert
// (handlers/failure.ts) all read a run through this one module, so they name the same job.
//
// No dependencies: events are the subset of GetExecutionHistory's HistoryEvent read here.

export interface ErrorDetails {
  error?: string;
  cause?: string;
}

export interface RunEvent {
  id?: number;
  previousEventId?: number;
  type?: string;
  timestamp?: Date;
  stateEnteredEventDetails?: { name?: string; input?: string };
  stateExitedEventDetails?: { name?: string };
  taskScheduledEventDetails?: { timeoutInSeconds?: number };
  taskFailedEventDetails?: ErrorDetails;
  taskTimedOutEventDetails?: ErrorDetails;
  taskStartFailedEventDetails?: ErrorDetails;
  taskSubmitFailedEventDetails?: ErrorDetails;
  lambdaFunctionFailedEventDetails?: ErrorDetails;
  lambdaFunctionTimedOutEventDetails?: ErrorDetails;
  lambdaFunctionStartFailedEventDetails?: ErrorDetails;
  lambdaFunctionScheduleFailedEventDetails?: ErrorDetails;
  activityFailedEventDetails?: ErrorDetails;
  activityTimedOutEventDetails?: ErrorDetails;
  activityScheduleFailedEventDetails?: ErrorDetails;
  mapRunFailedEventDetails?: ErrorDetails;
  evaluationFailedEventDetails?: ErrorDetails;
  executionFailedEventDetails?: ErrorDetails;
  executionTimedOutEventDetails?: ErrorDetails;
  executionAbortedEventDetails?: ErrorDetails;
}

/** Where each failure event keeps its error and cause. */
const FAILURE_DETAILS = {
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  TaskStartFailed: 'taskStartFailedEventDetails',
  TaskSubmitFailed: 'taskSubmitFailedEventDetails',
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
  LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
  LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
  ActivityFailed: 'activityFailedEventDetails',
  ActivityTimedOut: 'activityTimedOutEventDetails',
  ActivityScheduleFailed: 'activityScheduleFailedEventDetails',
  // A Distributed Map past its tolerated failures, and an intrinsic or path that could not be evaluated.
  MapRunFailed: 'mapRunFailedEventDetails',
  EvaluationFailed: 'evaluationFailedEventDetails',
} as const satisfies Record<string, keyof RunEvent>;

/** Events that end one attempt of a state unsuccessfully (a Retry may still follow). */
export const FAILURE_EVENTS: ReadonlySet<string> = new Set(Object.keys(FAILURE_DETAILS));

const RUN_END_DETAILS = {
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
} as const satisfies Record<string, keyof RunEvent>;

type RunEnd = keyof typeof RUN_END_DETAILS;
const isRunEnd = (type: string | undefined): type is RunEnd => type !== undefined && type in RUN_END_DETAILS;

/** Events after which the same state is still at work: a retry, a success, its exit. */
const CONTINUES = /(Scheduled|Started|Submitted|Succeeded|StateExited)$/;

/** The error and cause of a failure event or a run's end. */
export function errorOf(event: RunEvent): ErrorDetails {
  const type = event.type ?? '';
  const key = (FAILURE_DETAILS as Record<string, keyof RunEvent>)[type] ?? (RUN_END_DETAILS as Record<string, keyof RunEvent>)[type];
  const details = key ? (event[key] as ErrorDetails | undefined) : undefined;
  return { ...(details?.error && { error: details.error }), ...(details?.cause && { cause: details.cause }) };
}

export interface FailedState {
  /** The state the run failed in. */
  state: string;
  /** The type of the event that entered it (`TaskStateEntered`, `MapStateEntered`, ...). */
  stateType?: string;
  /** `task`: its last attempt failed or timed out and nothing caught it; `fail`: a Fail state; `other`: only the run's end points at it. */
  how: 'task' | 'fail' | 'other';
  /** A deadline passed: the state's TimeoutSeconds (a job's timeout, a wait's deadline). */
  timedOut: boolean;
  error?: string;
  cause?: string;
  /** The deadline that passed, when the history has it (TaskScheduled's timeoutInSeconds). */
  timeoutSeconds?: number;
  enteredAt?: Date;
  failedAt?: Date;
  /** The run ended in RUN_FAILED_STATE: this failure was handed on to run_if jobs, which ran. */
  handedOn?: true;
}

export interface RunOutcome {
  end: RunEnd;
  /** The index of the end event in the events given. */
  endIndex: number;
  /** The run's own error and cause (for a failure in a Task: the Task's). */
  error?: string;
  cause?: string;
  /** Where a FAILED run failed, when the history shows it. */
  failed?: FailedState;
  /** States entered and not left when the run closed (in the attempt that closed it), oldest first. */
  inFlight: string[];
}

/**
 * How the run closed at `events[endIndex]` (an ExecutionFailed, ExecutionTimedOut or
 * ExecutionAborted). Only the attempt that closed it counts: a redrive re-enters every state that
 * had not succeeded, so what failed before the last ExecutionRedriven is history.
 */
export function closedAt(events: readonly RunEvent[], endIndex: number): RunOutcome {
  const endEvent = events[endIndex];
  const end = endEvent.type as RunEnd;
  const own = errorOf(endEvent);
  let from = 0;
  for (let i = endIndex - 1; i >= 0; i--) {
    if (events[i].type === 'ExecutionRedriven' || events[i].type === 'ExecutionStarted') {
      from = i;
      break;
    }
  }
  const entries = stateEntries(events, endIndex);

  const exited = new Set<number>();
  const continued = new Map<number, number>(); // entry -> index of its latest continuing event
  for (let i = from; i < endIndex; i++) {
    const at = entries[i];
    if (at === undefined) continue;
    if (events[i].stateExitedEventDetails?.name !== undefined) exited.add(at);
    if (CONTINUES.test(events[i].type ?? '')) continued.set(at, i);
  }
  const inFlight: string[] = [];
  for (let i = from; i < endIndex; i++) {
    if (entries[i] === i && !exited.has(i)) inFlight.push(events[i].stateEnteredEventDetails!.name!);
  }

  const outcome: RunOutcome = { end, endIndex, ...own, inFlight };
  if (end !== 'ExecutionFailed') return outcome;
  const failed = failurePoint(events, from, endIndex, entries, continued, own);
  return failed ? { ...outcome, failed } : outcome;
}

/** Each event's state up to `last`: the index of the state-entered event its previousEventId chain leads back to. */
function stateEntries(events: readonly RunEvent[], last: number): (number | undefined)[] {
  const entryOf = new Map<number, number>();
  const entry = (i: number): number | undefined => {
    const e = events[i];
    if (e.stateEnteredEventDetails?.name !== undefined) return i;
    return e.previousEventId !== undefined ? entryOf.get(e.previousEventId) : undefined;
  };
  const entries: (number | undefined)[] = [];
  for (let i = 0; i <= last; i++) {
    const at = entry(i);
    entries.push(at);
    if (events[i].id !== undefined && at !== undefined) entryOf.set(events[i].id!, at);
  }
  return entries;
}

/**
 * The first failure handed on in the latest attempt of an execution, whatever its end: a child
 * machine of a split graph hands a failure on and still succeeds (the main machine ends the run
 * in RUN_FAILED_STATE), so its history holds the job that failed (contract/part-failures.ts).
 */
export function handedOnIn(events: readonly RunEvent[]): FailedState | undefined {
  let from = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].type === 'ExecutionRedriven' || events[i].type === 'ExecutionStarted') {
      from = i;
      break;
    }
  }
  return firstHandedOn(events, from, events.length, stateEntries(events, events.length - 1));
}

function failurePoint(
  events: readonly RunEvent[],
  from: number,
  endIndex: number,
  entries: readonly (number | undefined)[],
  continued: ReadonlyMap<number, number>,
  own: ErrorDetails,
): FailedState | undefined {
  const entered = (at: number): Pick<FailedState, 'state' | 'stateType' | 'enteredAt'> => ({
    state: events[at].stateEnteredEventDetails!.name!,
    ...(events[at].type && { stateType: events[at].type }),
    ...(events[at].timestamp && { enteredAt: events[at].timestamp }),
  });
  // A Fail state ends the run by itself, with its own error (the run's).
  for (let i = endIndex - 1; i >= from; i--) {
    if (events[i].type === 'FailStateEntered' && events[i].stateEnteredEventDetails?.name === RUN_FAILED_STATE) {
      // A failure handed on to a run_if job: the run failed at its end, the job failed first.
      const first = firstHandedOn(events, from, endIndex, entries);
      if (first) return first;
    }
    if (events[i].type === 'FailStateEntered' && events[i].stateEnteredEventDetails?.name !== undefined) {
      return { ...entered(i), how: 'fail', timedOut: false, ...own, ...(events[i].timestamp && { failedAt: events[i].timestamp }) };
    }
  }
  // Otherwise the last attempt of a state failed and no retry followed. When a Parallel branch
  // fails, a sibling's attempt may have failed too while it waited for its retry: the one whose
  // error is the run's is the one that failed it.
  const finals: number[] = [];
  for (let i = from; i < endIndex; i++) {
    const at = entries[i];
    if (!FAILURE_EVENTS.has(events[i].type ?? '') || at === undefined) continue;
    if ((continued.get(at) ?? -1) > i) continue;
    finals.push(i);
  }
  const same = (i: number): boolean => {
    const { error, cause } = errorOf(events[i]);
    return error === own.error && (cause === undefined || own.cause === undefined || cause === own.cause);
  };
  const pick = [...finals].reverse().find(same) ?? finals[finals.length - 1];
  if (pick !== undefined) {
    const at = entries[pick]!;
    const details = errorOf(events[pick]);
    const type = events[pick].type ?? '';
    const timedOut = type.endsWith('TimedOut') || details.error === 'States.Timeout';
    return {
      ...entered(at),
      how: type === 'MapRunFailed' || type === 'EvaluationFailed' ? 'other' : 'task',
      timedOut,
      ...(details.error || details.cause ? details : own),
      ...(timedOut && scheduledTimeout(events, at, pick, entries)),
      ...(events[pick].timestamp && { failedAt: events[pick].timestamp }),
    };
  }
  // Nothing failed by itself (an error in a Pass or a Choice): the run's end points at the state.
  for (let i = events[endIndex].previousEventId, steps = 0; i !== undefined && steps < 100; steps++) {
    const index = events.findIndex((e) => e.id === i);
    if (index < from || index < 0) break;
    const at = entries[index];
    if (at !== undefined) return { ...entered(at), how: 'other', timedOut: own.error === 'States.Timeout', ...own, ...(events[endIndex].timestamp && { failedAt: events[endIndex].timestamp }) };
    i = events[index].previousEventId;
  }
  return undefined;
}

/**
 * The Fail state a run with trigger rules ends in when a job failed and the jobs whose `run_if`
 * waited for it ran; each such failure went through `<job> failure handed on` (emit/outcomes.ts).
 */
export const RUN_FAILED_STATE = 'Run failed';
export const HANDED_ON = ' failure handed on';
/** A guarded pool job gives its slot back between its failure and `J failure handed on` (emit/pool.ts). */
export const RELEASED_AFTER_FAILURE = ' after failure';

/** The state that failed first among the failures handed on: the state the catch came from. */
function firstHandedOn(events: readonly RunEvent[], from: number, endIndex: number, entries: readonly (number | undefined)[]): FailedState | undefined {
  for (let i = from; i < endIndex; i++) {
    const name = events[i].stateEnteredEventDetails?.name;
    if (events[i].type !== 'PassStateEntered' || !name?.endsWith(HANDED_ON)) continue;
    let previous = events.findIndex((e) => e.id !== undefined && e.id === events[i].previousEventId);
    let at = previous >= 0 ? entries[previous] : undefined;
    // A pool job's release on the way: the failure is the state before it.
    if (at !== undefined && events[at].stateEnteredEventDetails?.name?.endsWith(RELEASED_AFTER_FAILURE)) {
      const before = events[at].previousEventId;
      previous = events.findIndex((e) => e.id !== undefined && e.id === before);
      at = previous >= 0 ? entries[previous] : undefined;
    }
    let details: ErrorDetails = {};
    let failedAt: Date | undefined;
    for (let k = previous; at !== undefined && k > at; k--) {
      if (entries[k] === at && FAILURE_EVENTS.has(events[k].type ?? '')) {
        details = errorOf(events[k]);
        failedAt = events[k].timestamp;
        break;
      }
    }
    const state = at !== undefined ? events[at].stateEnteredEventDetails!.name! : name.slice(0, -HANDED_ON.length);
    const timedOut = details.error === 'States.Timeout';
    return {
      state,
      ...(at !== undefined && events[at].type && { stateType: events[at].type }),
      how: 'task',
      timedOut,
      handedOn: true,
      ...details,
      ...(at !== undefined && events[at].timestamp && { enteredAt: events[at].timestamp }),
      ...(failedAt && { failedAt }),
    };
  }
  return undefined;
}

/** The TimeoutSeconds of the attempt that timed out, from its TaskScheduled event. */
function scheduledTimeout(events: readonly RunEvent[], at: number, failure: number, entries: readonly (number | undefined)[]): { timeoutSeconds?: number } {
  for (let i = failure - 1; i > at; i--) {
    const seconds = events[i].taskScheduledEventDetails?.timeoutInSeconds;
    if (entries[i] === at && seconds !== undefined) return { timeoutSeconds: seconds };
  }
  return {};
}

/**
 * How the run closed last; undefined while it runs (or runs again after a redrive) and when it
 * succeeded. Events oldest first, every page.
 */
export function runOutcome(events: readonly RunEvent[]): RunOutcome | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const type = events[i].type;
    if (type === 'ExecutionRedriven' || type === 'ExecutionSucceeded') return undefined;
    if (isRunEnd(type)) return closedAt(events, i);
  }
  return undefined;
}

/** The error a job gets when its wait passed its deadline (the history says States.Timeout). */
export const WAIT_TIMED_OUT = 'stepgraph.WaitTimedOut';

/** `J waits for X` -> X, for the job J (emit/names.ts names every wait so). */
export function waitedFor(state: string, job: string): string | undefined {
  const prefix = `${job} waits for `;
  return state.startsWith(prefix) ? state.slice(prefix.length) : undefined;
}

/**
 * Why a wait timed out, in the user's words: what it waited for (a marker of another producer or
 * a job of the same run) and, when known, for how long.
 */
export function waitTimedOutCause(what: string, kind: 'marker' | 'job', timeoutSeconds?: number): string {
  const within = timeoutSeconds !== undefined ? ` within the wait's deadline (${briefDuration(timeoutSeconds)})` : " within the wait's deadline";
  return kind === 'job' ? `job '${what}' of this run did not finish${within}` : `marker '${what}' was not written${within}`;
}

/** Why a job's own Task timed out when the history gives no cause (a Task's time-out has none). */
export function jobTimedOutCause(timeoutSeconds?: number, ownMarker = false): string {
  const within = timeoutSeconds !== undefined ? ` (${briefDuration(timeoutSeconds)})` : '';
  return ownMarker ? `the pipeline did not write the job's marker within the job's timeout${within}` : `the job did not finish within its timeout${within}`;
}

/** 3h, 90m, 1h 30m, 45s: a deadline as written in a workflow file. */
export function briefDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60 || s % 60 !== 0) return `${s}s`;
  const m = s / 60;
  if (m < 60 || m % 60 === 0) return m < 60 ? `${m}m` : `${m / 60}h`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
