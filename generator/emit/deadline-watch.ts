// The two states of a workflow with deadlines (contract/deadline-watch.ts): `Deadline watch`
// after `Prepare run` arms the run's one-time schedule, `Deadline watch ends` after the last job
// deletes it. A run that fails never reaches the end, so its schedule still fires and the
// alert names what is late; a redrive that finishes in time reaches the end and cancels it.
// Both are plain lambda:invoke calls of the deadline handler: nothing here waits or polls.
import { DEADLINE_STATES, type ArmRequest, type EndRequest } from '../contract/deadline-watch.ts';
import { DEADLINE_FUNCTION, placeholder } from '../contract/placeholders.ts';
import type { State, States } from './job.ts';
import { lambdaRetry } from './waits.ts';

const FUNCTION = placeholder(DEADLINE_FUNCTION);

/**
 * The handler's own failures (a Scheduler throttle, say) are retried a few times; past them the
 * run fails in its own state, visible and redrivable, rather than running on unwatched.
 */
const handlerRetry = { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 };

function invoke(payload: State): State {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: FUNCTION, Payload: payload },
    ResultPath: null,
    Retry: [lambdaRetry, handlerRetry],
  };
}

/** Both states; `first` is the state the run goes on to after arming. */
export function deadlineWatchStates(first: string): States {
  const arm = { action: 'arm', 'execution.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime', 'input.$': '$$.Execution.Input' } satisfies Record<string, unknown> & { action: ArmRequest['action'] };
  const end = { action: 'end', 'execution.$': '$$.Execution.Id' } satisfies Record<string, unknown> & { action: EndRequest['action'] };
  return {
    [DEADLINE_STATES.watch]: { ...invoke(arm), Next: first },
    [DEADLINE_STATES.end]: { ...invoke(end), End: true },
  };
}
