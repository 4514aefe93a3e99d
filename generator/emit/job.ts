// The states of one job, in the order they run: selection guard, external waits, in-run waits,
// the job's Task, its marker, its signal. Each helper is a small render function. Nothing here
// catches a failure: a job fails in its own state and a wait in its wait state, so a redrive
// continues exactly there (docs/architecture.md, "runtime contract").
import type { SweepPlan } from '../sweep/plan.ts';
import { writesOwnMarker } from '../kinds/registry.ts';
import { type Job, type Workflow, waitLabel } from '../model.ts';
import { markerDatesSubject } from './marker-dates.ts';
import { names } from './names.ts';
import { callbackWait, lambdaRetry, markerKey, markerSubject, signalState } from './waits.ts';
import { kindOf } from '../kinds/registry.ts';
import { sweepJobStates } from './sweep.ts';
import { addOutcomes, outcomeNames, type OutcomeContext } from './outcomes.ts';
import { acquireState, poolOf, releaseBeforeHandOn, releaseState } from './pool.ts';
import { fileOutputs, hasOutputs, outputNames, passesData, pickOutputs } from './outputs.ts';
import { emptyListStates, forEachMap } from './for-each.ts';
import { isDistributedMap } from './for-each-distributed.ts';
import { tallyChain, toleranceNames } from './for-each-tolerance.ts';
import { gatherStates, gathersOutputs } from './for-each-gather.ts';
import { markersRead, missingInputs, readChain } from './marker-reads.ts';

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
  /** The plan's sweep plans, by job (emit plans nothing). */
  sweeps: ReadonlyMap<string, SweepPlan>;
  /** Set when a job has a `when` or `run_if` (emit/outcomes.ts). */
  outcomes?: OutcomeContext;
  /** Whether a job's outputs are in the state where another starts, in the definition being emitted (marker-reads.ts). */
  inLine?: (x: string, j: string) => boolean;
}

const S3_PUT = 'arn:aws:states:::aws-sdk:s3:putObject';


