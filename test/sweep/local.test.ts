// Compiled sweeps run on the embedded engine (generator/local/engine.ts) and its virtual clock,
// every Task served by the in-memory EC2 of generator/sweep/local.ts, each item's callback wait
// released through the contract (generator/contract/waits.ts) when its instance terminates: the
// rolling queue never has more instances alive than max_concurrent, every item is launched exactly
// once and ends in exactly one record, each way an item can end (exit status, ttl, failed launch,
// silence) gives the record it should, and no waiter is left behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withVirtualClock } from '../../generator/local/clock.ts';
import { StateMachine } from '../../generator/local/engine.ts';
import { FakeEc2, localDefinition, localRunOptions, type InstanceScript } from '../../generator/sweep/local.ts';
import type { CompiledSweep } from '../../generator/sweep/compile.ts';
import { encodeSlot, renderUserData } from '../../generator/sweep/userdata.ts';
import { compiled, ec2Sweep } from './support.ts';

interface Record {
  index: number;
  name: string;
  status: 'SUCCEEDED' | 'FAILED';
  exitStatus: string | null;
  reason: string | null;
  instanceId: string | null;
}

interface Outcome {
  status: 'SUCCEEDED' | 'FAILED';
  records: Record[];
  error?: string;
  cause?: string;
  ec2: FakeEc2;
  /** Waiters still registered when the run ended. */
  openWaiters: number;
  /** Virtual seconds the run took. */
  seconds: number;
}

const START = Date.UTC(2026, 0, 1);

function runLocally(c: CompiledSweep, script: (index: number) => InstanceScript, input: object = {}, lambda?: (input: unknown) => unknown): Promise<Outcome> {
  return withVirtualClock(START, async () => {
    const ec2 = new FakeEc2(script);
    const machine = new StateMachine(localDefinition(c.plan) as never, { validationOptions: { checkPaths: true, checkArn: true } });
    const options = localRunOptions(c.plan, ec2, 'demo-20260101-000000', lambda);
    const after = { ec2, get openWaiters() { return options.waits.store.size; }, get seconds() { return (Date.now() - START) / 1000; } };
    try {
      const out = (await machine.run(input as never, options as never).result) as unknown as { sweep: { results: Record[] } };
      return { status: 'SUCCEEDED', records: out.sweep.results, ec2, openWaiters: after.openWaiters, seconds: after.seconds };
    } catch (error) {
      const cause = (error as { cause?: { name?: string; message?: string } }).cause;
      return { status: 'FAILED', records: [], error: cause?.name, cause: cause?.message, ec2, openWaiters: after.openWaiters, seconds: after.seconds };
    }
  });
}

