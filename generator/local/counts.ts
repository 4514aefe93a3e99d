// What an execution costs in Step Functions' own units, counted from the engine's events.
//
// State transitions (what Standard workflows bill): every state entered, plus every retry of a
// state (AWS bills a retry as a transition). Marker waits poll by retrying, so each check counts.
//
// History events (the 25,000-per-execution limit), modelled on what Step Functions records:
// - ExecutionStarted, and one of ExecutionSucceeded / Failed / Aborted;
// - every state entered and every state exited (a Fail state only enters);
// - every Task attempt (the first and each retry): TaskScheduled, TaskStarted and TaskSucceeded
//   or TaskFailed (3 events); `.sync` integrations add TaskSubmitted (4 events);
// - a Parallel state adds ParallelStateStarted and ParallelStateSucceeded/Failed (2 events);
// - a Map state adds MapStateStarted and MapStateSucceeded/Failed, and each iteration
//   MapIterationStarted and MapIterationSucceeded/Failed (2 + 2 per item).
// Events of work aborted when a run fails (TaskStateAborted and the like) are not counted.
// A split workflow's children are executions of their own: each has its own history (the limit
// applies to each), and the run's transitions and cost are those of all of them.
import type { RecordedEvent } from './execute.ts';
import type { StateIndex } from './roles.ts';

/** USD per state transition of a Standard workflow (us-east-1 list price; the first 4,000 a month are free). */
export const PRICE_PER_TRANSITION = 0.000025;
export const HISTORY_EVENT_LIMIT = 25_000;

export interface Counts {
  stateTransitions: number;
  /** Of the largest execution. */
  historyEvents: number;
  /** Per execution name: the run's own, then its children's. */
  historyByExecution: Record<string, number>;
  /** Task attempts, first tries and retries. */
  taskAttempts: number;
  costUsd: number;
}

export function countEvents(events: readonly RecordedEvent[], index: StateIndex): Counts {
  let entered = 0;
  let retried = 0;
  let taskAttempts = 0;
  const histories = new Map<string, number>();
  let history = 0;
  const taskAttempt = (state: string | undefined): void => {
    taskAttempts++;
    history += 3 + (state !== undefined && index.tasks.get(state)?.sync ? 1 : 0);
  };
  for (const e of events) {
    history = histories.get(e.execution) ?? 0;
    switch (e.type) {
      case 'ExecutionStarted':
        if (e.kind === 'root') history++;
        else if (e.kind === 'iteration') history += 2;
        break;
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        if (e.kind === 'root') history++;
        break;
      case 'StateEntered':
        entered++;
        history++;
        if (e.stateType === 'Task') taskAttempt(e.state);
        if (e.stateType === 'Parallel' || e.stateType === 'Map') history += 2;
        break;
      case 'StateRetried':
        retried++;
        if (e.stateType === 'Task') taskAttempt(e.state);
        break;
      case 'StateExited':
        history++;
        break;
    }
    histories.set(e.execution, history);
  }
  const stateTransitions = entered + retried;
  return {
    stateTransitions,
    historyEvents: Math.max(0, ...histories.values()),
    historyByExecution: Object.fromEntries(histories),
    taskAttempts,
    costUsd: roundUsd(stateTransitions * PRICE_PER_TRANSITION),
  };
}

const roundUsd = (usd: number): number => Math.round(usd * 1e6) / 1e6;