/** Adds the job's states to `states`; returns the name of its first state. */
export function renderJob(job: Job, next: string | undefined, ctx: JobContext, states: States): string {
  /** Links a state of this job's own to what follows the job (in place: see the chain below). */
  const after = (state: State): State => {
    if (next) state.Next = next;
    else state.End = true;
    return state;
  };
  const chain: [string, State][] = [];
  const signals = ctx.signalled.has(job.name);
  const prefix = ctx.workflow.markers.prefix;

  for (const w of job.waitsFor) {
    const name = names.waitsFor(job.name, waitLabel(w));
    const subject = w.dates ? markerDatesSubject(w.bucket ?? ctx.bucket, w, ctx.workflow.partition) : markerSubject(w.bucket ?? ctx.bucket, w.prefix, w.marker);
    chain.push([name, callbackWait(name, subject, { seconds: w.timeoutSeconds })]);
  }
  const empty = job.forEach && emptyListStates(job);
  let gather: ReturnType<typeof gatherStates> | undefined;
  const waitCount = job.waitsFor.length + (ctx.inRunWaits.get(job.name) ?? []).length;
  for (const sync of ctx.inRunWaits.get(job.name) ?? []) {
    const name = names.waitsFor(job.name, sync.after);
    chain.push([name, callbackWait(name, { kind: 'signal', 'run.$': '$.run.execution', job: sync.after }, { seconds: sync.deadlineSeconds })]);
  }
  const pool = poolOf(ctx.workflow, job);
  if (pool) chain.push(acquireState(ctx.workflow, job, pool));
  if (job.kind.type === 'sweep') chain.push(sweepJobStates(job.name, ctx.sweeps.get(job.name)!, names.done(job.name), states));
  else if (job.forEach) {
    if (empty) chain.push(empty.choice);
    const map = forEachMap(job, jobTask(job, ctx));
    chain.push([names.task(job.name), map]);
    // A Distributed Map tolerates failures itself: nothing to count after it.
    const tally = isDistributedMap(map) ? undefined : tallyChain(job, states);
    if (tally) chain.push(tally, [toleranceNames(job.name).within, states[toleranceNames(job.name).within]]);
    gather = gathersOutputs(job) ? gatherStates(job, isDistributedMap(map) ? 'distributed' : 'inline') : undefined;
    if (gather) chain.push(...gather.chain);
  }
  else chain.push([names.task(job.name), jobTask(job, ctx)]);
  if (pool) chain.push(releaseState(job, pool));
  // A data pipeline writes its own marker (its Task ends when the marker appears).
  if (!writesOwnMarker(job)) {
    chain.push([names.done(job.name), { Type: 'Task', Resource: S3_PUT, Parameters: { Bucket: ctx.bucket, 'Key.$': markerKey(prefix, job.name), Body: markerBody(ctx.workflow, job), ContentType: 'application/json' }, ResultPath: null, ...s3Retry }]);
  }
  if (hasOutputs(job)) chain.push([outputNames.pass(job.name), fileOutputs(job)]);
  if (signals) chain.push([names.signals(job.name), signalState(job.name, ctx.runSeconds)]);

  // Upstream outputs not in this state, and waited-for markers' outputs, are read from markers before the job starts.
  const reads = passesData(ctx.workflow) || job.waitsFor.length > 0 ? inputReads(job, ctx) : [];
  if (reads.length > 0) chain.splice(waitCount, 0, ...readChain(job.name, reads, chain[waitCount][0]));
  // Link the chain (a sweep's first state comes linked already); the guard and the skipped path come first.
  for (let i = 0; i < chain.length; i++) {
    const [name, state] = chain[i];
    // A Choice left without a Default (a for_each job's `J within tolerance?`) goes on to the next state.
    if (state.Type === 'Choice' && state.Default === undefined) states[name] = { ...state, Default: chain[i + 1]?.[0] ?? next };
    else {
      // The chain's states are this job's own, made above: linked in place (a copy of each of the
      // 600,000 states of a 100,000-job graph, twice per compile, cost seconds).
      if (state.Next === undefined && state.Type !== 'Choice') {
        if (i + 1 < chain.length) state.Next = chain[i + 1][0];
        else after(state);
      }
      states[name] = state;
    }
  }
  /** Adds a side state that goes on to where the chain's state `from` goes. */
  const joinAfter = ([name, state]: [string, State], from: string): void => {
    const to = states[from].Next as string | undefined;
    states[name] = to ? { ...state, Next: to } : after(state);
  };
  // A for_each job over an empty list goes on from `J no items` to where its Map goes (past the gathering, when it gathers).
  if (empty) joinAfter(empty.none, gather?.chain[1][0] ?? names.task(job.name));
  // `J none succeeded` goes on to where `J gathers outputs` goes.
  if (gather) joinAfter(gather.none, gather.chain[1][0]);
  const skippedNext = signals ? names.signals(job.name) : undefined;
  states[names.skipped(job.name)] = skippedNext ? { Type: 'Pass', Next: skippedNext } : after({ Type: 'Pass' });
  // Skipped by a replay's selection: its outputs are those its marker holds from the run that made it.
  const ownRead = hasOutputs(job) ? readChain(job.name, [{ what: job.name, bucket: ctx.bucket, prefix }], names.skipped(job.name)) : [];
  for (const [name, state] of ownRead) states[name] = state;
  const guard = names.selected(job.name);
  states[guard] = {
    Type: 'Choice',
    Choices: [{ And: [{ Variable: '$.select', IsPresent: true }, { Variable: `$.select.${job.name}`, IsPresent: false }], Next: ownRead[0]?.[0] ?? names.skipped(job.name) }],
    Default: chain[0][0],
  };
  if (ctx.outcomes) {
    const inRun = (ctx.inRunWaits.get(job.name) ?? []).map((w) => w.after);
    addOutcomes(job, ctx.outcomes, { chain: chain.map(([n]) => n), exit: skippedNext ?? next, guard, skipped: names.skipped(job.name), inRun, task: names.task(job.name), done: names.done(job.name), ...(signals && { signals: names.signals(job.name) }) }, states);
    if (pool) releaseBeforeHandOn(job, pool, chain.map(([n]) => n), outcomeNames.handedOn(job.name), states);
  }
  return guard;
}

/** The markers to read before the job starts: upstream outputs not in its state, and waited-for markers its values read. */
function inputReads(job: Job, ctx: JobContext): { what: string; bucket: string; prefix: string }[] {
  const prefix = ctx.workflow.markers.prefix;
  const upstream = passesData(ctx.workflow) ? missingInputs(job, ctx.jobs, ctx.inLine ?? (() => false)) : [];
  const external = markersRead(job).map((m) => job.waitsFor.find((w) => w.marker === m)!);
  return [...upstream.map((what) => ({ what, bucket: ctx.bucket, prefix })), ...external.map((w) => ({ what: w.marker, bucket: w.bucket ?? ctx.bucket, prefix: w.prefix, external: true }))];
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
    ...(hasOutputs(job) && { 'outputs.$': '$.job.outputs' }),
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
    ResultSelector: { 'startedAt.$': '$$.State.EnteredTime', ...(hasOutputs(job) && { outputs: pickOutputs(job) }) },
    ResultPath: '$.job',
    // A job without retries still retries Lambda's own transient errors (as AWS recommends); a
    // job with retries covers them with its own.
    ...(retry.length > 0 ? { Retry: retry } : Resource.startsWith('arn:aws:states:::lambda:') && { Retry: [lambdaRetry] }),
  };
}

function taskTarget(job: Job, ctx: JobContext): { Resource: string; Parameters?: State } {
  const module = kindOf(job.kind);
  if (!module.task) throw new Error(`job '${job.name}' is a ${job.kind.type}: its states are its own, not a Task`);
  return module.task(job.kind, {
    workflow: ctx.workflow.name,
    job: job.name,
    bucket: ctx.bucket,
    markerPrefix: ctx.workflow.markers.prefix,
    timeoutSeconds: job.timeoutSeconds,
    params: job.params,
    ...(passesData(ctx.workflow) && { inputs: true }),
    ...(job.forEach && { item: true }),
  });
}
