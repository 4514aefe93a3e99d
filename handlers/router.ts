// The router: the one function every wait of a workflow goes through (generator/contract/waits.ts).
// It takes
// - from the state machine: wait registrations and in-run signals;
// - from the backstop schedule ({action: 'backstop'}, or a schedule rule's own "Scheduled
//   Event"): the periodic look at every open waiter;
// - from EventBridge: S3 "Object Created" (any object a wait names: its waiters are released; a
//   marker of an on_markers trigger: the run starts once the trigger is complete), EC2
//   "Instance State-change Notification" (a sweep item's instance terminated) and SageMaker's
//   "Pipeline Execution Status Change" (a `sagemaker_pipeline` job's execution ended: its outcome
//   is recorded, then its Task is released, or failed when the execution failed or was stopped).
//
// Requests from the state machine are synchronous: a malformed one throws, failing its Task at
// once with a named error instead of leaving it to sleep until its deadline. EventBridge events
// are asynchronous and retried when the function throws, so an event that can never succeed (a
// poison event: missing fields, a key that is not a string, an unknown shape) is logged and
// dropped; only AWS errors (throttling, a missing permission) are thrown, to be retried.
import { PIPELINE_EVENT, pipelineOutcome } from '../generator/contract/sagemaker-pipeline.ts';
import {
  backstop,
  parseRouterRequest,
  registerWait,
  settle,
  signal,
  subjectEvent,
  subjectId,
  waiterId,
  type BackstopOutcome,
  type WaitDeps,
} from '../generator/contract/waits.ts';
import { InvalidEventError } from './errors.ts';
import { log } from './log.ts';
import { startOnMarkers, triggerConfig, type TriggerConfig, type TriggerDeps, type TriggerOutcome } from './marker-triggers.ts';
import { awsWaitDeps, waiterTable, type WaitClients, type WaitOptions } from './wait-deps.ts';
import { acquire, awsPoolDeps, backstopPools, executionStatusChanged, EXECUTION_STATUS_EVENT, poolConfig, release, type PoolConfig, type PoolOutcome, type PoolRouterDeps } from './pool-router.ts';

export interface RouterDeps {
  wait: WaitDeps;
  /** Present when the workflow has on_markers triggers (MARKER_TRIGGERS). */
  triggers?: TriggerDeps;
  /** Present when the workflow's jobs take pool slots (POOL_TABLE, POOLS). */
  pools?: PoolRouterDeps;
}

export type RouterOutcome =
  | { outcome: 'registered' | 'released'; subject: string; waiter: string }
  | { outcome: 'signalled'; subject: string; released: number }
  | ({ outcome: 'backstop' } & BackstopOutcome)
  | { outcome: 'object created'; bucket: string; key: string; released: number; trigger?: TriggerOutcome }
  | { outcome: 'instance terminated'; region: string; instanceId: string; released: number }
  | { outcome: 'pipeline execution ended'; pipelineExecutionArn: string; status: string; released: number }
  | PoolOutcome
  /** An event of a known kind that asks nothing of the router (an instance that started, say). */
  | { outcome: 'ignored'; reason: string }
  /** A poison event: logged, never retried. */
  | { outcome: 'dropped'; reason: string };

const OBJECT_CREATED = 'Object Created';
const INSTANCE_STATE_CHANGE = 'EC2 Instance State-change Notification';

export async function route(event: unknown, deps: RouterDeps): Promise<RouterOutcome> {
  if (isRecord(event) && 'action' in event) return request(event, deps);
  if (isRecord(event) && typeof event['detail-type'] === 'string' && typeof event.source === 'string') return eventBridge(event, deps);
  return drop('neither a router request ({action: wait|signal|backstop}) nor an EventBridge event', event);
}

