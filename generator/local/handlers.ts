// The local implementation of every Task state, served by state name through the engine's
// taskResourceLocalHandlers. A handler reports an error by throwing an Error whose name is the
// States error (the job's failure), which the engine matches against the state's Retry and
// Catch exactly as Step Functions would. Wait Tasks (callbacks to the router) go to the local
// router, which releases them by the contract's own logic (router.ts).
import { parseRouterRequest, type WaitRequest } from '../contract/waits.ts';
import { executionNameOf, parsePipelineStart } from '../contract/sagemaker-pipeline.ts';
import type { Job, Workflow } from '../model.ts';
import type { JsonValue } from './engine.ts';
import type { StateIndex, TaskState } from './roles.ts';
import { itemNames } from '../emit/sweep-item.ts';
import { sweepJobHandlers, type InstanceEvents } from '../sweep/local.ts';
import type { SweepPlan } from '../sweep/plan.ts';
import type { LocalRouter } from './router.ts';
import type { MarkerStore } from './store.ts';
import { kindOf } from '../kinds/registry.ts';
import { markerKey } from '../contract/markers.ts';
import { deadlineWatchHandlers } from './deadline-watch.ts';
import { withOutputs, type OutputValues } from './outputs.ts';
import { forEachNames } from '../emit/for-each.ts';
import { commandAnswer, type CommandResult } from './command-answer.ts';

/** Runs a job's work: one attempt, resolving when it is done and rejecting when it fails. */
export interface JobRunner {
  /** `task`: a Task's state (a work kind's: a local command reads its data there and may hand back a result) and, for a for_each item, the element it runs for. */
  run(job: Job, attempt: number, limits: { timeoutSeconds?: number }, task?: { state?: JsonValue; item?: ItemOf }): Promise<CommandResult | void>;
  /** Data pipelines: an error when the activation of this attempt fails (simulate --fail; kinds whose end reports failure fail in `run`). */
  refuseActivation?(job: Job): Error | undefined;
  /** Sweep jobs: an error every item's work fails with (simulate --fail). */
  refuseSweepItem?(job: Job): Error | undefined;
}

/** What handlers observe that the engine's events do not carry. */
export interface JobWork {
  /** Start of every attempt of the job's Task (epoch ms). */
  attempts: number[];
  /** Callback kinds: when the work ended (a data pipeline wrote its marker, a SageMaker execution ended). */
  pipelineDoneAt?: number;
  /** The last error of the job's own work (the engine's Fail state only says "job failed"). */
  lastError?: string;
}

export interface HandlerContext {
  workflow: Workflow;
  /** The plan's sweep plans, by job (nothing is planned again here). */
  sweeps: ReadonlyMap<string, SweepPlan>;
  /** run --local --speed: sweep items' run times are scaled by it too. */
  timeScale?: number;
  /** Aborted when the execution ends (or is stopped): local work still on a clock stops with it. */
  stopped?: AbortSignal;
  index: StateIndex;
  /** Writes through it are "Object Created" events for the router. */
  store: MarkerStore;
  router: LocalRouter;
  /** Sweep jobs' local EC2 reports instance terminations here (the router listens). */
  instances: InstanceEvents;
  /** The router function's ARN as the definitions name it once placeholders are resolved. */
  routerArn: string;
  runner: JobRunner;
  /** The workflow's marker bucket with placeholders resolved. */
  bucket: string;
  datekey: string;
  work: Map<string, JobWork>;
  /** Wraps store I/O so a virtual clock does not jump while it is in flight. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** True once the execution has ended: late work (an abandoned attempt) changes nothing. */
  ended: () => boolean;
  /** startExecution.sync of one of the run's own child state machines; undefined for another ARN. */
  childMachine?: (arn: string, input: JsonValue, name?: string) => Promise<JsonValue> | undefined;
  /** Values of jobs' declared outputs (simulate --output, --items): local/outputs.ts. */
  outputValues?: OutputValues;
}

/** `state`: the state input of the Task (engine.ts hands it beside the effective input). */
type Handler = (input: JsonValue, state?: JsonValue) => Promise<JsonValue>;

