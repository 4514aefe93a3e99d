// The states of one job, in the order they run: selection guard, external waits, in-run waits,
// the job's Task, its marker, its signal. Each helper is a small render function. Nothing here
// catches a failure: a job fails in its own state and a wait in its wait state, so a redrive
// continues exactly there (docs/architecture.md, "runtime contract").
import { writesOwnMarker, type Job, type Workflow } from '../model.ts';
import { names } from './names.ts';
import { callbackWait, lambdaRetry, signalState } from './waits.ts';
import { sweepJobStates } from './sweep.ts';

export type State = Record<string, unknown>;
export type States = Record<string, State>;

export interface JobContext {
  workflow: Workflow;
  jobs: Map<string, Job>;
  bucket: string;
  /** Jobs that other jobs wait for inside the run (they signal when done). */
  signalled: Set<string>;
  /** In-run waits of each job: the jobs it waits for, with the deadline of each wait. */
  inRunWaits: Map<string, { after: string; deadlineSeconds: number }[]>;
  /** The longest a run can take (seconds): how long the router must remember a signal. */
  runSeconds: number;
}

const S3_PUT = 'arn:aws:states:::aws-sdk:s3:putObject';
export const ACTIVATOR_FUNCTION = '${ActivatorFunctionArn}';

/** `Key.$` of a marker of the run's date: `<prefix><marker>__<datekey>.done`. */
export const markerKey = (prefix: string, marker: string): string => `States.Format('${escape(prefix)}${marker}__{}.done', $.run.datekey)`;

// Intrinsic string literals are single-quoted; a quote, brace or backslash in a prefix is escaped.
const escape = (text: string): string => text.replace(/[\\'{}]/g, (c) => `\\${c}`);

/** The subject of a wait for a marker of the run's date (contract/waits.ts: WaitSubject). */
const markerSubject = (bucket: string, prefix: string, marker: string): State => ({ kind: 'marker', bucket, 'key.$': markerKey(prefix, marker) });

/** Adds the job's states to `states`; returns the name of its first state. */
export function renderJob(job: Job, next: string | undefined, ctx: JobContext, states: States): string {
  const after = (state: State): State => (next ? { ...state, Next: next } : { ...state, End: true });
  const chain: [string, State][] = [];
  const signals = ctx.signalled.has(job.name);
  const prefix = ctx.workflow.markers.prefix;

  for (const w of job.waitsFor) {
    const name = names.waitsFor(job.name, w.marker);
    chain.push([name, callbackWait(name, markerSubject(w.bucket ?? ctx.bucket, w.prefix, w.marker), { seconds: w.timeoutSeconds })]);
  }
  for (const sync of ctx.inRunWaits.get(job.name) ?? []) {
    const name = names.waitsFor(job.name, sync.after);
    chain.push([name, callbackWait(name, { kind: 'signal', 'run.$': '$.run.execution', job: sync.after }, { seconds: sync.deadlineSeconds })]);
  }
  if (job.kind.type === 'sweep') chain.push(sweepJobStates(job.name, job.kind.sweep, names.done(job.name), states));
  else chain.push([names.task(job.name), jobTask(job, ctx)]);
  // A data pipeline writes its own marker (its Task ends when the marker appears).
  if (!writesOwnMarker(job)) {
    chain.push([names.done(job.name), { Type: 'Task', Resource: S3_PUT, Parameters: { Bucket: ctx.bucket, 'Key.$': markerKey(prefix, job.name), Body: markerBody(ctx.workflow, job), ContentType: 'application/json' }, ResultPath: null, ...s3Retry }]);
  }
  if (signals) chain.push([names.signals(job.name), signalState(job.name, ctx.runSeconds)]);

  // Link the chain (a sweep's first state comes linked already); the guard and the skipped path come first.
  for (let i = 0; i < chain.length; i++) {
    const [name, state] = chain[i];
    states[name] = state.Next !== undefined ? state : i + 1 < chain.length ? { ...state, Next: chain[i + 1][0] } : after(state);
  }
  const skippedNext = signals ? names.signals(job.name) : undefined;
  states[names.skipped(job.name)] = skippedNext ? { Type: 'Pass', Next: skippedNext } : after({ Type: 'Pass' });
  const guard = names.selected(job.name);
  states[guard] = {
    Type: 'Choice',
    Choices: [{ And: [{ Variable: '$.select', IsPresent: true }, { Variable: `$.select.${job.name}`, IsPresent: false }], Next: names.skipped(job.name) }],
    Default: chain[0][0],
  };
  return guard;
}

/**
 * Marker writes are idempotent, so any failure of one is retried a few times. Step Functions names
 * an aws-sdk error `S3.<exception class>`; S3's throttling and 5xx answers (SlowDown, InternalError,
 * ServiceUnavailable) have no exception class of their own in the SDK and surface under the
 * generic one, so the names to match are not certain: States.TaskFailed matches whatever is raised.
 */
const s3Retry = {
  Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 4 }],
};

