// The runtime contract of waits: one mechanism for every wait an emitted state machine makes.
// A wait is a callback Task (`lambda:invoke.waitForTaskToken`) whose TimeoutSeconds is the wait's
// deadline. It registers a waiter (its task token) for a subject; whatever satisfies the subject
// (an S3 "Object Created" event, a job's in-run signal, EC2's state-change event, the backstop's
// look) releases every waiter of that subject with SendTaskSuccess. A subject that can end either
// way (a SageMaker pipeline execution) is *settled* with an outcome: its waiters get
// SendTaskSuccess or SendTaskFailure. Nothing polls.
//
// Race-free by order: a registration stores the waiter *then* looks at the subject; a release
// makes the subject true (the object exists, the signal is recorded) *then* reads the waiters.
// With strongly consistent reads on both sides, at least one of the two sees the other, so no
// waiter whose subject is satisfied stays registered. A waiter released twice is harmless: the
// second SendTaskSuccess answers that the token is gone, which counts as released.
//
// This module has no dependencies: the router Lambda plugs in DynamoDB, S3, EC2 and Step
// Functions (handlers/), the local engine plugs in memory and its marker store (generator/local/).

import { signalKey } from './signals.ts';
import { markerDatesId, markerDatesKeys, parseMarkerDatesSubject, type MarkerDatesSubject } from './marker-dates.ts';
import { parsePoolRelease, parsePoolSubject, poolSubjectId, type PoolReleaseRequest, type PoolSubject } from './pools.ts';

/** What a wait waits for. */
export type WaitSubject =
  /** An S3 object: a marker of another producer, or a job's own marker (data pipelines). */
  | { kind: 'marker'; bucket: string; key: string }
  /** A job of the same run (execution name) is done or skipped: in-run synchronisation. */
  | { kind: 'signal'; run: string; job: string }
  /** An EC2 instance has terminated (a sweep item). */
  | { kind: 'instance'; region: string; instanceId: string }
  /** A SageMaker pipeline execution has ended: succeeded, or failed or stopped (its Task fails). */
  | PipelineExecutionSubject
  /** Markers of other dates or of the other partition, all of them (contract/marker-dates.ts). */
  | MarkerDatesSubject
  /** A slot of a pool shared by every run and workflow (pools.ts: queued, then granted). */
  | PoolSubject;

export interface PipelineExecutionSubject {
  kind: 'pipeline_execution';
  arn: string;
}

/** Subjects whose satisfaction is asked of the world (an object, an instance): the probe's. */
export type ProbedSubject = Extract<WaitSubject, { kind: 'marker' | 'instance' }>;

/**
 * How a settled subject ended. A failure fails its waiters' Tasks with `error` (the Step Functions
 * error name the job's Retry and the alert see) and `cause`.
 */
export type SubjectOutcome = { ok: true } | { ok: false; error: string; cause: string };

/** The partition key of a subject in the waiter store. */
export function subjectId(subject: WaitSubject): string {
  switch (subject.kind) {
    case 'marker':
      return `s3://${subject.bucket}/${subject.key}`;
    case 'signal':
      return signalKey(subject.run, subject.job);
    case 'instance':
      return `ec2://${subject.region}/${subject.instanceId}`;
    case 'pipeline_execution':
      return `sagemaker://${subject.arn}`;
    case 'marker_dates':
      return markerDatesId(subject);
    case 'pool':
      return poolSubjectId(subject.pool);
  }
}

/** The payload a wait state sends (its Parameters.Payload): see emit/waits.ts. */
export interface WaitRequest {
  action: 'wait';
  subject: WaitSubject;
  /** $$.Task.Token */
  token: string;
  /** $$.Execution.Id: with `state`, one waiter per wait and execution (a redrive replaces it). */
  execution: string;
  state: string;
  /** The wait's deadline (its TimeoutSeconds): the waiter record expires after it. */
  timeoutSeconds: number;
}

/** A job of a run is done (or skipped): its in-run waiters may go on. */
export interface SignalRequest {
  action: 'signal';
  run: string;
  job: string;
  /** How long the signal must be remembered: the rest of the run's worst case plus the redrive window. */
  keepSeconds: number;
  /**
   * The job ended failed (its failure handed on to a run_if job) or did not run because a need
   * failed: its waiters fail with NEED_FAILED instead of being released, so a trigger rule behind
   * an in-run wait sees it.
   */
  failed?: true;
}

