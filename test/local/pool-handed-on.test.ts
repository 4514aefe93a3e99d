// A pool job whose failure is handed on to a run_if job gives its slot back at once, on the
// emitted definition run by the local engine: another run waiting for the slot starts while the
// failed run still goes on (its cleanup, its unrelated long branch), not when it ends.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { simulateRuns } from '../../generator/local/simulate.ts';
import { validateAsl } from '../support/asl-validate.ts';

const text = `name: loads
pools:
  warehouse: { slots: 1 }
jobs:
  load: { lambda: load, pool: warehouse, estimate: 10m, retry: { attempts: 0 } }
  cleanup: { needs: [load], run_if: all_done, lambda: cleanup, estimate: 5m }
  archive: { lambda: archive, estimate: 50m }
`;
const compiled = compileTexts([{ file: 'loads.yaml', text }]).compiled[0];
const start = (run: { jobs: { name: string; startSeconds: number | null }[] }, job: string) => run.jobs.find((j) => j.name === job)!.startSeconds;

describe('a guarded pool job that fails', () => {
  it('goes from its Task through its own release to `load failure handed on` (both validators accept it)', async () => {
    type S = { Catch?: { Next: string; ResultPath?: unknown }[]; Next?: string; Branches?: { States: Record<string, S> }[] };
    const states: Record<string, S> = {};
    const walk = (from: Record<string, S>): void => void Object.entries(from).forEach(([name, state]) => ((states[name] = state), state.Branches?.forEach((b) => walk(b.States))));
    walk(compiled.definitions[0].definition.States as Record<string, S>);
    expect(states.load.Catch?.map((c) => c.Next)).toEqual(['load releases warehouse after failure']);
    expect(states['load releases warehouse after failure']).toMatchObject({ Next: 'load failure handed on', Catch: [{ ResultPath: null, Next: 'load failure handed on' }] });
    // Waiting for the slot holds none: a failed acquire is handed on directly.
    expect(states['load acquires warehouse'].Catch?.map((c) => c.Next)).toEqual(['load failure handed on']);
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
  });

  it('gives its slot back before the failure is handed on: the next run loads while the first still runs', async () => {
    const { runs, pools } = await simulateRuns(compiled, ['2019-03-11', '2019-03-12'], { fail: ['load'] });
    const [first, second] = runs;
    expect(runs.map((r) => r.status)).toEqual(['FAILED', 'FAILED']);
    // The run still fails at its end, and names the job that failed first, not its release.
    expect(runs.map((r) => r.failedJob)).toEqual(['load', 'load']);
    expect(first.makespanSeconds).toBeGreaterThanOrEqual(50 * 60);
    // One slot: the second run's load starts when the first run's load failed (10m), hours before that run ends.
    const loads = [start(first, 'load')!, start(second, 'load')!].sort((a, b) => a - b);
    expect(loads).toEqual([0, 600]);
    expect(loads[1]).toBeLessThan(first.makespanSeconds);
    expect(start(first, 'cleanup')).not.toBeNull();
    expect(pools).toEqual([{ pool: 'warehouse', slots: 1, peak: 1, heldAtEnd: 0 }]);
  });

  it('an unguarded pool job that fails keeps its slot until its run ends (the run fails in place)', async () => {
    const unguarded = compileTexts([{ file: 'loads.yaml', text: text.replace(/ {2}cleanup:.*\n/, '') }]).compiled[0];
    const { runs, pools } = await simulateRuns(unguarded, ['2019-03-11', '2019-03-12'], { fail: ['load'] });
    expect(runs.map((r) => r.failedJob)).toEqual(['load', 'load']);
    const first = runs.find((r) => start(r, 'load') === 0)!;
    const second = runs.find((r) => r !== first)!;
    // The failure stops the first run at once (10m): its end event frees the slot then.
    expect(first.makespanSeconds).toBe(600);
    expect(start(second, 'load')).toBe(600);
    expect(pools[0].heldAtEnd).toBe(0);
  });
});