async function request(event: Record<string, unknown>, deps: RouterDeps): Promise<RouterOutcome> {
  const request = parseRouterRequest(event);
  if (!request) {
    throw new InvalidEventError(
      `not a router request: expected {action: 'wait', subject, token, execution, state, timeoutSeconds}, {action: 'signal', run, job, keepSeconds} or {action: 'backstop'}, got action ${JSON.stringify(event.action)}`,
    );
  }
  switch (request.action) {
    case 'pool_release':
      return release(request, deps.pools);
    case 'wait': {
      if (request.subject.kind === 'pool') return acquire({ ...request, subject: request.subject }, deps.pools);
      const outcome = await registerWait(request, deps.wait);
      const fields = { subject: subjectId(request.subject), waiter: waiterId(request) };
      log.info(outcome === 'released' ? 'waiter released at once' : 'waiter registered', { ...fields, timeoutSeconds: request.timeoutSeconds });
      return { outcome, ...fields };
    }
    case 'signal': {
      const released = await signal(request, deps.wait);
      const subject = subjectId({ kind: 'signal', run: request.run, job: request.job });
      log.info('signal recorded', { subject, released });
      return { outcome: 'signalled', subject, released };
    }
    case 'backstop': {
      const outcome = await backstop(deps.wait);
      if (deps.pools) outcome.released += await backstopPools(deps.pools);
      log.info('backstop', { ...outcome });
      return { outcome: 'backstop', ...outcome };
    }
  }
}

async function eventBridge(event: Record<string, unknown>, deps: RouterDeps): Promise<RouterOutcome> {
  const detail = isRecord(event.detail) ? event.detail : undefined;
  if (event.source === 'aws.s3' && event['detail-type'] === OBJECT_CREATED) {
    const bucket = isRecord(detail?.bucket) ? detail.bucket.name : undefined;
    const key = isRecord(detail?.object) ? detail.object.key : undefined;
    if (!isText(bucket) || !isText(key)) return drop('an Object Created event needs detail.bucket.name and detail.object.key as strings', event);
    return objectCreated(bucket, key, deps);
  }
  // A schedule rule that sends its own event rather than {action: 'backstop'} means the same.
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') return request({ action: 'backstop' }, deps);
  if (event.source === 'aws.ec2' && event['detail-type'] === INSTANCE_STATE_CHANGE) {
    const instanceId = detail?.['instance-id'];
    const state = detail?.state;
    if (!isText(event.region) || !isText(instanceId) || !isText(state)) return drop('an instance state-change event needs region, detail.instance-id and detail.state as strings', event);
    if (state !== 'terminated') return ignore(`instance ${instanceId} is ${state}, not terminated`);
    const released = await subjectEvent({ kind: 'instance', region: event.region, instanceId }, deps.wait);
    if (released > 0) log.info('waiters released', { subject: subjectId({ kind: 'instance', region: event.region, instanceId }), released });
    return { outcome: 'instance terminated', region: event.region, instanceId, released };
  }
  if (event.source === EXECUTION_STATUS_EVENT.source && event['detail-type'] === EXECUTION_STATUS_EVENT.detailType && deps.pools) {
    const { executionArn, status, redriveCount } = detail ?? {};
    if (!isText(executionArn) || !isText(status)) return drop('an execution status change needs detail.executionArn and detail.status as strings', event);
    return (await executionStatusChanged({ executionArn, status, redriveCount: typeof redriveCount === 'number' ? redriveCount : 0 }, deps.pools)) ?? ignore(`execution ${executionArn} is ${status}: nothing to give back`);
  }
  if (event.source === PIPELINE_EVENT.source && event['detail-type'] === PIPELINE_EVENT.detailType) {
    const arn = detail?.pipelineExecutionArn;
    const status = detail?.currentPipelineExecutionStatus;
    if (!isText(arn) || !isText(status)) return drop('a pipeline execution status change needs detail.pipelineExecutionArn and detail.currentPipelineExecutionStatus as strings', event);
    return pipelineExecutionChanged(arn, status, deps);
  }
  return drop(
    `the router takes S3 '${OBJECT_CREATED}', EC2 '${INSTANCE_STATE_CHANGE}' and SageMaker '${PIPELINE_EVENT.detailType}' events, not '${String(event['detail-type'])}' from '${String(event.source)}'`,
    event,
  );
}