/** The error a wait for a job of the run fails with when that job ended failed. */
export const NEED_FAILED = 'stepgraph.NeedFailed';

/** The scheduled look at every open waiter, for events that never come. */
interface BackstopRequest {
  action: 'backstop';
}

export type RouterRequest = WaitRequest | SignalRequest | BackstopRequest | PoolReleaseRequest;

/** Step Functions lets a failed run be redriven for 14 days: signals live at least that long. */
export const REDRIVE_WINDOW_SECONDS = 14 * 24 * 3600;
/** A waiter record outlives its deadline by this much, then the store's TTL removes it. */
export const WAITER_GRACE_SECONDS = 3600;
/** How often the backstop looks (minutes): an event that never comes costs at most this. */
export const BACKSTOP_MINUTES = 5;
/** The sort key of a signal's own record (or a settled subject's outcome), beside its waiters. */
export const SIGNALLED = '#signalled';
/**
 * How long a settled subject's outcome is kept: its waiter registers moments after the execution
 * starts (the activator), so a day covers it with room; the backstop asks the service itself after that.
 */
export const SETTLED_KEEP_SECONDS = 24 * 3600;

export interface WaiterRecord {
  subject: string;
  /** `<execution>#<state>` */
  waiter: string;
  token: string;
  detail: WaitSubject;
  /** Epoch seconds: after this the task has timed out and the token is dead. */
  deadline: number;
  /** Epoch seconds: when the store may forget the record. */
  expiresAt: number;
}

/** Where waiters and signals are kept (DynamoDB in AWS, a Map locally). */
export interface WaiterStore {
  put(record: WaiterRecord): Promise<void>;
  delete(subject: string, waiter: string): Promise<void>;
  /** Every waiter of one subject, read consistently (never the signal record). */
  waitersOf(subject: string): Promise<WaiterRecord[]>;
  /** Every open waiter (the backstop). */
  allWaiters(): AsyncIterable<WaiterRecord>;
  signal(subject: string, expiresAt: number): Promise<void>;
  isSignalled(subject: string): Promise<boolean>;
  /** Records how a subject ended (in the signal's place: one record per subject). */
  settle(subject: string, outcome: SubjectOutcome, expiresAt: number): Promise<void>;
  /** The recorded outcome, read consistently; undefined while none is recorded. */
  settled(subject: string): Promise<SubjectOutcome | undefined>;
}

/** Whether a marker exists / an instance has terminated, read consistently. */
export interface SubjectProbe {
  satisfied(subject: ProbedSubject): Promise<boolean>;
  /**
   * How a pipeline execution ended, asked of the service (DescribePipelineExecution); undefined
   * while it runs. Absent: only a recorded outcome settles it (the local engine records every end).
   */
  outcome?(subject: PipelineExecutionSubject): Promise<SubjectOutcome | undefined>;
}

/** SendTaskSuccess; 'gone' when the token is no longer waiting (timed out, invalid, finished). */
export interface Releaser {
  release(token: string, output: Record<string, unknown>): Promise<'released' | 'gone'>;
  /** SendTaskFailure, for subjects that can end in failure; 'gone' as above. */
  fail?(token: string, error: string, cause: string): Promise<'released' | 'gone'>;
}

export interface WaitDeps {
  store: WaiterStore;
  probe: SubjectProbe;
  releaser: Releaser;
  /** Epoch milliseconds. */
  now: () => number;
}

export type RegisterOutcome = 'released' | 'registered';

export const waiterId = (request: Pick<WaitRequest, 'execution' | 'state'>): string => `${request.execution}#${request.state}`;

/** Registers a waiter, then releases it at once if its subject is already satisfied. */
export async function registerWait(request: WaitRequest, deps: WaitDeps): Promise<RegisterOutcome> {
  const now = Math.floor(deps.now() / 1000);
  const subject = subjectId(request.subject);
  const deadline = now + Math.max(1, Math.ceil(request.timeoutSeconds));
  const record: WaiterRecord = { subject, waiter: waiterId(request), token: request.token, detail: request.subject, deadline, expiresAt: deadline + WAITER_GRACE_SECONDS };
  if (request.subject.kind === 'marker_dates') return (await advanceDated(record, request.subject, 0, deps)) ? 'released' : 'registered';
  await deps.store.put(record);
  const outcome = await outcomeOf(request.subject, deps);
  if (!outcome) return 'registered';
  await releaseOne(record, outcome, deps);
  return 'released';
}