describe('an EC2 sweep on the local engine', () => {
  it('runs every item once, at most max_concurrent at a time, and records each outcome', async () => {
    // GIVEN 8 items, 3 at a time, one failure tolerated; item 5 exits 2
    const c = compiled(ec2Sweep(8, { max_concurrent: 3, tolerated_failures: 1 }));

    // WHEN it runs
    const out = await runLocally(c, (i) => ({ runSeconds: 60 * (i % 3), exitStatus: i === 5 ? 2 : 0 }));

    // THEN it succeeds with one record per item, in order, and never more than 3 instances alive
    expect(out.status).toBe('SUCCEEDED');
    expect(out.records.map((r) => [r.index, r.status, r.exitStatus])).toEqual([
      [0, 'SUCCEEDED', '0'], [1, 'SUCCEEDED', '0'], [2, 'SUCCEEDED', '0'], [3, 'SUCCEEDED', '0'],
      [4, 'SUCCEEDED', '0'], [5, 'FAILED', '2'], [6, 'SUCCEEDED', '0'], [7, 'SUCCEEDED', '0'],
    ]);
    expect(out.records[5].reason).toBe('the command exited with status 2');
    expect(out.ec2.peakRunning).toBe(3);
    expect([...out.ec2.launchesByIndex.values()]).toEqual(Array(8).fill(1));
    expect(out.openWaiters).toBe(0);
  });

  it('boots each instance with its own parameters, command and the execution\'s name', async () => {
    const c = compiled(ec2Sweep(2));
    const out = await runLocally(c, () => ({ exitStatus: 0 }));
    const booted = [...out.ec2.instances.values()].find((i) => i.index === 1)!;
    const item = c.plan.items[1];
    expect(booted.userData).toBe(renderUserData({ ENV: item.env!, EXECUTION: 'demo-20260101-000000', USER_DATA: encodeSlot(''), COMMAND: encodeSlot('run --x 1') }));
  });

  it('fails the sweep past the tolerated failures, after every item has run, with the count in the cause', async () => {
    const c = compiled(ec2Sweep(6, { max_concurrent: 2, tolerated_failures: 1 }));
    const out = await runLocally(c, (i) => ({ runSeconds: 60, exitStatus: i < 2 ? 1 : 0 }));
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('stepgraph.SweepFailed');
    expect(out.cause).toBe('2 of 6 items failed; 1 tolerated');
    expect(out.ec2.launchesByIndex.size).toBe(6);
  });

  it('terminates an instance that outlives its ttl at its wait\'s deadline, and fails that item', async () => {
    // 10m ttl + 5m grace: the wait times out at 900s, the item terminates the instance and its
    // second wait is released by that termination at once.
    const c = compiled(ec2Sweep(2, { tolerated_failures: 1 }));
    const out = await runLocally(c, (i) => ({ runSeconds: i === 0 ? 100_000 : 60, exitStatus: 0 }));
    expect(out.records[0]).toMatchObject({ status: 'FAILED', exitStatus: null, reason: 'it outlived its ttl and stepgraph terminated it (900 seconds after its launch)' });
    expect(out.records[1].status).toBe('SUCCEEDED');
    expect(out.ec2.instances.get(out.records[0].instanceId!)).toMatchObject({ state: 'terminated', endedAt: START + 900_000 });
    expect(out.seconds).toBe(900);
    expect(out.openWaiters).toBe(0);
  });

  it('goes on the instant an instance ends: no poll interval between its end and its record', async () => {
    const c = compiled(ec2Sweep(3, { max_concurrent: 1 }, { ttl: '1h' }));
    const out = await runLocally(c, (i) => ({ runSeconds: [125, 7, 3601][i], exitStatus: 0 }));
    expect(out.records.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(out.seconds).toBe(125 + 7 + 3601);
  });

  it('records a failed launch (after one retry) and an instance that ended without an exit status', async () => {
    const c = compiled(ec2Sweep(3, { tolerated_failures: 2 }));
    const out = await runLocally(c, (i) => ({ exitStatus: i === 2 ? 0 : undefined, launchFails: i === 0, endReason: 'Server.SpotInstanceTermination: Spot instance termination' }));
    expect(out.records.map((r) => [r.status, r.reason])).toEqual([
      ['FAILED', 'launch failed: Ec2.Ec2Exception: InsufficientInstanceCapacity: no capacity (fake)'],
      ['FAILED', 'the instance ended without recording an exit status (Server.SpotInstanceTermination: Spot instance termination)'],
      ['SUCCEEDED', null],
    ]);
    expect(out.ec2.launchesByIndex.has(0)).toBe(false);
  });

  it('counts an instance without a command as done when it ends (spawn\'s "run until ttl")', async () => {
    const c = compiled({ name: 'idle', defaults: { instance_type: 't3.micro', ttl: '30m' }, params: [{ name: 'a' }, { name: 'b' }] });
    const out = await runLocally(c, () => ({ runSeconds: 120 }));
    expect(out.records.map((r) => [r.status, r.exitStatus])).toEqual([['SUCCEEDED', null], ['SUCCEEDED', null]]);
  });

  it('takes maxConcurrent and items from the input, and refuses a negative concurrency', async () => {
    const c = compiled(ec2Sweep(6, { max_concurrent: 1 }));
    const subset = c.plan.items.filter((i) => i.index % 2 === 1);
    const out = await runLocally(c, () => ({ runSeconds: 120, exitStatus: 0 }), { maxConcurrent: 3, items: subset });
    expect(out.records.map((r) => r.index)).toEqual([1, 3, 5]);
    expect(out.ec2.peakRunning).toBe(3);
    const bad = await runLocally(c, () => ({ exitStatus: 0 }), { maxConcurrent: -1 });
    expect(bad.error).toBe('stepgraph.InvalidInput');
  });

  it('runs a distributed sweep inline, with the same records', async () => {
    const c = compiled(ec2Sweep(45, { max_concurrent: 45 }, { ttl: '1m' }));
    expect(c.plan.mode).toBe('distributed');
    const out = await runLocally(c, () => ({ exitStatus: 0 }));
    expect(out.records).toHaveLength(45);
    expect(out.ec2.peakRunning).toBeLessThanOrEqual(45);
  });
});

describe('a lambda sweep on the local engine', () => {
  it('invokes the function once per item with the parameter set, and records its failures', async () => {
    const c = compiled({ name: 'score', lambda: 'score-model', max_concurrent: 2, tolerated_failures: 1, defaults: { dataset: 'd1' }, params: [{ name: 'gbm', model: 'm1' }, { name: 'mlp', model: 'm2' }] });
    const calls: unknown[] = [];
    const out = await runLocally(c, () => ({}), {}, (input) => {
      calls.push(input);
      if ((input as { Payload: { name: string } }).Payload.name === 'mlp') throw Object.assign(new Error('model not found'), { name: 'ModelError' });
      return { Payload: { ok: true } };
    });
    expect(calls).toContainEqual({ FunctionName: 'score-model', Payload: { sweep: 'score', execution: 'demo-20260101-000000', index: 0, name: 'gbm', params: { dataset: 'd1', name: 'gbm', model: 'm1' } } });
    expect(out.records.map((r) => [r.name, r.status, r.reason])).toEqual([['gbm', 'SUCCEEDED', null], ['mlp', 'FAILED', 'ModelError: model not found']]);
  });
});

describe('random sweeps (property, seeded)', () => {
  it('never run more instances at once than max_concurrent, and run every item exactly once', async () => {
    const sweeps = fc.record({
      count: fc.integer({ min: 1, max: 24 }),
      maxConcurrent: fc.integer({ min: 0, max: 8 }),
      lifetimes: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 24, maxLength: 24 }),
      failures: fc.array(fc.constantFrom<'ok' | 'exit' | 'launch' | 'silent'>('ok', 'ok', 'ok', 'exit', 'launch', 'silent'), { minLength: 24, maxLength: 24 }),
    });
    await fc.assert(
      fc.asyncProperty(sweeps, async ({ count, maxConcurrent, lifetimes, failures }) => {
        const settings = { ...(maxConcurrent > 0 && { max_concurrent: maxConcurrent }), tolerated_failures: count };
        const c = compiled(ec2Sweep(count, settings));
        const out = await runLocally(c, (i) => ({ runSeconds: 60 * lifetimes[i], exitStatus: failures[i] === 'exit' ? 1 : failures[i] === 'silent' ? undefined : 0, launchFails: failures[i] === 'launch' }));
        const limit = maxConcurrent === 0 ? count : maxConcurrent;
        expect(out.status).toBe('SUCCEEDED');
        expect(out.ec2.peakRunning).toBeLessThanOrEqual(limit);
        expect(out.records.map((r) => r.index)).toEqual([...Array(count).keys()]);
        for (let i = 0; i < count; i++) {
          expect(out.ec2.launchesByIndex.get(i) ?? 0).toBe(failures[i] === 'launch' ? 0 : 1);
          expect(out.records[i].status).toBe(failures[i] === 'ok' ? 'SUCCEEDED' : 'FAILED');
        }
        expect(out.openWaiters).toBe(0);
      }),
      { seed: 20260116, numRuns: 60 },
    );
  });
});
