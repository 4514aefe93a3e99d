// The states of one job, in the order they run: selection guard, external waits, in-run waits,
// the job's Task, its marker, its signal. Each helper is a small render function.
import { writesOwnMarker, type ExternalMarker, type Job, type Workflow } from '../model.ts';
import { names } from './names.ts';
import { pollSchedule } from './waits.ts';
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
}

const S3 = {
  get: 'arn:aws:states:::aws-sdk:s3:getObject',
  put: 'arn:aws:states:::aws-sdk:s3:putObject',
  delete: 'arn:aws:states:::aws-sdk:s3:deleteObject',
};
const NO_SUCH_KEY = 'S3.NoSuchKeyException';

/** `Key.$` of a marker of the run's date: `<prefix><marker>__<datekey>.done`. */
export const markerKey = (prefix: string, marker: string): string => `States.Format('${escape(prefix)}${marker}__{}.done', $.run.datekey)`;
/** Run-scoped key written when a job of this execution is done. */
export const signalKey = (prefix: string, job: string): string => `States.Format('${escape(prefix)}_runs/{}/${job}.ok', $.run.execution)`;

// Intrinsic string literals are single-quoted; a quote, brace or backslash in a prefix is escaped.
const escape = (text: string): string => text.replace(/[\\'{}]/g, (c) => `\\${c}`);

/** Adds the job's states to `states`; returns the name of its first state. */
export function renderJob(job: Job, next: string | undefined, ctx: JobContext, states: States): string {
  const after = (state: State): State => (next ? { ...state, Next: next } : { ...state, End: true });
  const chain: [string, State][] = [];
  const signals = ctx.signalled.has(job.name);
  const prefix = ctx.workflow.markers.prefix;

  // A wait's Fail state is a side exit, not part of the chain.
  const wait = (what: string, parameters: State, deadlineSeconds: number, pollSeconds: number, cause: string): void => {
    const failed = names.waitFailed(job.name, what);
    chain.push([names.waitsFor(job.name, what), waitState(parameters, deadlineSeconds, pollSeconds, failed)]);
    states[failed] = { Type: 'Fail', Error: 'stepgraph.WaitTimedOut', Cause: cause };
  };
  for (const w of job.waitsFor) {
    wait(w.marker, { Bucket: w.bucket ?? ctx.bucket, 'Key.$': markerKey(w.prefix, w.marker) }, w.timeoutSeconds, w.pollSeconds, externalCause(job, w));
  }
  for (const sync of ctx.inRunWaits.get(job.name) ?? []) {
    const cause = `job '${job.name}' needs '${sync.after}', which did not finish in this run within ${sync.deadlineSeconds}s`;
    wait(sync.after, { Bucket: ctx.bucket, 'Key.$': signalKey(prefix, sync.after) }, sync.deadlineSeconds, ctx.workflow.defaults.wait.pollSeconds, cause);
  }
  if (writesOwnMarker(job)) {
    chain.push([names.clearsMarker(job.name), { Type: 'Task', Resource: S3.delete, Parameters: { Bucket: ctx.bucket, 'Key.$': markerKey(prefix, job.name) }, ResultPath: null, ...s3Retry }]);
  }
  if (job.kind.type === 'sweep') chain.push(sweepJobStates(job.name, job.kind.sweep, names.done(job.name), names.failed(job.name), states));
  else chain.push([names.task(job.name), jobTask(job, ctx)]);
  if (writesOwnMarker(job)) {
    // The pipeline writes its own marker; its absence past the job's timeout fails the job.
    chain.push([names.finishes(job.name), waitState({ Bucket: ctx.bucket, 'Key.$': markerKey(prefix, job.name) }, job.timeoutSeconds, ctx.workflow.defaults.wait.pollSeconds, names.failed(job.name))]);
  } else {
    chain.push([names.done(job.name), { Type: 'Task', Resource: S3.put, Parameters: { Bucket: ctx.bucket, 'Key.$': markerKey(prefix, job.name), Body: markerBody(ctx.workflow, job), ContentType: 'application/json' }, ResultPath: null, ...s3Retry }]);
  }
  if (signals) chain.push([names.signals(job.name), signalState(job, ctx)]);

  // Link the chain (a sweep's first state comes linked already); the guard and the skipped path come first.
  for (let i = 0; i < chain.length; i++) {
    const [name, state] = chain[i];
    states[name] = state.Next !== undefined ? state : i + 1 < chain.length ? { ...state, Next: chain[i + 1][0] } : after(state);
  }
  const skippedNext = signals ? names.signals(job.name) : undefined;
  states[names.skipped(job.name)] = skippedNext ? { Type: 'Pass', Next: skippedNext } : after({ Type: 'Pass' });
  states[names.failed(job.name)] = { Type: 'Fail', Error: 'stepgraph.JobFailed', Cause: failureCause(job) };
  const guard = names.selected(job.name);
  states[guard] = {
    Type: 'Choice',
    Choices: [{ And: [{ Variable: '$.select', IsPresent: true }, { Variable: `$.select.${job.name}`, IsPresent: false }], Next: names.skipped(job.name) }],
    Default: chain[0][0],
  };
  return guard;
}

function waitState(parameters: State, deadlineSeconds: number, pollSeconds: number, onTimeout: string): State {
  const { lastCheckSeconds: _, ...retry } = pollSchedule(deadlineSeconds, pollSeconds);
  return {
    Type: 'Task',
    Resource: S3.get,
    Parameters: parameters,
    ResultPath: null,
    Retry: [{ ErrorEquals: [NO_SUCH_KEY], ...retry }, ...s3Retry.Retry],
    Catch: [{ ErrorEquals: [NO_SUCH_KEY], Next: onTimeout }],
  };
}

const externalCause = (job: Job, wait: ExternalMarker): string =>
  `job '${job.name}' waited ${wait.timeoutSeconds}s for marker '${wait.marker}' (${wait.prefix}${wait.marker}__<date>.done) and it did not appear`;

// A sweep job has no Task of its own: its reason is the sweep's count, kept in $.sweep.error.
const failureCause = (job: Job): string =>
  job.kind.type === 'sweep'
    ? `job '${job.name}' failed: more of its sweep's items failed than it tolerates; the counts are in $.sweep.error of this state's input`
    : `job '${job.name}' failed${attemptsText(job)}; its Task events hold the underlying error`;

const attemptsText = (job: Job): string => (job.retry.attempts > 0 ? ` after ${job.retry.attempts + 1} attempts` : '');

/** Transient S3 errors (throttling, 5xx) are retried a few times; a missing key is not transient. */
const s3Retry = {
  Retry: [{ ErrorEquals: ['S3.SlowDownException', 'S3.InternalErrorException', 'S3.ServiceUnavailableException'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }],
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

function signalState(job: Job, ctx: JobContext): State {
  return {
    Type: 'Task',
    Resource: S3.put,
    Parameters: { Bucket: ctx.bucket, 'Key.$': signalKey(ctx.workflow.markers.prefix, job.name), Body: { job: job.name, 'execution.$': '$$.Execution.Id' }, ContentType: 'application/json' },
    ResultPath: null,
    ...s3Retry,
  };
}

function jobTask(job: Job, ctx: JobContext): State {
  const { Resource, Parameters } = taskTarget(job, ctx.workflow);
  const retry = job.retry.attempts > 0 ? { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: job.retry.intervalSeconds, BackoffRate: job.retry.backoff, MaxAttempts: job.retry.attempts }] } : {};
  return {
    Type: 'Task',
    ...(job.description && { Comment: job.description }),
    Resource,
    ...(Parameters && { Parameters }),
    // The activation of a data pipeline is quick; the job's timeout applies to its marker wait.
    ...(!writesOwnMarker(job) && { TimeoutSeconds: job.timeoutSeconds }),
    ResultSelector: { 'startedAt.$': '$$.State.EnteredTime' },
    ResultPath: '$.job',
    ...retry,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: names.failed(job.name) }],
  };
}

function taskTarget(job: Job, workflow: Workflow): { Resource: string; Parameters?: State } {
  const common = { workflow: workflow.name, job: job.name, 'date.$': '$.date', 'execution.$': '$$.Execution.Id' };
  switch (job.kind.type) {
    case 'lambda':
      return {
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: job.kind.function, Payload: { ...common, 'params.$': '$.params', ...(Object.keys(job.params).length > 0 && { jobParams: job.params }) } },
      };
    case 'data_pipeline':
      return {
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: '${ActivatorFunctionArn}', Payload: { ...common, pipeline: job.kind.pipeline, parameters: job.kind.parameters } },
      };
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
