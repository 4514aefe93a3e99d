// The pool store of the local engine and tests (pools.ts: PoolStore): the shared table's shape in
// memory. Maps keyed by pool, holder and waiter, so no name meets an inherited member; records
// are copied in and out.
import type { PoolHolder, PoolStore, PoolWaiter, TakeOutcome } from './pools.ts';

interface Pool {
  holders: Map<string, PoolHolder>;
  waiters: Map<string, PoolWaiter>;
  suspended: Map<string, { holder: PoolHolder; expiresAt: number }>;
}

export class MemoryPoolStore implements PoolStore {
  private readonly pools = new Map<string, Pool>();

  private pool(name: string): Pool {
    let pool = this.pools.get(name);
    if (!pool) this.pools.set(name, (pool = { holders: new Map(), waiters: new Map(), suspended: new Map() }));
    return pool;
  }

  async take(pool: string, holder: PoolHolder, slots: number): Promise<TakeOutcome> {
    const p = this.pool(pool);
    if (p.holders.has(holder.holder)) return 'held';
    if (p.holders.size >= slots) return 'full';
    p.holders.set(holder.holder, { ...holder });
    return 'acquired';
  }

  async give(pool: string, holder: string): Promise<boolean> {
    return this.pool(pool).holders.delete(holder);
  }

  async reclaim(pool: string, holder: string, expiresAt: number): Promise<boolean> {
    const p = this.pool(pool);
    if (p.holders.get(holder)?.expiresAt !== expiresAt) return false;
    return p.holders.delete(holder);
  }

  async holders(pool: string): Promise<PoolHolder[]> {
    return [...this.pool(pool).holders.values()].map((h) => ({ ...h }));
  }

  async putWaiter(waiter: PoolWaiter): Promise<void> {
    this.pool(waiter.pool).waiters.set(waiter.waiter, { ...waiter });
  }

  async deleteWaiter(pool: string, waiter: string): Promise<void> {
    this.pool(pool).waiters.delete(waiter);
  }

  async waiters(pool: string): Promise<PoolWaiter[]> {
    return [...this.pool(pool).waiters.values()].sort((a, b) => (a.waiter < b.waiter ? -1 : a.waiter > b.waiter ? 1 : 0)).map((w) => ({ ...w }));
  }

  async suspend(pool: string, holder: PoolHolder, expiresAt: number): Promise<void> {
    this.pool(pool).suspended.set(holder.holder, { holder: { ...holder }, expiresAt });
  }

  async takeSuspended(pool: string, execution: string): Promise<PoolHolder[]> {
    const p = this.pool(pool);
    const out: PoolHolder[] = [];
    for (const [id, s] of p.suspended) {
      if (s.holder.execution !== execution) continue;
      p.suspended.delete(id);
      out.push(s.holder);
    }
    return out;
  }

  /** Pools with their holders, for `status` of a local run and the tests. */
  names(): string[] {
    return [...this.pools.keys()].sort();
  }
}
