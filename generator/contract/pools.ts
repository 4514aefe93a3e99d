// The runtime contract of pools: a semaphore of `slots` shared by every run of every workflow of
// an account and region that declares the pool (`pools: { warehouse: { slots: 3 } }`, a job's
// `pool: warehouse`). A pool job's states are `J acquires <pool>` (a callback wait with subject
// `pool {name}`), `J` and `J releases <pool>` (a router call).
//
// Acquiring is a reactive wait: the waiter is registered in the pool's queue *then* the queue is
// dispatched (the oldest waiters get the free slots). A release frees the holder's slot *then*
// dispatches. Both sides read consistently, so a waiter never stays queued while a slot is free:
// either its own dispatch sees the freed slot, or the releaser's dispatch sees the waiter. A slot
// is taken with a conditional write (the holder is new and the count is below `slots`), so two
// dispatchers never hand the same slot out twice, nor the same waiter two slots.
//
// A slot comes back on success (`J releases`), on failure and on abort (the run's end: Step
// Functions' "Execution Status Change" event releases what the execution still holds and drops
// its queued waiters), and when its lease passes (the job's worst case: a lost event costs the
// pool at most that). A run that ended failed keeps a *suspended* record of the slots it held,
// for the redrive window: a redrive (the RUNNING event of a redriven execution) takes them back
// before anything else is dispatched, so a redriven job runs holding its slot again.
//
// No dependencies: the router plugs in DynamoDB and Step Functions (handlers/pool-*.ts), the local
// engine a Map (memory-pool-store.ts).

/** What a pool job's acquire waits for (a WaitSubject: contract/waits.ts). */
export interface PoolSubject {
  kind: 'pool';
  pool: string;
  /** The pool's size as the workflow declares it (validate keeps it equal across workflows). */
  slots: number;
  workflow: string;
  job: string;
  /** How long a slot may be held before it is taken back (the job's worst case). */
  leaseSeconds: number;
}

/** `J releases <pool>`: the job is done with its slot. */
export interface PoolReleaseRequest {
  action: 'pool_release';
  pool: string;
  /** $$.Execution.Id */
  execution: string;
  job: string;
}

export interface PoolHolder {
  /** `<execution>#<job>`: one slot per job and execution. */
  holder: string;
  workflow: string;
  execution: string;
  job: string;
  /** Epoch seconds. */
  since: number;
  /** Epoch seconds: the lease; past it the slot may be taken back. */
  expiresAt: number;
}

export interface PoolWaiter {
  pool: string;
  /** The queue's sort key: `<registered at, ms, 15 digits>#<holder>` (first come, first served). */
  waiter: string;
  holder: string;
  workflow: string;
  execution: string;
  job: string;
  token: string;
  slots: number;
  leaseSeconds: number;
  /** Epoch seconds: the acquire's TimeoutSeconds; past it the Task has failed and the token is dead. */
  deadline: number;
  /** Epoch seconds: when the store may forget the record. */
  expiresAt: number;
}

/** The result of a conditional take: a new slot, no free slot, or this holder has one already. */
export type TakeOutcome = 'acquired' | 'full' | 'held';

/** Where pools live (one shared DynamoDB table in AWS, a Map locally). */
export interface PoolStore {
  /** Takes a slot for `holder` if the pool holds fewer than `slots` (Infinity: unconditionally). */
  take(pool: string, holder: PoolHolder, slots: number): Promise<TakeOutcome>;
  /** Frees `holder`'s slot; false when it held none. */
  give(pool: string, holder: string): Promise<boolean>;
  /** Frees `holder`'s slot only if its lease is still `expiresAt` (it was not renewed meanwhile). */
  reclaim(pool: string, holder: string, expiresAt: number): Promise<boolean>;
  /** The current holders, read consistently. */
  holders(pool: string): Promise<PoolHolder[]>;
  putWaiter(waiter: PoolWaiter): Promise<void>;
  deleteWaiter(pool: string, waiter: string): Promise<void>;
  /** The queue, oldest first, read consistently. */
  waiters(pool: string): Promise<PoolWaiter[]>;
  /** Remembers a slot a failed run held, for its redrive (kept until `expiresAt`). */
  suspend(pool: string, holder: PoolHolder, expiresAt: number): Promise<void>;
  /** The slots an execution held when it ended failed (and forgets them). */
  takeSuspended(pool: string, execution: string): Promise<PoolHolder[]>;
}

/** How a slot reaches a waiter: its task token released (SendTaskSuccess; 'gone' when it waits no more). */
interface PoolGranter {
  grant(waiter: PoolWaiter, holder: PoolHolder): Promise<'released' | 'gone'>;
}

export interface PoolDeps {
  store: PoolStore;
  granter: PoolGranter;
  /** Epoch milliseconds. */
  now: () => number;
}

/** A suspended slot is kept as long as Step Functions lets a failed run be redriven (14 days). */
const SUSPENDED_KEEP_SECONDS = 14 * 24 * 3600;
/** A queued waiter outlives its deadline by this much, then TTL removes it. */
const WAITER_GRACE_SECONDS = 3600;

const poolHolderId = (execution: string, job: string): string => `${execution}#${job}`;

/** The name of a pool's subject in logs and the waiter's detail. */
export const poolSubjectId = (pool: string): string => `pool://${pool}`;

