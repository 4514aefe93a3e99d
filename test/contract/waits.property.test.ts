// The wait contract (generator/contract/waits.ts) under seeded random histories: registrations,
// marker writes and deletions (a replay invalidating a marker), signals of this and other runs,
// S3 events delivered late, twice, out of order or never, and backstop ticks, on a virtual clock
// with deadlines. Operations of one step run concurrently: every store, probe and release call is
// a point where fast-check's scheduler chooses which operation goes on, so registrations race
// with writes, events, signals and the backstop. The ports are the in-memory waiter store, a set
// of objects as the probe, and a releaser that answers 'gone' once a task has timed out or was
// released (as Step Functions answers TaskTimedOut / InvalidToken).
//
// Time is constant within a step. For a waiter W registered in step R at time T(R), deadline
// d = T(R) + timeout, waiting for subject k, the properties checked are:
//
// Safety (never released wrongly):
//   S1 W is released at most once.
//   S2 If W is released in step b, then R <= b, T(b) <= d, and
//      - marker k: k existed at some moment of step b (so another date's marker, or a marker
//        deleted before the step - a replay's invalidation - never releases W, even when its
//        late event arrives);
//      - signal k: a signal of exactly k (this run, this job) was sent in a step <= b.
// Liveness (released when it should be), W is released exactly once when:
//   L1 marker k: some write of k in step w with T(w) <= d, k not deleted in steps w..o, and an
//      observation in step o: the registration itself (o = R > w), or a delivery (first or
//      duplicate) of any event for k, or a backstop tick, in a step o > w with R <= o, T(o) <= d.
//      (A marker written and deleted again before anybody looked, with its event lost, is the
//      case where nothing can release W: the property does not claim more.)
//   L2 signal k: a signal of k was sent in any step with time <= d.
// Nothing left behind: after every step, no record of a released waiter remains; at the end,
// one backstop tick past every deadline leaves the store empty.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backstop, registerWait, signal, subjectEvent, subjectId, type WaitDeps, type WaiterRecord, type WaiterStore, type WaitSubject } from '../../generator/contract/waits.ts';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';

const BUCKET = 'acme-job-markers';
const KEYS = ['done/a__20190312.done', 'done/a__20190313.done', 'done/b__20190312.done'];
const RUNS = ['wf-2019-03-12', 'wf-2019-03-12-replay-1'];
const JOBS = ['a', 'b'];
const SUBJECTS: WaitSubject[] = [
  ...KEYS.map((key): WaitSubject => ({ kind: 'marker', bucket: BUCKET, key })),
  ...RUNS.flatMap((run) => JOBS.map((job): WaitSubject => ({ kind: 'signal', run, job }))),
];
const SIGNALS = SUBJECTS.filter((s) => s.kind === 'signal');

type Op =
  | { op: 'register'; subject: number; timeout: number }
  | { op: 'write'; key: number }
  | { op: 'delete'; key: number }
  | { op: 'deliver' | 'duplicate' | 'lose'; pick: number }
  | { op: 'signal'; signal: number }
  | { op: 'backstop' };
type Step = { advance: number } | { ops: Op[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('register' as const), subject: fc.nat(SUBJECTS.length - 1), timeout: fc.integer({ min: 60, max: 3600 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('write' as const), key: fc.nat(KEYS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key: fc.nat(KEYS.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('deliver' as const, 'duplicate' as const, 'lose' as const), pick: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('signal' as const), signal: fc.nat(SIGNALS.length - 1) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'backstop' as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ advance: fc.integer({ min: 1, max: 1200 }) }) },
  { weight: 3, arbitrary: fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 4 }) }) },
);

interface Task {
  token: string;
  subject: WaitSubject;
  step: number;
  deadline: number;
  releasedIn: number[];
}

/** One history: the system under test and what the test saw happen. */
class World {
  time = 1_552_352_400; // 2019-03-12T01:00:00Z, epoch seconds
  step = 0;
  readonly store = new MemoryWaiterStore();
  readonly objects = new Set<string>();
  /** Keys that existed at some moment of each step. */
  readonly existed: Set<string>[] = [];
  readonly times: number[] = [];
  readonly writes: { key: string; step: number }[] = [];
  readonly deletes: { key: string; step: number }[] = [];
  /** Deliveries of an event (first or duplicate) and backstop ticks: looks at a key or at everything. */
  readonly looks: { key?: string; step: number }[] = [];
  readonly signals: { subject: string; step: number }[] = [];
  readonly pending: string[] = [];
  readonly tasks = new Map<string, Task>();
  readonly deps: WaitDeps;

