// Pools in the local engine: what the shared table and the routers of every workflow are in AWS,
// for all the runs of one process (simulate --dates, a backfill, several workflows at once). The
// pool logic is the contract's (contract/pools.ts); here a slot reaches a waiter by resolving the
// promise its acquire Task sleeps on, whichever run it belongs to.
import { MemoryPoolStore } from '../contract/memory-pool-store.ts';
import { acquireSlot, poolBackstop, releaseSlot, runEnded, type PoolDeps, type PoolReleaseRequest, type PoolSubject } from '../contract/pools.ts';

interface Pending {
  resolve: (output: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  /** Epoch ms after which the engine has timed the Task out: a grant then finds it gone. */
  deadline: number;
}

/** One moment of a pool: who holds its slots and who waits (the local `status` and reports). */
export interface PoolEvent {
  time: number;
  pool: string;
  held: number;
  waiting: number;
}

export class LocalPools {
  readonly store = new MemoryPoolStore();
  /** Every change of a pool's holders or queue, in order (a report's pool timeline). */
  readonly events: PoolEvent[] = [];
  /** The most slots each pool held at once. */
  readonly peak = new Map<string, number>();
  /** By execution and token: local tokens are numbered per execution, so only the pair is unique. */
  private readonly pending = new Map<string, Pending>();
  private readonly deps: PoolDeps;
  /** The pools each workflow declares, by execution: what a run's end gives back. */
  private readonly poolsOf = new Map<string, Map<string, number>>();

  constructor(private readonly track: <T>(work: Promise<T>) => Promise<T> = (w) => w) {
    this.deps = {
      store: this.store,
      granter: {
        grant: async (waiter) => {
          const waiting = this.pending.get(pendingKey(waiter.execution, waiter.token));
          this.pending.delete(pendingKey(waiter.execution, waiter.token));
          if (!waiting || Date.now() > waiting.deadline) return 'gone';
          waiting.resolve({ pool: waiter.pool, holder: waiter.holder });
          return 'released';
        },
      },
      now: () => Date.now(),
    };
  }

  /** `J acquires <pool>`: resolves when the job holds a slot; the engine's TimeoutSeconds ends it otherwise. */
  acquire(request: { subject: PoolSubject; token: string; execution: string; state: string; timeoutSeconds: number }): Promise<Record<string, unknown>> {
    const pools = this.poolsOf.get(request.execution) ?? new Map<string, number>();
    this.poolsOf.set(request.execution, pools.set(request.subject.pool, request.subject.slots));
    const granted = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.pending.set(pendingKey(request.execution, request.token), { resolve, reject, deadline: Date.now() + request.timeoutSeconds * 1000 });
    });
    return this.changed(request.subject.pool, acquireSlot(request, this.deps)).then(() => granted);
  }

  release(request: PoolReleaseRequest): Promise<boolean> {
    return this.changed(request.pool, releaseSlot(request, this.deps));
  }

  /** A run (or a child machine's run) ended: as Step Functions' Execution Status Change tells the router. */
  async runEnded(execution: string, status: string): Promise<void> {
    const pools = this.poolsOf.get(execution);
    if (!pools) return;
    // Its acquires still waiting end with it (the engine keeps a Task's timeout timer until the
    // Task settles: a stopped run's 6-hour wait for a slot would keep the process alive).
    for (const [key, waiting] of this.pending) {
      if (!key.startsWith(`${execution}\n`)) continue;
      this.pending.delete(key);
      waiting.reject(new Error(`the run ended (${status}) while waiting for a slot`));
    }
    for (const pool of pools.keys()) await this.changed(pool, runEnded(execution, status, [pool], this.deps));
  }

  backstop(): Promise<number> {
    return this.track(poolBackstop(this.store.names(), this.deps));
  }

  private async changed<T>(pool: string, work: Promise<T>): Promise<T> {
    const result = await this.track(work);
    const held = (await this.store.holders(pool)).length;
    const waiting = (await this.store.waiters(pool)).length;
    let last: PoolEvent | undefined;
    for (const e of this.events) if (e.pool === pool) last = e;
    if (!last || last.held !== held || last.waiting !== waiting) this.events.push({ time: Date.now(), pool, held, waiting });
    this.peak.set(pool, Math.max(this.peak.get(pool) ?? 0, held));
    return result;
  }
}

const pendingKey = (execution: string, token: string): string => `${execution}\n${token}`;