/** Registers the acquire's waiter in the pool's queue, then dispatches the queue. */
export async function acquireSlot(
  request: { subject: PoolSubject; token: string; execution: string; state: string; timeoutSeconds: number },
  deps: PoolDeps,
): Promise<'granted' | 'queued'> {
  const nowMs = deps.now();
  const now = Math.floor(nowMs / 1000);
  const { subject } = request;
  const holder = poolHolderId(request.execution, subject.job);
  const deadline = now + Math.max(1, Math.ceil(request.timeoutSeconds));
  const waiter: PoolWaiter = {
    pool: subject.pool,
    waiter: `${String(nowMs).padStart(15, '0')}#${holder}`,
    holder,
    workflow: subject.workflow,
    execution: request.execution,
    job: subject.job,
    token: request.token,
    slots: subject.slots,
    leaseSeconds: subject.leaseSeconds,
    deadline,
    expiresAt: deadline + WAITER_GRACE_SECONDS,
  };
  await deps.store.putWaiter(waiter);
  const granted = await dispatch(subject.pool, deps);
  return granted.includes(holder) ? 'granted' : 'queued';
}

/** `J releases <pool>`: frees the job's slot, then hands it to the oldest waiter. */
export async function releaseSlot(request: PoolReleaseRequest, deps: PoolDeps): Promise<boolean> {
  const held = await deps.store.give(request.pool, poolHolderId(request.execution, request.job));
  await dispatch(request.pool, deps);
  return held;
}

/**
 * A run ended (Step Functions' Execution Status Change): whatever it still holds is freed and its
 * queued waiters dropped. Failed, timed out or aborted, its slots are remembered for a redrive.
 */
export async function runEnded(execution: string, status: string, pools: readonly string[], deps: PoolDeps): Promise<number> {
  let freed = 0;
  const now = Math.floor(deps.now() / 1000);
  for (const pool of pools) {
    for (const h of await deps.store.holders(pool)) {
      if (h.execution !== execution) continue;
      if (status !== 'SUCCEEDED') await deps.store.suspend(pool, h, now + SUSPENDED_KEEP_SECONDS);
      if (await deps.store.give(pool, h.holder)) freed++;
    }
    for (const w of await deps.store.waiters(pool)) if (w.execution === execution) await deps.store.deleteWaiter(pool, w.waiter);
    await dispatch(pool, deps);
  }
  return freed;
}

/**
 * A failed run was redriven: the slots it held when it ended are taken back at once, before any
 * waiter, full pool or not (Step Functions restarts the failed state without asking: the job runs,
 * and it is counted, so nothing new starts until the pool is back under its size). Returns the
 * slots taken back over the pool's size.
 */
export async function runRedriven(execution: string, pools: ReadonlyMap<string, number>, deps: PoolDeps): Promise<{ restored: number; over: number }> {
  const outcome = { restored: 0, over: 0 };
  const now = Math.floor(deps.now() / 1000);
  for (const [pool, slots] of pools) {
    for (const h of await deps.store.takeSuspended(pool, execution)) {
      const lease = h.expiresAt - h.since;
      const restored = { ...h, since: now, expiresAt: now + lease };
      if ((await deps.store.take(pool, restored, slots)) === 'full') {
        await deps.store.take(pool, restored, Infinity);
        outcome.over++;
      }
      outcome.restored++;
    }
  }
  return outcome;
}

/** The backstop: takes back slots past their lease and dispatches the queue. */
export async function poolBackstop(pools: readonly string[], deps: PoolDeps): Promise<number> {
  let granted = 0;
  for (const pool of pools) {
    await reclaimExpired(pool, deps);
    granted += (await dispatch(pool, deps)).length;
  }
  return granted;
}

/**
 * Hands free slots to the oldest waiters. A waiter past its deadline is dropped (its Task timed
 * out); one whose holder already has a slot was served by another dispatch. Returns the holders
 * this call granted.
 */
async function dispatch(pool: string, deps: PoolDeps): Promise<string[]> {
  const granted: string[] = [];
  let reclaimed = false;
  for (const w of await deps.store.waiters(pool)) {
    const now = Math.floor(deps.now() / 1000);
    if (now > w.deadline) {
      await deps.store.deleteWaiter(pool, w.waiter);
      continue;
    }
    const holder: PoolHolder = { holder: w.holder, workflow: w.workflow, execution: w.execution, job: w.job, since: now, expiresAt: now + w.leaseSeconds };
    let taken = await deps.store.take(pool, holder, w.slots);
    if (taken === 'full' && !reclaimed) {
      reclaimed = true;
      if ((await reclaimExpired(pool, deps)) > 0) taken = await deps.store.take(pool, holder, w.slots);
    }
    // FIFO: the oldest waiter that finds no slot keeps its place; nobody behind it jumps ahead.
    if (taken === 'full') break;
    await deps.store.deleteWaiter(pool, w.waiter);
    if (taken === 'held') continue;
    const result = await deps.granter.grant(w, holder);
    if (result === 'gone') await deps.store.give(pool, holder.holder);
    else granted.push(holder.holder);
  }
  return granted;
}

async function reclaimExpired(pool: string, deps: PoolDeps): Promise<number> {
  const now = Math.floor(deps.now() / 1000);
  let n = 0;
  for (const h of await deps.store.holders(pool)) if (h.expiresAt < now && (await deps.store.reclaim(pool, h.holder, h.expiresAt))) n++;
  return n;
}

/** Reads `J releases <pool>`'s payload; undefined when it is not one. */
export function parsePoolRelease(value: Record<string, unknown>): PoolReleaseRequest | undefined {
  const { pool, execution, job } = value;
  return isString(pool) && isString(execution) && isString(job) ? { action: 'pool_release', pool, execution, job } : undefined;
}

/** Reads a `pool` wait subject; undefined when it is not one. */
export function parsePoolSubject(value: Record<string, unknown>): PoolSubject | undefined {
  const { pool, slots, workflow, job, leaseSeconds } = value;
  if (!isString(pool) || !isString(workflow) || !isString(job) || !isCount(slots) || !isCount(leaseSeconds)) return undefined;
  return { kind: 'pool', pool, slots, workflow, job, leaseSeconds };
}

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
