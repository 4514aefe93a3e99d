// What an execution costs in Step Functions' own units, counted from the engine's events.
//
// State transitions (what Standard workflows bill): every state entered, plus every retry of a
// state (AWS bills a retry as a transition). A wait is one Task: nothing polls.
//
// stepgraph's own Lambda invocations: each wait registers with the router and each in-run signal
// tells it (one invocation per attempt), a data pipeline's Task invokes the activator, and each
// marker a wait or a pipeline's Task is released by reaches the router as one S3 event. S3's
// events reach EventBridge's default bus at no charge; the backstop's schedule is per stack, not
// per run, and is left out.
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
/**
 * USD per invocation of stepgraph's router or activator: the request ($0.20 per million) and
 * 100 ms at 128 MB ($0.0000166667 per GB-second), us-east-1 list prices.
 */
export const PRICE_PER_INVOCATION = 0.0000002 + 0.1 * (128 / 1024) * 0.0000166667;

export interface Counts {
  stateTransitions: number;
  /** Of the largest execution. */
  historyEvents: number;
  /** Per execution name: the run's own, then its children's. */
  historyByExecution: Record<string, number>;
  /** Task attempts, first tries and retries. */
  taskAttempts: number;
  /** Invocations of stepgraph's own functions (router, activator): see the header. */
  lambdaInvocations: number;
  /** Reads repeated until they found something (retries of an S3 read): 0 for stepgraph's own definitions. */
  polls: number;
  /** Transitions and stepgraph's own invocations. */
  costUsd: number;
}

export function countEvents(events: readonly RecordedEvent[], index: StateIndex): Counts {
  let entered = 0;
  let retried = 0;
  let taskAttempts = 0;
  let invocations = 0;
  let polls = 0;
  const histories = new Map<string, number>();
  let history = 0;
  const taskAttempt = (state: string | undefined): void => {
    taskAttempts++;
    const task = state !== undefined ? index.tasks.get(state) : undefined;
    history += 3 + (task?.sync || task?.callback ? 1 : 0);
    if (task?.callback || task?.role.kind === 'signal' || task?.role.kind === 'pool-release') invocations++;
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
        if (e.state !== undefined && index.tasks.get(e.state)?.resource.endsWith(':s3:getObject')) polls++;
        break;
      case 'StateExited': {
        history++;
        // Released by an S3 event: a marker wait, or a data pipeline's own marker.
        const task = e.state !== undefined ? index.tasks.get(e.state) : undefined;
        if (task?.callback && (task.role.kind === 'job' || (task.role.kind === 'wait' && task.role.wait === 'external'))) invocations++;
        break;
      }
    }
    histories.set(e.execution, history);
  }
  const stateTransitions = entered + retried;
  return {
    stateTransitions,
    historyEvents: Math.max(0, ...histories.values()),
    historyByExecution: Object.fromEntries(histories),
    taskAttempts,
    lambdaInvocations: invocations,
    polls,
    costUsd: roundUsd(stateTransitions * PRICE_PER_TRANSITION + invocations * PRICE_PER_INVOCATION),
  };
}

const roundUsd = (usd: number): number => Math.round(usd * 1e6) / 1e6;