/** Records a job's signal, then releases the waiters registered for it. */
export async function signal(request: SignalRequest, deps: WaitDeps): Promise<number> {
  const subject = subjectId({ kind: 'signal', run: request.run, job: request.job });
  const keep = Math.max(REDRIVE_WINDOW_SECONDS, Math.ceil(request.keepSeconds));
  if (request.failed) {
    // Recorded as the subject's outcome first, so a waiter registering meanwhile finds it.
    const outcome: SubjectOutcome = { ok: false, error: NEED_FAILED, cause: `job '${request.job}' of this run failed, or did not run because a job it needs failed` };
    await deps.store.settle(subject, outcome, Math.floor(deps.now() / 1000) + keep);
    let released = 0;
    for (const w of await deps.store.waitersOf(subject)) released += await releaseOne(w, outcome, deps);
    return released;
  }
  await deps.store.signal(subject, Math.floor(deps.now() / 1000) + keep);
  return releaseWaiters(subject, deps);
}

/**
 * An event says a subject is satisfied (an object was created, an instance terminated). Events
 * come late, twice and out of order: the subject is looked at again before anyone is released,
 * so the event of a marker deleted since (a replay invalidated it) releases nobody.
 */
export async function subjectEvent(subject: ProbedSubject, deps: WaitDeps): Promise<number> {
  const id = subjectId(subject);
  const waiters = await deps.store.waitersOf(id);
  if (waiters.length === 0) return 0;
  if (!(await deps.probe.satisfied(subject))) return 0;
  let released = 0;
  for (const w of waiters) released += w.detail.kind === 'marker_dates' ? await advanceDated(w, w.detail, datedIndex(w) + 1, deps) : await releaseOne(w, OK, deps);
  return released;
}

/**
 * A subject ended, as its own event says (a pipeline execution's terminal status change): the
 * outcome is recorded *then* the waiters are read and released with it, so a waiter registering
 * meanwhile finds the record. An end is final: a duplicate event records the same and finds no waiter.
 */
export async function settle(subject: PipelineExecutionSubject, outcome: SubjectOutcome, deps: WaitDeps): Promise<number> {
  const id = subjectId(subject);
  await deps.store.settle(id, outcome, Math.floor(deps.now() / 1000) + SETTLED_KEEP_SECONDS);
  let released = 0;
  for (const w of await deps.store.waitersOf(id)) released += await releaseOne(w, outcome, deps);
  return released;
}

export interface BackstopOutcome {
  released: number;
  /** Waiters past their deadline (the task timed out): forgotten. */
  expired: number;
  open: number;
}

/** The slow safety net: looks at every open waiter's subject once. */
export async function backstop(deps: WaitDeps): Promise<BackstopOutcome> {
  const now = Math.floor(deps.now() / 1000);
  const outcome: BackstopOutcome = { released: 0, expired: 0, open: 0 };
  for await (const w of deps.store.allWaiters()) {
    if (now > w.deadline) {
      await deps.store.delete(w.subject, w.waiter);
      outcome.expired++;
    } else if (w.detail.kind === 'marker_dates') {
      const released = await advanceDated(w, w.detail, datedIndex(w), deps);
      if (released) outcome.released += released;
      else outcome.open++;
    } else {
      const settled = await outcomeOf(w.detail, deps);
      if (!settled) {
        outcome.open++;
        continue;
      }
      outcome.released += await releaseOne(w, settled, deps);
    }
  }
  return outcome;
}

async function releaseWaiters(subject: string, deps: WaitDeps): Promise<number> {
  let released = 0;
  for (const w of await deps.store.waitersOf(subject)) released += await releaseOne(w, OK, deps);
  return released;
}

const OK: SubjectOutcome = { ok: true };

/** How the subject stands: undefined while it is not satisfied (or not ended). */
async function outcomeOf(subject: WaitSubject, deps: WaitDeps): Promise<SubjectOutcome | undefined> {
  switch (subject.kind) {
    case 'signal':
      return (await deps.store.settled(subjectId(subject))) ?? ((await deps.store.isSignalled(subjectId(subject))) ? OK : undefined);
    case 'pipeline_execution':
      return (await deps.store.settled(subjectId(subject))) ?? (await deps.probe.outcome?.(subject));
    case 'marker_dates':
      throw new Error('internal: a dated wait is looked at key by key (advanceDated)');
    case 'pool':
      throw new Error(`internal: a pool's waiters are queued by pools.ts (acquireSlot), not in the waiter table`);
    default:
      return (await deps.probe.satisfied(subject)) ? OK : undefined;
  }
}