  constructor(private readonly s: fc.Scheduler) {
    const point = (label: string) => s.schedule(Promise.resolve(), label);
    const store = this.store;
    const scheduled: WaiterStore = {
      put: async (r) => (await point(`put ${r.waiter}`), store.put(r)),
      delete: async (subject, waiter) => (await point(`delete ${waiter}`), store.delete(subject, waiter)),
      waitersOf: async (subject) => (await point(`waitersOf ${subject}`), store.waitersOf(subject)),
      async *allWaiters(): AsyncIterable<WaiterRecord> {
        await point('scan');
        const all: WaiterRecord[] = [];
        for await (const r of store.allWaiters()) all.push(r);
        yield* all;
      },
      signal: async (subject, expiresAt) => (await point(`signal ${subject}`), store.signal(subject, expiresAt)),
      isSignalled: async (subject) => (await point(`isSignalled ${subject}`), store.isSignalled(subject)),
      settle: async (subject, outcome, expiresAt) => (await point(`settle ${subject}`), store.settle(subject, outcome, expiresAt)),
      settled: async (subject) => (await point(`settled ${subject}`), store.settled(subject)),
    };
    this.deps = {
      store: scheduled,
      probe: {
        satisfied: async (subject) => {
          await point(`probe ${subjectId(subject)}`);
          return subject.kind === 'marker' && this.objects.has(subject.key);
        },
      },
      releaser: {
        release: async (token) => {
          await point(`release ${token}`);
          const task = this.tasks.get(token)!;
          if (task.releasedIn.length > 0 || this.time > task.deadline) return 'gone';
          task.releasedIn.push(this.step);
          return 'released';
        },
      },
      now: () => this.time * 1000,
    };
  }

  /** Starts one operation; it runs when the scheduler lets its calls through. */
  start(op: Op, n: number): Promise<unknown> {
    switch (op.op) {
      case 'register': {
        const subject = SUBJECTS[op.subject];
        const token = `t${this.step}.${n}`;
        this.tasks.set(token, { token, subject, step: this.step, deadline: this.time + op.timeout, releasedIn: [] });
        return registerWait({ action: 'wait', subject, token, execution: `exec-${token}`, state: 'w', timeoutSeconds: op.timeout }, this.deps);
      }
      case 'write': {
        const key = KEYS[op.key];
        return this.s.schedule(Promise.resolve(), `write ${key}`).then(() => {
          this.objects.add(key);
          this.existed[this.step].add(key);
          this.writes.push({ key, step: this.step });
          this.pending.push(key); // its "Object Created" event, delivered whenever (or never)
        });
      }
      case 'delete': {
        const key = KEYS[op.key];
        this.deletes.push({ key, step: this.step });
        return this.s.schedule(Promise.resolve(), `delete ${key}`).then(() => void this.objects.delete(key));
      }
      case 'deliver':
      case 'duplicate':
      case 'lose': {
        if (this.pending.length === 0) return Promise.resolve();
        const at = op.pick % this.pending.length;
        const key = this.pending[at];
        if (op.op !== 'duplicate') this.pending.splice(at, 1);
        if (op.op === 'lose') return Promise.resolve();
        this.looks.push({ key, step: this.step });
        return subjectEvent({ kind: 'marker', bucket: BUCKET, key }, this.deps);
      }
      case 'signal': {
        const subject = SIGNALS[op.signal] as Extract<WaitSubject, { kind: 'signal' }>;
        this.signals.push({ subject: subjectId(subject), step: this.step });
        return signal({ action: 'signal', run: subject.run, job: subject.job, keepSeconds: 3600 }, this.deps);
      }
      case 'backstop':
        this.looks.push({ step: this.step });
        return backstop(this.deps);
    }
  }

  async run(ops: readonly Op[]): Promise<void> {
    this.times[this.step] = this.time;
    this.existed[this.step] = new Set(this.objects);
    const running = ops.map((op, n) => this.start(op, n));
    await this.s.waitIdle();
    await Promise.all(running);
    this.step++;
  }

  /** L1 / L2: whether the history obliges the contract to release the task. */
  mustRelease(task: Task): boolean {
    const inTime = (step: number) => this.times[step] <= task.deadline;
    if (task.subject.kind === 'signal') {
      const id = subjectId(task.subject);
      return this.signals.some((s) => s.subject === id && inTime(s.step));
    }
    if (task.subject.kind !== 'marker') return false;
    const key = task.subject.key;
    return this.writes.some((w) => {
      if (w.key !== key || !inTime(w.step)) return false;
      const kept = (until: number) => !this.deletes.some((d) => d.key === key && d.step >= w.step && d.step <= until);
      if (w.step < task.step && kept(task.step)) return true;
      return this.looks.some((l) => (l.key === undefined || l.key === key) && l.step > w.step && l.step >= task.step && inTime(l.step) && kept(l.step));
    });
  }
}

