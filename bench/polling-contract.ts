// The benchmark's baseline for waits: the polling contract stepgraph emitted before waits became
// callbacks (docs/architecture.md has the reactive one). It is derived from the reactive
// definition by rewriting only the waits, so the two run the same plan on the same engine and
// differ in how a wait learns that it may go on:
// - a wait (`J waits for X`) reads its marker (`aws-sdk:s3:getObject`) and is retried on
//   S3.NoSuchKeyException with backoff up to the poll interval, as many attempts as fit in its
//   deadline (the schedule below is the one that contract used);
// - an in-run signal is an object `<prefix>_runs/<execution>/<job>.ok` the waiting job polls for;
// - a data pipeline's Task only activates it, and `J finishes` polls for the pipeline's marker.
import type { Definition } from '../generator/emit/asl.ts';
import type { State, States } from '../generator/emit/job.ts';
import { ACTIVATOR_FUNCTION as ACTIVATOR, placeholder, ROUTER_FUNCTION as ROUTER } from '../generator/contract/placeholders.ts';
import { stateEvents } from '../generator/emit/limits.ts';
import type { Workflow } from '../generator/model.ts';

const ROUTER_FUNCTION = placeholder(ROUTER);
const ACTIVATOR_FUNCTION = placeholder(ACTIVATOR);
const FIRST_INTERVAL = 5;
const BACKOFF = 2;

/**
 * The polling contract's retry schedule: checks at once, then every 5 s doubling up to the poll
 * interval, as many attempts as reach the deadline.
 */
export function pollRetrier(deadlineSeconds: number, pollSeconds: number): { IntervalSeconds: number; BackoffRate: number; MaxDelaySeconds: number; MaxAttempts: number } {
  const poll = Math.max(1, Math.round(pollSeconds));
  const first = Math.min(FIRST_INTERVAL, poll);
  let attempts = 0;
  let sum = 0;
  for (let d = first; d < poll && sum < deadlineSeconds; d *= BACKOFF) {
    sum += d;
    attempts++;
  }
  if (sum < deadlineSeconds) attempts += Math.ceil((deadlineSeconds - sum) / poll);
  return { IntervalSeconds: first, BackoffRate: first < poll ? BACKOFF : 1, MaxDelaySeconds: poll, MaxAttempts: Math.max(1, attempts) };
}

/** Worst-case history events of one wait with this deadline: polling, and a callback. */
export function historyPerWait(deadlineSeconds: number, pollSeconds: number): { polling: number; callback: number } {
  const polling: State = { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Retry: [{ ErrorEquals: ['S3.NoSuchKeyException'], ...pollRetrier(deadlineSeconds, pollSeconds) }] };
  const callback: State = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: deadlineSeconds };
  return { polling: stateEvents('w', polling), callback: stateEvents('w', callback) };
}

/** The poll interval the polling contract defaulted to. */
export const POLL_SECONDS = 60;

export function pollingDefinition(reactive: Definition, workflow: Workflow, bucket: string): Definition {
  const poll = POLL_SECONDS;
  const runKey = (job: string): string => `States.Format('${workflow.markers.prefix}_runs/{}/${job}.ok', $.run.execution)`;
  const read = (parameters: State, deadline: number): State => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
    Parameters: parameters,
    ResultPath: null,
    Retry: [{ ErrorEquals: ['S3.NoSuchKeyException'], ...pollRetrier(deadline, poll) }],
  });
  const rewrite = (states: States): States => {
    const out: States = {};
    for (const [name, state] of Object.entries(states)) {
      const link = { ...(state.Next !== undefined && { Next: state.Next }), ...(state.End !== undefined && { End: state.End }) };
      const p = state.Parameters as { FunctionName?: string; Payload?: Record<string, unknown> } | undefined;
      const payload = p?.Payload as { action?: string; subject?: Record<string, string>; job?: string; timeoutSeconds?: number; wait?: { subject: Record<string, string> } } | undefined;
      if (p?.FunctionName === ROUTER_FUNCTION && payload?.action === 'wait' && payload.subject) {
        const s = payload.subject;
        const parameters = s.kind === 'signal' ? { Bucket: bucket, 'Key.$': runKey(s.job) } : { Bucket: s.bucket, 'Key.$': s['key.$'] };
        out[name] = { ...read(parameters, payload.timeoutSeconds!), ...link };
      } else if (p?.FunctionName === ROUTER_FUNCTION && payload?.action === 'signal') {
        out[name] = { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { Bucket: bucket, 'Key.$': runKey(payload.job!), Body: {} }, ResultPath: null, ...link };
      } else if (p?.FunctionName === ACTIVATOR_FUNCTION && payload?.wait) {
        const { wait, ...activation } = payload;
        const finishes = `${name} finishes`;
        out[name] = { ...state, Resource: 'arn:aws:states:::lambda:invoke', Parameters: { ...p, Payload: activation }, Next: finishes, End: undefined };
        delete out[name].End;
        out[finishes] = { ...read({ Bucket: wait.subject.bucket, 'Key.$': wait.subject['key.$'] }, state.TimeoutSeconds as number), ...link };
      } else if (state.Type === 'Parallel') {
        out[name] = { ...state, Branches: (state.Branches as { StartAt: string; States: States }[]).map((b) => ({ ...b, States: rewrite(b.States) })) };
      } else {
        out[name] = state;
      }
    }
    return out;
  };
  return { ...reactive, States: rewrite(reactive.States) };
}