function markerBody(workflow: Workflow, job: Job): State {
  return {
    workflow: workflow.name,
    job: job.name,
    'date.$': '$.date',
    'execution.$': '$$.Execution.Id',
    'startedAt.$': '$.job.startedAt',
    'finishedAt.$': '$$.State.EnteredTime',
  };
}

function jobTask(job: Job, ctx: JobContext): State {
  const { Resource, Parameters } = taskTarget(job, ctx);
  const retry = job.retry.attempts > 0 ? [{ ErrorEquals: ['States.ALL'], IntervalSeconds: job.retry.intervalSeconds, BackoffRate: job.retry.backoff, MaxAttempts: job.retry.attempts }] : [];
  return {
    Type: 'Task',
    ...(job.description && { Comment: job.description }),
    Resource,
    ...(Parameters && { Parameters }),
    // A data pipeline's Task lasts until its marker appears: the job's timeout covers the whole run.
    TimeoutSeconds: job.timeoutSeconds,
    ResultSelector: { 'startedAt.$': '$$.State.EnteredTime' },
    ResultPath: '$.job',
    // A job without retries still retries Lambda's own transient errors (as AWS recommends); a
    // job with retries covers them with its own.
    ...(retry.length > 0 ? { Retry: retry } : Resource.startsWith('arn:aws:states:::lambda:') && { Retry: [lambdaRetry] }),
  };
}

function taskTarget(job: Job, ctx: JobContext): { Resource: string; Parameters?: State } {
  const workflow = ctx.workflow;
  const common = { workflow: workflow.name, job: job.name, 'date.$': '$.date', 'execution.$': '$$.Execution.Id' };
  switch (job.kind.type) {
    case 'lambda':
      return {
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: job.kind.function, Payload: { ...common, 'params.$': '$.params', ...(Object.keys(job.params).length > 0 && { jobParams: job.params }) } },
      };
    case 'data_pipeline': {
      // The activator clears the old marker, registers this Task's token for the new one and
      // activates the pipeline; the pipeline's marker releases the Task (contract/waits.ts).
      const wait = callbackWait(job.name, markerSubject(ctx.bucket, workflow.markers.prefix, job.name), { seconds: job.timeoutSeconds });
      const waitPayload = (wait.Parameters as { Payload: State }).Payload;
      return {
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: ACTIVATOR_FUNCTION, Payload: { ...common, pipeline: job.kind.pipeline, parameters: job.kind.parameters, wait: waitPayload } },
      };
    }
    case 'state_machine':
      return {
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: {
          StateMachineArn: job.kind.arn,
          Input: { 'date.$': '$.date', 'params.$': '$.params', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        },
      };
    case 'task':
      return { Resource: job.kind.resource, ...(Object.keys(job.kind.parameters).length > 0 && { Parameters: job.kind.parameters as State }) };
    case 'sweep':
      throw new Error(`job '${job.name}' is a sweep: its states come from emit/sweep.ts, not a Task`);
  }
}
