// The pool contract (generator/contract/pools.ts) under seeded random histories: jobs of several
// runs acquiring one pool, finishing (J releases), failing or being aborted (the run's end event),
// failing with the failure handed on to a run_if job (J releases <pool> after failure: the slot goes
// back at once while the run goes on, and the run's end comes later or races with it), deadlines
// passing, leases running out (the job's worst case passed, its end event sometimes lost: only the
// backstop gives that slot back), and backstop ticks, with the operations of a step running concurrently: every
// store and grant call is a point where fast-check's scheduler picks which operation goes on, so
// acquires race with releases, run ends and each other.
//
// Checked after every single store call: the pool never holds more than its slots, and never
// more jobs run (granted, not yet finished or ended) than its slots. A token is granted at most
// once, only before its deadline and before its run ended. At the end, every job still running
// finishes; then every live waiter must have been granted and finished (nobody starves while a
// slot is free), and the pool holds nothing and queues nothing: every slot came back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryPoolStore } from '../../generator/contract/memory-pool-store.ts';
import { acquireSlot, poolBackstop, releaseSlot, runEnded, type PoolDeps, type PoolStore } from '../../generator/contract/pools.ts';

const POOL = 'warehouse';
const TASKS = 6;

type Op =
  | { op: 'acquire'; task: number; timeout: number; lease: number }
  | { op: 'finish' | 'handOn'; task: number; timeout: number }
  | { op: 'end'; task: number; status: 'FAILED' | 'ABORTED' | 'TIMED_OUT' }
  | { op: 'backstop' };
type Step = { advance: number; lostEnds: boolean } | { ops: Op[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('acquire' as const), task: fc.nat(TASKS - 1), timeout: fc.integer({ min: 60, max: 3600 }), lease: fc.oneof(fc.constant(10_000_000), fc.integer({ min: 300, max: 3600 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('handOn' as const), task: fc.nat(TASKS - 1), timeout: fc.constant(0) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('finish' as const), task: fc.nat(TASKS - 1), timeout: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('end' as const), task: fc.nat(TASKS - 1), status: fc.constantFrom('FAILED' as const, 'ABORTED' as const, 'TIMED_OUT' as const) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'backstop' as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ advance: fc.integer({ min: 1, max: 1200 }), lostEnds: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 4 }) }) },
);

interface Task {
  execution: string;
  token?: string;
  deadline: number;
  /** handedOn: the job failed, its slot went back, its run goes on (its end comes later). */
  state: 'idle' | 'waiting' | 'running' | 'finished' | 'handedOn' | 'ended';
  grants: number;
  lease: number;
  /** When the slot was granted (epoch seconds): past it plus the lease the job cannot still run. */
  grantedAt: number;
}

class World {
  time = 1_552_352_400;
  readonly store = new MemoryPoolStore();
  readonly tasks: Task[] = Array.from({ length: TASKS }, (_, i) => ({ execution: `arn:exec:wf-${i}`, deadline: 0, state: 'idle', grants: 0, lease: 0, grantedAt: 0 }));
  readonly deps: PoolDeps;
  readonly problems: string[] = [];

  constructor(
    readonly slots: number,
    s?: fc.Scheduler,
  ) {
    const store = this.store;
    const point = async (label: string): Promise<void> => {
      if (s) await s.schedule(Promise.resolve(), label);
    };
    const checked = <T>(value: T): T => {
      void this.check();
      return value;
    };
    const scheduled: PoolStore = {
      take: async (p, h, n) => (await point(`take ${h.holder}`), checked(await store.take(p, h, n))),
      give: async (p, h) => (await point(`give ${h}`), checked(await store.give(p, h))),
      reclaim: async (p, h, e) => (await point(`reclaim ${h}`), checked(await store.reclaim(p, h, e))),
      holders: async (p) => (await point('holders'), store.holders(p)),
      putWaiter: async (w) => (await point(`putWaiter ${w.holder}`), store.putWaiter(w)),
      deleteWaiter: async (p, w) => (await point(`deleteWaiter ${w}`), store.deleteWaiter(p, w)),
      waiters: async (p) => (await point('waiters'), store.waiters(p)),
      suspend: async (p, h, e) => (await point(`suspend ${h.holder}`), store.suspend(p, h, e)),
      takeSuspended: async (p, e) => (await point(`takeSuspended ${e}`), store.takeSuspended(p, e)),
    };
    this.deps = {
      store: scheduled,
      granter: {
        grant: async (waiter) => {
          await point(`grant ${waiter.token}`);
          const task = this.tasks.find((t) => t.token === waiter.token)!;
          // Step Functions answers TaskTimedOut / InvalidToken for a Task that waits no more.
          if (task.state !== 'waiting' || this.time > task.deadline) return 'gone';
          task.grants++;
          task.state = 'running';
          task.grantedAt = this.time;
          void this.check();
          return 'released';
        },
      },
      now: () => this.time * 1000,
    };
  }