/**
 * A wait for several markers (contract/marker-dates.ts) keeps one waiter record, on the first of
 * its keys that is missing: from key `from` on, it registers on a key *then* looks at it (the race-free
 * order of any wait), moving on past the keys that exist, and is released when none is missing.
 * The record is moved by writing the new one before deleting the old, so the backstop always finds
 * it. A key's event moves it from the next key on. Returns 1 when this call released the waiter.
 */
async function advanceDated(w: WaiterRecord, subject: MarkerDatesSubject, from: number, deps: WaitDeps): Promise<number> {
  const keys = markerDatesKeys(subject) ?? [];
  // At registration the record is on no key yet (its subject is the wait's own id).
  const unplaced = subjectId(subject);
  let at = w.subject;
  for (let i = Math.max(0, from); i < keys.length; i++) {
    const marker = { kind: 'marker' as const, bucket: subject.bucket, key: keys[i] };
    const id = subjectId(marker);
    if (id !== at) {
      await deps.store.put({ ...w, subject: id });
      if (at !== unplaced) await deps.store.delete(at, w.waiter);
      at = id;
    }
    if (!(await deps.probe.satisfied(marker))) return 0;
  }
  return releaseOne({ ...w, subject: at }, OK, deps);
}

/** Which key of its wait a dated waiter record sits on (-1: none yet). */
function datedIndex(w: WaiterRecord): number {
  if (w.detail.kind !== 'marker_dates') return -1;
  const bucket = w.detail.bucket;
  return (markerDatesKeys(w.detail) ?? []).findIndex((key) => subjectId({ kind: 'marker', bucket, key }) === w.subject);
}

/** Sends the token its success (or failure) and forgets the waiter; 1 when this call released it. */
async function releaseOne(w: WaiterRecord, outcome: SubjectOutcome, deps: WaitDeps): Promise<number> {
  let result: 'released' | 'gone';
  if (outcome.ok) result = await deps.releaser.release(w.token, { subject: w.subject });
  else if (deps.releaser.fail) result = await deps.releaser.fail(w.token, outcome.error, outcome.cause);
  else throw new Error(`internal: ${w.subject} ended in failure but this releaser cannot fail a task`);
  await deps.store.delete(w.subject, w.waiter);
  return result === 'released' ? 1 : 0;
}

/** Reads a router request that came from outside the type system; undefined when it is not one. */
export function parseRouterRequest(value: unknown): RouterRequest | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.action) {
    case 'backstop':
      return { action: 'backstop' };
    case 'signal':
      return isString(value.run) && isString(value.job) && isNumber(value.keepSeconds)
        ? { action: 'signal', run: value.run, job: value.job, keepSeconds: value.keepSeconds, ...(value.failed === true && { failed: true as const }) }
        : undefined;
    case 'pool_release':
      return parsePoolRelease(value);
    case 'wait': {
      const subject = parseSubject(value.subject);
      if (!subject || !isString(value.token) || !isString(value.execution) || !isString(value.state) || !isNumber(value.timeoutSeconds)) return undefined;
      return { action: 'wait', subject, token: value.token, execution: value.execution, state: value.state, timeoutSeconds: value.timeoutSeconds };
    }
    default:
      return undefined;
  }
}

export function parseSubject(value: unknown): WaitSubject | undefined {
  if (!isRecord(value)) return undefined;
  if (value.kind === 'marker' && isString(value.bucket) && isString(value.key)) return { kind: 'marker', bucket: value.bucket, key: value.key };
  if (value.kind === 'signal' && isString(value.run) && isString(value.job)) return { kind: 'signal', run: value.run, job: value.job };
  if (value.kind === 'instance' && isString(value.region) && isString(value.instanceId)) return { kind: 'instance', region: value.region, instanceId: value.instanceId };
  if (value.kind === 'pipeline_execution' && isString(value.arn)) return { kind: 'pipeline_execution', arn: value.arn };
  if (value.kind === 'marker_dates') return parseMarkerDatesSubject(value);
  if (value.kind === 'pool') return parsePoolSubject(value);
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