/** A for_each item: its position in the list and its element. */
interface ItemOf {
  index: number;
  value: JsonValue;
}

const itemOf = (state: JsonValue | undefined): ItemOf | undefined => {
  const s = state as { index?: unknown; item?: JsonValue } | null | undefined;
  return typeof s?.index === 'number' ? { index: s.index, value: s.item ?? null } : undefined;
};

export function localHandlers(ctx: HandlerContext): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const task of ctx.index.tasks.values()) handlers[task.name] = handlerFor(task, ctx);
  // Sweep jobs: their EC2 calls and runner Tasks go to the sweep's own local implementations.
  Object.assign(handlers, sweepJobHandlers(ctx.workflow, ctx.instances, ctx.sweeps, ctx.timeScale, ctx.stopped), failingSweepItems(ctx));
  Object.assign(handlers, deadlineWatchHandlers(ctx.index));
  return handlers;
}

/**
 * A sweep job the runner fails: each item's work (its launch, or its runner's call) fails, so
 * every item ends in a FAILED record and the sweep fails unless it tolerates that many.
 */
function failingSweepItems(ctx: HandlerContext): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const job of ctx.workflow.jobs) {
    const error = job.kind.type === 'sweep' ? ctx.runner.refuseSweepItem?.(job) : undefined;
    if (job.kind.type !== 'sweep' || !error) continue;
    const plan = ctx.sweeps.get(job.name)!;
    const n = itemNames(job.name);
    const shapes = plan.ec2 ? plan.ec2.shapes.length : plan.runner!.timeouts.length;
    for (let i = 0; i < shapes; i++) {
      handlers[plan.ec2 ? n.launch(i, shapes) : n.runWith(i, shapes)] = async () => {
        workOf(ctx, job.name).lastError = errorText(error);
        throw statesError(error.name, error.message);
      };
    }
  }
  return handlers;
}

export function statesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function handlerFor(task: TaskState, ctx: HandlerContext): Handler {
  const role = task.role;
  if (role.kind === 'job') return jobHandler(ctx.workflow.jobs.find((j) => j.name === role.job)!, task, ctx);
  if (role.kind === 'marker') {
    return async (input) => {
      const { Bucket, Key, Body } = s3Params(input, task);
      // The engine does not track $$.State.EnteredTime; the job's own times go in the body.
      const work = workOf(ctx, role.job);
      const body = { ...(Body as object), startedAt: iso(work.attempts[0] ?? Date.now()), finishedAt: iso(Date.now()) };
      await ctx.track(ctx.store.put(Bucket, Key, JSON.stringify(body)));
      return {};
    };
  }
  if (task.resource.startsWith('arn:aws:states:::lambda:invoke')) return routerCall(task, ctx);
  if (task.resource.endsWith(':s3:getObject')) return getObject(task, ctx);
  if (task.resource.endsWith(':s3:putObject')) return putObject(task, ctx);
  if (task.resource.endsWith(':s3:deleteObject')) return deleteObject(task, ctx);
  if (/:states:startExecution\.sync(:2)?$/.test(task.resource)) {
    return async (input) => {
      const p = input as { StateMachineArn?: string; Input?: JsonValue; Name?: string };
      const result = (await ctx.childMachine?.(p.StateMachineArn ?? '', p.Input ?? {}, p.Name)) as { Output?: JsonValue } | undefined;
      // `.sync:2` gives the child's Output as JSON (what childMachine returns), `.sync` as a string.
      if (result && !task.resource.endsWith('.sync:2')) return { ...result, Output: JSON.stringify(result.Output ?? null) };
      return result ?? {};
    };
  }
  // Any other integration (a future state kind) succeeds at once.
  return async () => ({});
}

