// A wait for several markers (a daily run waiting for 24 hourly ones, contract/waits.ts with
// contract/marker-dates.ts) under random histories: the markers land in any order, their events
// are delivered, duplicated or lost, the registration comes before, between or after them, and
// fast-check's scheduler interleaves every store and probe call of concurrent operations.
// Properties:
//   - the waiter is never released while one of its markers is missing;
//   - it is released exactly once when every marker exists and something looked after the last
//     one landed (the registration, any marker's event, or a backstop tick);
//   - it keeps at most one record at rest, and none once released.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';
import { markerDatesKeys, type MarkerDatesSubject } from '../../generator/contract/marker-dates.ts';
import { backstop, registerWait, subjectEvent, type WaitDeps } from '../../generator/contract/waits.ts';

const BUCKET = 'acme-job-markers';
const SUBJECT: MarkerDatesSubject = { kind: 'marker_dates', bucket: BUCKET, prefix: 'done/', job: 'events', datekey: '20200229', partition: 'hourly' };
const KEYS = markerDatesKeys(SUBJECT)!;

type Op = { op: 'write'; key: number; event: 'deliver' | 'duplicate' | 'lose' } | { op: 'register' } | { op: 'backstop' };

const history = fc
  .tuple(
    fc.shuffledSubarray(
      KEYS.map((_, i) => i),
      { minLength: KEYS.length - 2, maxLength: KEYS.length },
    ),
    fc.array(fc.constantFrom('deliver' as const, 'duplicate' as const, 'lose' as const), { minLength: KEYS.length, maxLength: KEYS.length }),
    fc.nat(KEYS.length),
    fc.array(fc.nat(KEYS.length), { maxLength: 3 }),
    fc.integer({ min: 1, max: 4 }),
  )
  .map(([order, events, registerAt, backstops, width]) => {
    const ops: Op[] = order.map((key) => ({ op: 'write' as const, key, event: events[key] }));
    for (const at of backstops) ops.splice(Math.min(at, ops.length), 0, { op: 'backstop' });
    ops.splice(Math.min(registerAt, ops.length), 0, { op: 'register' });
    return { ops, width, complete: order.length === KEYS.length };
  });

describe('a wait for several dated markers', () => {
  it('is released once, only when every marker exists, and keeps at most one record', async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.scheduler(), async ({ ops, width }, s) => {
        const objects = new Set<string>();
        const store = new MemoryWaiterStore();
        const releases: string[][] = [];
        const deps: WaitDeps = {
          store: {
            put: s.scheduleFunction((r) => store.put(r)),
            delete: s.scheduleFunction((a, b) => store.delete(a, b)),
            waitersOf: s.scheduleFunction((a) => store.waitersOf(a)),
            allWaiters: () => store.allWaiters(),
            signal: (a, b) => store.signal(a, b),
            isSignalled: (a) => store.isSignalled(a),
            settle: (a, b, c) => store.settle(a, b, c),
            settled: (a) => store.settled(a),
          },
          probe: { satisfied: s.scheduleFunction(async (m) => m.kind === 'marker' && objects.has(m.key)) },
          releaser: {
            release: async () => {
              releases.push(KEYS.filter((k) => !objects.has(k)));
              return releases.length === 1 ? 'released' : 'gone';
            },
          },
          now: () => 1_700_000_000_000,
        };
        const run = async (op: Op): Promise<void> => {
          if (op.op === 'register') {
            await registerWait({ action: 'wait', subject: SUBJECT, token: 'token-1', execution: 'arn:run', state: 'rollup waits for events (hourly)', timeoutSeconds: 3600 }, deps);
          } else if (op.op === 'backstop') {
            await backstop(deps);
          } else {
            objects.add(KEYS[op.key]);
            const event = { kind: 'marker' as const, bucket: BUCKET, key: KEYS[op.key] };
            if (op.event !== 'lose') await subjectEvent(event, deps);
            if (op.event === 'duplicate') await subjectEvent(event, deps);
          }
        };
        // Operations run `width` at a time, concurrently; the scheduler picks every interleaving.
        for (let i = 0; i < ops.length; i += width) {
          const group = Promise.all(ops.slice(i, i + width).map(run));
          await s.waitFor(group);
        }
        const all = KEYS.every((k) => objects.has(k));
        // THEN no release ever happened with a marker missing
        for (const missing of releases) expect(missing).toEqual([]);
        const records = [...(await collect(store.allWaiters()))];
        if (releases.length === 0) {
          expect(records.length).toBeLessThanOrEqual(1);
          // A look after the last write always releases: the backstop is that look.
          await s.waitFor(backstop(deps));
          expect(releases.length).toBe(all ? 1 : 0);
        }
        if (all) expect(releases.length).toBeGreaterThanOrEqual(1);
        if (releases.length > 0) expect([...(await collect(store.allWaiters()))]).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
