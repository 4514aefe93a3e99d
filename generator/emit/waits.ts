// The one waiting mechanism (generator/contract/waits.ts): a callback Task that hands the router
// its task token and the subject it waits for, and sleeps until the router releases it or its
// TimeoutSeconds (the wait's deadline) passes. Past the deadline it fails with States.Timeout in
// its own state, so a redrive re-enters exactly this wait. No Retry loop looks for anything.
import { ACTIVATOR_FUNCTION as ACTIVATOR_FUNCTION_NAME, placeholder, ROUTER_FUNCTION as ROUTER_FUNCTION_NAME } from '../contract/placeholders.ts';
import { markerKeyFormat } from '../contract/markers.ts';
import type { SignalRequest, WaitRequest } from '../contract/waits.ts';
import { intrinsicText } from '../kinds/templates.ts';

export type State = Record<string, unknown>;

/** The router function of the workflow's stack (infra fills it in; the local engine serves it). */
export const ROUTER_FUNCTION = placeholder(ROUTER_FUNCTION_NAME);

/** The function that starts callback kinds' work and registers their wait (infra/activator.ts). */
export const ACTIVATOR_FUNCTION = placeholder(ACTIVATOR_FUNCTION_NAME);

/** `Key.$` of a marker of the run's date: `<prefix><marker>__<datekey>.done`. */
export const markerKey = (prefix: string, marker: string): string => `States.Format('${markerKeyFormat(intrinsicText(prefix), marker)}', $.run.datekey)`;

/** The subject of a wait for a marker of the run's date (contract/waits.ts: WaitSubject). */
export const markerSubject = (bucket: string, prefix: string, marker: string): State => ({ kind: 'marker', bucket, 'key.$': markerKey(prefix, marker) });

/** Lambda's own transient errors, retried as AWS recommends for every lambda:invoke. */
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
export const lambdaRetry = { ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 };

/** Payload fields of a subject: static strings, or `.$` paths and intrinsics. */
export type SubjectParameters = State;

/**
 * A wait state. `subject` is the WaitSubject as Parameters (keys may end in `.$`); `timeoutSeconds`
 * is fixed, or read from the state input with `timeoutPath` (a sweep item's own deadline).
 */
export function callbackWait(state: string, subject: SubjectParameters, deadline: { seconds: number } | { path: string }): State {
  // Key order is the WaitRequest's; `.$` keys are filled in by Step Functions.
  const payload: State = {
    action: 'wait' satisfies WaitRequest['action'],
    subject,
    'token.$': '$$.Task.Token',
    'execution.$': '$$.Execution.Id',
    state,
    ...('seconds' in deadline ? { timeoutSeconds: deadline.seconds } : { 'timeoutSeconds.$': deadline.path }),
  };
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: { FunctionName: ROUTER_FUNCTION, Payload: payload },
    ...('seconds' in deadline ? { TimeoutSeconds: deadline.seconds } : { TimeoutSecondsPath: deadline.path }),
    ResultPath: null,
    Retry: [lambdaRetry],
  };
}

/** `J signals`: tells the router that job J of this run is done (or skipped). */
export function signalState(job: string, keepSeconds: number): State {
  const payload: State = { action: 'signal' satisfies SignalRequest['action'], 'run.$': '$.run.execution', job, keepSeconds };
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: ROUTER_FUNCTION, Payload: payload },
    ResultPath: null,
    Retry: [lambdaRetry],
  };
}