/** A Task invoking the router: a wait (sleeps until released) or a signal. */
function routerCall(task: TaskState, ctx: HandlerContext): Handler {
  return async (input) => {
    const p = input as { FunctionName?: unknown; Payload?: unknown };
    if (p?.FunctionName !== ctx.routerArn) return {};
    const request = parseRouterRequest(p.Payload);
    if (!request || request.action === 'backstop') throw statesError('States.Runtime', `state '${task.name}': the router cannot read this payload: ${JSON.stringify(p.Payload)}`);
    if (request.action === 'signal') {
      await ctx.router.signal(request);
      return { StatusCode: 200, Payload: null };
    }
    if (request.action === 'pool_release') {
      await ctx.router.releaseSlot(request);
      return { StatusCode: 200, Payload: null };
    }
    return (await ctx.router.wait(request)) as JsonValue;
  };
}

function getObject(task: TaskState, ctx: HandlerContext): Handler {
  return async (input) => {
    const { Bucket, Key } = s3Params(input, task);
    const body = await ctx.track(ctx.store.get(Bucket, Key));
    if (body === undefined) throw statesError('S3.NoSuchKeyException', `The specified key does not exist. (Service: S3, Bucket: ${Bucket}, Key: ${Key})`);
    return { Body: body, ContentType: 'application/json' };
  };
}

function putObject(task: TaskState, ctx: HandlerContext): Handler {
  return async (input) => {
    const { Bucket, Key, Body } = s3Params(input, task);
    await ctx.track(ctx.store.put(Bucket, Key, typeof Body === 'string' ? Body : JSON.stringify(Body ?? null)));
    return {};
  };
}

function deleteObject(task: TaskState, ctx: HandlerContext): Handler {
  return async (input) => {
    const { Bucket, Key } = s3Params(input, task);
    await ctx.track(ctx.store.delete(Bucket, Key));
    return {};
  };
}

function jobHandler(job: Job, task: TaskState, ctx: HandlerContext): Handler {
  // How the job's kind is served locally (generator/kinds/: `local`).
  const service = kindOf(job.kind).local;
  return async (input, state): Promise<JsonValue> => {
    const work = workOf(ctx, job.name);
    const isItem = task.name === forEachNames.item(job.name);
    // A for_each job's items are one job: its first item is its attempt, the others run beside it.
    if (!isItem || work.attempts.length === 0) work.attempts.push(Date.now());
    const attempt = work.attempts.length;
    if (service.mode === 'activation') return activate(job, attempt, input, ctx);
    try {
      const ran = await ctx.runner.run(job, attempt, { timeoutSeconds: task.timeoutSeconds }, { ...(service.mode === 'work' && { state: state ?? input }), ...(isItem && { item: itemOf(state) }) });
      // A local command ran (run --local): the job's outputs are what it handed back.
      if (ran && service.mode === 'work') return commandAnswer(job, service, ran, ctx.outputValues) as JsonValue;
    } catch (error) {
      throw failure(work, error as Error);
    }
    return withOutputs(ctx.workflow, job, service.mode === 'work' ? service.output(job.kind, job.name) : {}, ctx.outputValues) as JsonValue;
  };
}

/**
 * A data pipeline's Task, as the activator serves it: clear the old marker, register the Task's
 * token for the new one, start the pipeline; its marker releases the Task. Locally the pipeline's
 * failure is known at once, so it fails the attempt instead of leaving it to the timeout.
 */
async function activate(job: Job, attempt: number, input: JsonValue, ctx: HandlerContext): Promise<JsonValue> {
  const work = workOf(ctx, job.name);
  const payload = (input as { Payload?: unknown })?.Payload;
  // As the activator dispatches: a payload that names its kind is a SageMaker pipeline's.
  if (typeof payload === 'object' && payload !== null && 'kind' in payload) return startPipelineExecution(job, attempt, payload, ctx);
  const refused = ctx.runner.refuseActivation?.(job);
  if (refused) throw failure(work, refused);
  const request = payload as { wait?: unknown } | undefined;
  // Without a wait (the polling contract the benchmark keeps as its baseline) the activation
  // returns at once and a later state reads the marker.
  if (request?.wait === undefined) return activateOnly(job, attempt, ctx);
  const wait = parseRouterRequest(request.wait);
  if (wait?.action !== 'wait' || wait.subject.kind !== 'marker') throw statesError('States.Runtime', `job '${job.name}': the activator's payload has no marker wait`);
  const { bucket, key } = wait.subject;
  await ctx.track(ctx.store.delete(bucket, key));
  let failed: (error: Error) => void = () => {};
  const pipelineFailed = new Promise<never>((_, reject) => (failed = reject));
  const released = ctx.router.wait(wait as WaitRequest);
  void ctx.runner.run(job, attempt, {}).then(
    async () => {
      if (ctx.ended()) return;
      work.pipelineDoneAt = Date.now();
      const body = { workflow: ctx.workflow.name, job: job.name, startedAt: iso(work.attempts[attempt - 1]), finishedAt: iso(Date.now()), producer: 'data pipeline (local)' };
      await ctx.track(ctx.store.put(bucket, key, JSON.stringify(body)));
    },
    (error: Error) => failed(failure(work, error)),
  );
  return (await Promise.race([released, pipelineFailed])) as JsonValue;
}