describe('wait contract: random interleavings', () => {
  it('releases every waiter exactly once when its subject is satisfied in time, and never otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(stepArb, { minLength: 1, maxLength: 30 }), async (s, steps) => {
        const world = new World(s);
        for (const step of steps) {
          if ('advance' in step) world.time += step.advance;
          else {
            await world.run(step.ops);
            // nothing left behind: a released waiter's record is gone with its release
            const open = new Set<string>();
            for await (const r of world.store.allWaiters()) open.add(r.token);
            for (const task of world.tasks.values()) if (task.releasedIn.length > 0) expect(open.has(task.token), task.token).toBe(false);
          }
        }

        for (const task of world.tasks.values()) {
          const where = `${task.token} waiting for ${subjectId(task.subject)}`;
          // S1
          expect(task.releasedIn.length, where).toBeLessThanOrEqual(1);
          // S2
          for (const b of task.releasedIn) {
            expect(b, where).toBeGreaterThanOrEqual(task.step);
            expect(world.times[b], where).toBeLessThanOrEqual(task.deadline);
            if (task.subject.kind === 'marker') expect(world.existed[b].has(task.subject.key), `${where}: released in step ${b} without its marker`).toBe(true);
            else {
              const id = subjectId(task.subject);
              expect(world.signals.some((x) => x.subject === id && x.step <= b), `${where}: released in step ${b} without its signal`).toBe(true);
            }
          }
          // L1, L2
          if (world.mustRelease(task)) expect(task.releasedIn, `${where} was never released`).toHaveLength(1);
        }

        // Past every deadline, one backstop tick forgets every waiter still open.
        world.time += 10 * 3600;
        await world.run([{ op: 'backstop' }]);
        expect(world.store.size).toBe(0);
      }),
      { seed: 20190312, numRuns: 200 },
    );
  });

  it('a deleted marker does not release on its late event; its rewrite does', async () => {
    // A fixed history the random one covers, spelled out: written, invalidated by a replay, its
    // first event delivered late, then written again.
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const world = new World(s);
        await world.run([{ op: 'write', key: 0 }]);
        await world.run([{ op: 'delete', key: 0 }]);
        await world.run([{ op: 'register', subject: 0, timeout: 600 }, { op: 'register', subject: 1, timeout: 600 }]);
        await world.run([{ op: 'deliver', pick: 0 }, { op: 'backstop' }]);
        expect([...world.tasks.values()].map((t) => t.releasedIn)).toEqual([[], []]);

        await world.run([{ op: 'write', key: 0 }, { op: 'deliver', pick: 0 }]);
        await world.run([{ op: 'deliver', pick: 0 }]);
        expect([...world.tasks.values()].map((t) => t.releasedIn.length)).toEqual([1, 0]);
      }),
      { seed: 7, numRuns: 50 },
    );
  });
});

describe('in-memory waiter store', () => {
  const record = (subject: string, waiter: string): WaiterRecord => ({
    subject,
    waiter,
    token: `token ${waiter}`,
    detail: { kind: 'signal', run: 'r', job: subject },
    deadline: 100,
    expiresAt: 200,
  });

  it('keeps subjects and waiters named like inherited members apart from its own workings', async () => {
    const store = new MemoryWaiterStore();
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(await store.waitersOf(name), name).toEqual([]);
      expect(await store.isSignalled(name), name).toBe(false);
      await store.put(record(name, name));
    }
    expect(store.size).toBe(5);
    expect((await store.waitersOf('__proto__')).map((r) => r.waiter)).toEqual(['__proto__']);
    await store.signal('constructor', 300);
    expect(await store.isSignalled('constructor')).toBe(true);
    expect(await store.isSignalled('toString')).toBe(false);
  });

  it('hands out copies, walks a snapshot, and forgets what the TTL would', async () => {
    const store = new MemoryWaiterStore();
    await store.put(record('a', 'w1'));
    await store.put(record('a', 'w2'));
    (await store.waitersOf('a'))[0].token = 'changed';
    expect((await store.waitersOf('a')).map((r) => r.token)).toEqual(['token w1', 'token w2']);

    // deleting while the backstop walks is safe
    const seen: string[] = [];
    for await (const r of store.allWaiters()) {
      seen.push(r.waiter);
      await store.delete(r.subject, r.waiter);
    }
    expect(seen).toEqual(['w1', 'w2']);
    expect(store.size).toBe(0);

    await store.put({ ...record('b', 'w3'), expiresAt: 50 });
    await store.signal('s', 60);
    store.expire(60);
    expect(store.size).toBe(0);
    expect(await store.isSignalled('s')).toBe(false);
  });
});