/**
 * An execution's end settles its subject. The event carries no failure reason: for a failure it
 * is asked of SageMaker (best effort: the rule hears every pipeline of the account, and the role
 * may describe only the workflow's own, so a refusal leaves the reason out, never the release).
 */
async function pipelineExecutionChanged(arn: string, status: string, deps: RouterDeps): Promise<RouterOutcome> {
  const ended = pipelineOutcome(status, arn);
  if (!ended) return ignore(`pipeline execution ${arn} is ${status}, not ended`);
  let outcome = ended;
  if (!ended.ok && deps.wait.probe.outcome) {
    const described = await deps.wait.probe.outcome({ kind: 'pipeline_execution', arn }).catch((error: unknown) => {
      log.warn('could not read the failure reason of a pipeline execution', { pipelineExecutionArn: arn, error: (error as Error).name });
      return undefined;
    });
    if (described && !described.ok) outcome = described;
  }
  const subject = { kind: 'pipeline_execution' as const, arn };
  const released = await settle(subject, outcome, deps.wait);
  if (released > 0) log.info(outcome.ok ? 'waiters released' : 'waiters failed', { subject: subjectId(subject), status, released });
  return { outcome: 'pipeline execution ended', pipelineExecutionArn: arn, status, released };
}

async function objectCreated(bucket: string, key: string, deps: RouterDeps): Promise<RouterOutcome> {
  const keys = keyForms(key);
  let released = 0;
  for (const form of keys) {
    const n = await subjectEvent({ kind: 'marker', bucket, key: form }, deps.wait);
    if (n > 0) log.info('waiters released', { subject: subjectId({ kind: 'marker', bucket, key: form }), released: n });
    released += n;
  }
  const trigger = deps.triggers ? await startOnMarkers(bucket, keys, deps.triggers) : undefined;
  return { outcome: 'object created', bucket, key, released, ...(trigger && { trigger }) };
}

/**
 * The key as delivered and, when it differs, URL-decoded: S3's own notifications encode keys
 * ('+' for a space), and which form an event carries is not promised. Looking at both is safe:
 * a waiter is released only after its own object is seen to exist.
 */
function keyForms(key: string): string[] {
  try {
    const decoded = decodeURIComponent(key.replace(/\+/g, ' '));
    return decoded === key ? [key] : [key, decoded];
  } catch {
    return [key];
  }
}

function ignore(reason: string): RouterOutcome {
  log.info('event ignored', { reason });
  return { outcome: 'ignored', reason };
}

function drop(reason: string, event: unknown): RouterOutcome {
  log.warn('event dropped', { reason, event: excerpt(event) });
  return { outcome: 'dropped', reason };
}

/** Enough of a poison event to find it again, never a whole payload in the log. */
function excerpt(event: unknown): unknown {
  if (!isRecord(event)) return typeof event;
  const { id, source, 'detail-type': detailType } = event;
  return { id, source, 'detail-type': detailType };
}

export interface RouterConfig {
  table: string;
  triggers?: TriggerConfig;
  pools?: PoolConfig;
}

/** WAITER_TABLE; for on_markers triggers also MARKER_TRIGGERS, WORKFLOW, STATE_MACHINE_ARN, MARKER_BUCKET, MARKER_PREFIX, PARTITION. */
export function routerConfig(env: NodeJS.ProcessEnv): RouterConfig {
  const triggers = triggerConfig(env);
  const pools = poolConfig(env);
  return { table: waiterTable(env), ...(triggers && { triggers }), ...(pools && { pools }) };
}

export function routerDeps(config: RouterConfig, clients: WaitClients, options: WaitOptions = {}): RouterDeps {
  return {
    wait: awsWaitDeps(clients, config.table, options),
    ...(config.triggers && { triggers: { s3: clients.s3, sfn: clients.sfn, config: config.triggers, ...(options.now && { now: options.now }) } }),
    ...(config.pools && { pools: awsPoolDeps(config.pools, clients, options.now) }),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