  async check(): Promise<void> {
    const held = (await this.store.holders(POOL)).length;
    const running = this.tasks.filter((t) => t.state === 'running').length;
    if (held > this.slots) this.problems.push(`${held} slots held of ${this.slots}`);
    if (running > this.slots) this.problems.push(`${running} jobs running with ${this.slots} slots`);
    for (const t of this.tasks) if (t.grants > 1) this.problems.push(`${t.execution} granted ${t.grants} times`);
  }

  start(op: Op, n: number, step: number): Promise<unknown> {
    if (op.op === 'backstop') return poolBackstop([POOL], this.deps);
    const task = this.tasks[op.task];
    switch (op.op) {
      case 'acquire': {
        if (task.state !== 'idle') return Promise.resolve();
        task.state = 'waiting';
        task.token = `token-${step}.${n}`;
        task.deadline = this.time + op.timeout;
        task.lease = op.lease;
        const subject = { kind: 'pool' as const, pool: POOL, slots: this.slots, workflow: 'wf', job: 'load', leaseSeconds: op.lease };
        return acquireSlot({ subject, token: task.token, execution: task.execution, state: 'load acquires warehouse', timeoutSeconds: op.timeout }, this.deps);
      }
      case 'finish': {
        if (task.state !== 'running') return Promise.resolve();
        task.state = 'finished';
        return releaseSlot({ action: 'pool_release', pool: POOL, execution: task.execution, job: 'load' }, this.deps);
      }
      case 'handOn': {
        // The job failed and a run_if job waits for it: the same release as on success, but the run
        // neither succeeded nor ended (an `end` may follow, or race with this release).
        if (task.state !== 'running') return Promise.resolve();
        task.state = 'handedOn';
        return releaseSlot({ action: 'pool_release', pool: POOL, execution: task.execution, job: 'load' }, this.deps);
      }
      case 'end': {
        if (task.state === 'idle' || task.state === 'finished' || task.state === 'ended') return Promise.resolve();
        task.state = 'ended';
        return runEnded(task.execution, op.status, [POOL], this.deps);
      }
    }
  }
}

async function play(world: World, steps: readonly Step[], s: fc.Scheduler): Promise<void> {
  for (const [i, step] of steps.entries()) {
    if ('advance' in step) {
      world.time += step.advance;
      // A Task past its deadline has failed (States.Timeout): its run ends, its end event comes.
      const ends = world.tasks.filter((t) => t.state === 'waiting' && world.time > t.deadline).map((t) => {
        t.state = 'ended';
        return runEnded(t.execution, 'FAILED', [POOL], world.deps);
      });
      // A job past its lease has outlived its worst case: it timed out and its run failed. Its end
      // event may be lost (then only the lease gives the slot back, through the backstop).
      for (const t of world.tasks.filter((t) => t.state === 'running' && world.time > t.grantedAt + t.lease)) {
        t.state = 'ended';
        if (!step.lostEnds) ends.push(runEnded(t.execution, 'TIMED_OUT', [POOL], world.deps));
      }
      await s.waitIdle();
      await Promise.all(ends);
      continue;
    }
    const running = step.ops.map((op, n) => world.start(op, n, i));
    await s.waitIdle();
    await Promise.all(running);
  }
}

describe('pools: slots are never exceeded and always returned', () => {
  it('holds for random histories of concurrent acquires, releases, failures (handed on too), aborts, deadlines and lost ends past their lease', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 25 }), fc.scheduler(), async (slots, steps, s) => {
        const world = new World(slots, s);
        await play(world, steps, s);
        await s.waitIdle();
        // Drain: the backstop ticks (it takes back the slots whose lease ran out with their end event
        // lost) and every running job finishes, one at a time, until nothing runs.
        for (let guard = 0; guard < 100; guard++) {
          const backstop = poolBackstop([POOL], world.deps);
          await s.waitIdle();
          await backstop;
          const task = world.tasks.find((t) => t.state === 'running');
          if (!task) break;
          const done = world.start({ op: 'finish', task: world.tasks.indexOf(task), timeout: 0 }, 0, 1000 + guard);
          await s.waitIdle();
          await done;
        }
        // Nobody still waiting with time left: a free slot always reaches the oldest waiter.
        expect(world.tasks.filter((t) => t.state === 'waiting' && world.time <= t.deadline)).toEqual([]);
        await world.check();
        expect(world.problems).toEqual([]);
        expect(await world.store.holders(POOL)).toEqual([]);
        expect((await world.store.waiters(POOL)).filter((w) => world.time <= w.deadline)).toEqual([]);
      }),
      { numRuns: 200, seed: 20261129 },
    );
  });

  it('serves waiters first come, first served', async () => {
    const world = new World(1);
    const acquire = (task: number) => world.start({ op: 'acquire', task, timeout: 3600, lease: 10_000_000 }, task, 0);
    for (const task of [0, 1, 2, 3]) {
      await acquire(task);
      world.time += 1;
    }
    const order: number[] = [];
    for (let i = 0; i < 4; i++) {
      const running = world.tasks.findIndex((t) => t.state === 'running');
      order.push(running);
      await world.start({ op: 'finish', task: running, timeout: 0 }, 0, 0);
    }
    expect(order).toEqual([0, 1, 2, 3]);
  });
});
