// The waiter store of the local engine, a sweep's own local runs and tests (generator/contract/waits.ts: WaiterStore):
// the DynamoDB table's shape in memory. Maps keyed by subject and waiter, so no subject or job
// name can meet an inherited member ('constructor', '__proto__'). Records are copied in and out:
// a caller changing a record it got back cannot change the store.
import { SIGNALLED, type SubjectOutcome, type WaiterRecord, type WaiterStore } from './waits.ts';

export class MemoryWaiterStore implements WaiterStore {
  private readonly waiters = new Map<string, Map<string, WaiterRecord>>();
  /** Subject -> expiresAt (epoch seconds). */
  private readonly signals = new Map<string, number>();
  /** Subject -> its recorded outcome and expiresAt. */
  private readonly outcomes = new Map<string, { outcome: SubjectOutcome; expiresAt: number }>();

  async put(record: WaiterRecord): Promise<void> {
    if (record.waiter === SIGNALLED) throw new Error(`'${SIGNALLED}' is the signal's own record, not a waiter`);
    let bySubject = this.waiters.get(record.subject);
    if (!bySubject) this.waiters.set(record.subject, (bySubject = new Map()));
    bySubject.set(record.waiter, copy(record));
  }

  async delete(subject: string, waiter: string): Promise<void> {
    const bySubject = this.waiters.get(subject);
    bySubject?.delete(waiter);
    if (bySubject?.size === 0) this.waiters.delete(subject);
  }

  async waitersOf(subject: string): Promise<WaiterRecord[]> {
    return [...(this.waiters.get(subject)?.values() ?? [])].map(copy);
  }

  async *allWaiters(): AsyncIterable<WaiterRecord> {
    // A snapshot, as a scan page is: deletions while the backstop walks it are safe.
    const all = [...this.waiters.values()].flatMap((bySubject) => [...bySubject.values()].map(copy));
    yield* all;
  }

  async signal(subject: string, expiresAt: number): Promise<void> {
    // Overwritten, as DynamoDB's PutItem does (a later signal never expires sooner: same keep, later now).
    this.signals.set(subject, expiresAt);
  }

  async isSignalled(subject: string): Promise<boolean> {
    return this.signals.has(subject);
  }

  async settle(subject: string, outcome: SubjectOutcome, expiresAt: number): Promise<void> {
    this.outcomes.set(subject, { outcome: { ...outcome }, expiresAt });
  }

  async settled(subject: string): Promise<SubjectOutcome | undefined> {
    const recorded = this.outcomes.get(subject);
    return recorded && { ...recorded.outcome };
  }

  /** How many waiters are open (tests, and the local engine's end-of-run check). */
  get size(): number {
    let n = 0;
    for (const bySubject of this.waiters.values()) n += bySubject.size;
    return n;
  }

  /**
   * Forgets what the table's TTL would have removed by `nowSeconds`: waiters, signals and outcomes whose
   * `expiresAt` has passed.
   */
  expire(nowSeconds: number): void {
    for (const [subject, bySubject] of this.waiters) {
      for (const [waiter, record] of bySubject) if (record.expiresAt <= nowSeconds) bySubject.delete(waiter);
      if (bySubject.size === 0) this.waiters.delete(subject);
    }
    for (const [subject, expiresAt] of this.signals) if (expiresAt <= nowSeconds) this.signals.delete(subject);
    for (const [subject, { expiresAt }] of this.outcomes) if (expiresAt <= nowSeconds) this.outcomes.delete(subject);
  }
}

const copy = (record: WaiterRecord): WaiterRecord => ({ ...record, detail: { ...record.detail } });