/**
 * A SageMaker pipeline's Task, as the activator serves it: start the execution (here: the job's
 * work), register the Task's token on it; its end goes to the router as SageMaker's status-change
 * event would, Succeeded releasing the Task and Failed (the work failed) failing it.
 */
async function startPipelineExecution(job: Job, attempt: number, payload: object, ctx: HandlerContext): Promise<JsonValue> {
  const work = workOf(ctx, job.name);
  const request = parsePipelineStart(payload);
  if (typeof request === 'string') throw statesError('States.Runtime', `job '${job.name}': the activator cannot read this payload: ${request}`);
  const id = `${executionNameOf(request.execution)}-${request.state}-${attempt}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const arn = `arn:aws:sagemaker:local:000000000000:pipeline/${request.pipeline.toLowerCase()}/execution/${id}`;
  const released = ctx.router.wait({ action: 'wait', subject: { kind: 'pipeline_execution', arn }, token: request.token, execution: request.execution, state: request.state, timeoutSeconds: request.timeoutSeconds });
  void ctx.runner.run(job, attempt, {}).then(
    async () => {
      if (ctx.ended()) return;
      work.pipelineDoneAt = Date.now();
      await ctx.router.pipelineStatusChanged(arn, 'Succeeded');
    },
    async (error: Error) => {
      if (ctx.ended()) return;
      work.lastError = errorText(error);
      await ctx.router.pipelineStatusChanged(arn, 'Failed', errorText(error));
    },
  );
  return (await released) as JsonValue;
}

function activateOnly(job: Job, attempt: number, ctx: HandlerContext): JsonValue {
  const work = workOf(ctx, job.name);
  const key = markerKey(ctx.workflow.markers.prefix, job.name, ctx.datekey);
  void ctx.runner.run(job, attempt, {}).then(
    async () => {
      if (ctx.ended()) return;
      work.pipelineDoneAt = Date.now();
      await ctx.track(ctx.store.put(ctx.bucket, key, JSON.stringify({ workflow: ctx.workflow.name, job: job.name, producer: 'data pipeline (local)' })));
    },
    (error: Error) => void (work.lastError = errorText(error)),
  );
  return { StatusCode: 200, Payload: { activated: true } };
}

function failure(work: JobWork, error: Error): Error {
  work.lastError = errorText(error);
  return error.name && error.name !== 'Error' ? error : statesError('stepgraph.JobError', error.message);
}

function workOf(ctx: HandlerContext, job: string): JobWork {
  let work = ctx.work.get(job);
  if (!work) ctx.work.set(job, (work = { attempts: [] }));
  return work;
}

function s3Params(input: JsonValue, task: TaskState): { Bucket: string; Key: string; Body?: JsonValue } {
  const p = input as { Bucket?: unknown; Key?: unknown; Body?: JsonValue };
  if (typeof p?.Bucket !== 'string' || typeof p.Key !== 'string') {
    throw statesError('States.Runtime', `state '${task.name}': an S3 call needs Bucket and Key`);
  }
  return { Bucket: p.Bucket, Key: p.Key, Body: p.Body };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const errorText = (error: Error): string => (error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message);
