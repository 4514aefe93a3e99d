// `stepgraph simulate <sweep file>`: the definition on the engine's virtual clock. The makespan is
// what a rolling queue gives (waves of max_concurrent, launch delays; an item goes on the instant
// its instance ends, its wait released by the termination), runs alive at once never exceed
// max_concurrent, and failures show per item.
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { simulateSweep } from '../../generator/sweep/simulate.ts';
import { compiled } from './support.ts';

describe('simulating a sweep on the virtual clock', () => {
  it('runs waves of max_concurrent: 6 items of 30m, 2 at a time, take 3 waves', async () => {
    // GIVEN 6 items that each run 30 minutes, 2 at a time
    const c = compiled({ name: 'waves', max_concurrent: 2, defaults: { instance_type: 't3.micro', ttl: '30m' }, params: Array.from({ length: 6 }, (_, i) => ({ x: i })) });

    // WHEN it is simulated
    const s = await simulateSweep(c);

    // THEN three waves of 30 minutes, never more than 2 instances, every item once
    expect(s.status).toBe('SUCCEEDED');
    expect(s.peakConcurrency).toBe(2);
    expect(s.relaunched).toEqual([]);
    expect(s.items.map((i) => i.startSeconds)).toEqual([0, 0, 1800, 1800, 3600, 3600]);
    expect(s.makespanSeconds).toBe(5400);
  });

  it('spaces launches by launch_delay and fails the sweep past its tolerated failures', async () => {
    const c = compiled({ name: 'spaced', max_concurrent: 3, launch_delay: '1m', tolerated_failures: 1, defaults: { instance_type: 't3.micro', ttl: '10m', iam_role: 'w', command: 'run {x}' }, params: Array.from({ length: 3 }, (_, i) => ({ x: i })) });
    const ok = await simulateSweep(c, { fail: new Set([1]) });
    expect(ok.items.map((i) => i.startSeconds)).toEqual([0, 60, 120]);
    expect(ok.items.map((i) => [i.status, i.reason])).toEqual([['SUCCEEDED', null], ['FAILED', 'the command exited with status 1'], ['SUCCEEDED', null]]);
    const failed = await simulateSweep(c, { fail: new Set([0, 2]) });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'stepgraph.SweepFailed', cause: '2 of 3 items failed; 1 tolerated' });
  });

  it('runs a lambda sweep with the same queue', async () => {
    const c = compiled({ name: 'fns', lambda: 'f', max_concurrent: 2, defaults: { ttl: '5m' }, params: [{ a: 1 }, { a: 2 }, { a: 3 }] });
    const s = await simulateSweep(c, { itemSeconds: 60 });
    expect(s.peakConcurrency).toBe(2);
    expect(s.makespanSeconds).toBe(120);
  });

  it('is what `stepgraph simulate <sweep file>` prints', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      const code = await main(['simulate', 'workflows/sweeps/quickstart.json', '--fail', '1']);
      expect(code).toBe(3);
    } finally {
      log.mockRestore();
    }
    expect(out.join('\n')).toContain('Simulated sweep quickstart: 3 runs, inline Map, no concurrency limit');
    expect(out.join('\n')).toMatch(/^1 +alpha-0\.5 +\+0s +\+30m +FAILED/m);
  });
});
