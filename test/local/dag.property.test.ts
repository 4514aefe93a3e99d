// Property: on the local engine, any job graph runs each job exactly once, never before all of
// its needs have ended, and ends exactly on the critical path.
//
// The design allows no latency at all: a job without in-run waits starts the instant its last
// need ends (series-parallel nesting has no barriers), and a job with in-run waits starts the
// instant the signal of its last need releases its wait (waits are callbacks, nothing polls).
//
// Durations are drawn independently of the estimates the planner saw (up to the jobs' 1h
// timeout), so the planner's guess of which need ends last is often wrong and in-run waits
// really wait.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomWorkflow } from '../../bench/graphs.ts';
import { compileTexts, compileWorkflow } from '../../generator/compile.ts';
import { emitWorkflow } from '../../generator/emit/asl.ts';
import { topologicalOrder, type Workflow } from '../../generator/model.ts';
import { planWorkflow, type SyncEdge } from '../../generator/plan/plan.ts';
import { simulate, type SimulationReport } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { dagYaml, randomDag, type RandomDag } from '../support/dag-arbitrary.ts';

const withDurations = randomDag.chain((dag) =>
  fc.tuple(fc.constant(dag), fc.array(fc.integer({ min: 1, max: 3600 }), { minLength: dag.needs.length, maxLength: dag.needs.length })),
);

/** Checks the property for one run; returns nothing, throws on a violation. */
function checkRun(workflow: Workflow, sync: readonly SyncEdge[], seconds: ReadonlyMap<string, number>, report: SimulationReport, store: MemoryMarkerStore): void {
  expect(report.status, report.error ?? '').toBe('SUCCEEDED');
  const jobs = new Map(report.jobs.map((j) => [j.name, j]));
  const waiting = new Set(sync.map((s) => s.job));
  for (const job of topologicalOrder(workflow.jobs)) {
    const r = jobs.get(job.name)!;
    // Exactly once: one attempt of its Task, one marker.
    expect(r.status).toBe('succeeded');
    expect(r.attempts).toBe(1);
    expect(store.keys().filter((k) => k.endsWith(`/${job.name}__20190312.done`))).toHaveLength(1);
    // Never before its needs, and the instant the last of them ends, in-run waits or not.
    const ready = Math.max(0, ...job.needs.map((n) => jobs.get(n)!.endSeconds!));
    expect(r.startSeconds, `${job.name} starts before a need ends`).toBeGreaterThanOrEqual(ready);
    expect(r.startSeconds! - ready, `${job.name} starts late${waiting.has(job.name) ? ' (it has in-run waits)' : ''}`).toBe(0);
    expect(r.endSeconds! - r.startSeconds!).toBe(seconds.get(job.name));
  }
  expect(report.makespanSeconds).toBe(Math.max(...report.jobs.map((j) => j.endSeconds!)));
  expect(report.makespanSeconds).toBe(report.criticalPathSeconds);
}

/** Runs in which some in-run wait really waited (its need ended after the wait began). */
const waitedInRun = (report: SimulationReport): boolean => report.jobs.some((j) => j.waits.some((w) => w.kind === 'in-run' && w.toSeconds !== null && w.toSeconds > w.fromSeconds));

describe('random DAGs on the local engine', () => {
  it('run every job once, after its needs, exactly on the critical path', async () => {
    let waited = 0;
    await fc.assert(
      fc.asyncProperty(withDurations, async ([dag, durations]: [RandomDag, number[]]) => {
        const result = compileTexts([{ file: 'random.yaml', text: dagYaml(dag) }]);
        const compiled = result.compiled[0];
        const seconds = new Map(compiled.workflow.jobs.map((j, i) => [j.name, durations[i]]));
        const store = new MemoryMarkerStore();
        const report = await simulate(compiled, { date: '2019-03-12', durations: seconds, store });
        checkRun(compiled.workflow, compiled.plan.sync, seconds, report, store);
        if (waitedInRun(report)) waited++;
      }),
      { seed: 20190312, numRuns: 300 },
    );
    // The generator must exercise the waits, or the exact bound says little about them.
    expect(waited).toBeGreaterThan(10);
  });

  it('hold at scale: a 1,000-job random DAG, split into child state machines', async () => {
    const { compiled } = compileWorkflow(randomWorkflow('layered', 1000, 3));
    expect(compiled.plan.sync.length).toBeGreaterThan(100);
    expect(compiled.definitions.length).toBeGreaterThan(1);
    const store = new MemoryMarkerStore();
    // Durations other than the estimates (within each job's timeout), so in-run waits wait.
    const seconds = new Map(compiled.workflow.jobs.map((j, i) => [j.name, 1 + ((i * 7919) % j.timeoutSeconds)]));
    const report = await simulate(compiled, { date: '2019-03-12', durations: seconds, store });
    checkRun(compiled.workflow, compiled.plan.sync, seconds, report, store);
    // Each child state machine is an execution of its own, with its own history.
    expect(Object.keys(report.historyByExecution)).toHaveLength(compiled.definitions.length);
    expect(report.historyEvents).toBe(Math.max(...Object.values(report.historyByExecution)));
  });

  it('hold for a graph emitted as one state machine (the benchmark builds these directly)', async () => {
    const workflow = randomWorkflow('n', 300, 5);
    const plan = planWorkflow(workflow);
    const definition = emitWorkflow(workflow, plan);
    const store = new MemoryMarkerStore();
    const seconds = new Map(workflow.jobs.map((j, i) => [j.name, 1 + ((i * 104729) % j.timeoutSeconds)]));
    const report = await simulate({ workflow, plan, definition }, { date: '2019-03-12', durations: seconds, store });
    checkRun(workflow, plan.sync, seconds, report, store);
  });

  it('start every branch of a Parallel wider than 40 at once', async () => {
    // 60 independent jobs and one that needs them all: one Parallel of 60 branches.
    const lines = ['name: wide', 'jobs:'];
    for (let i = 0; i < 60; i++) lines.push(`  j${i}:`, `    lambda: fn-${i}`, '    estimate: 10m');
    lines.push('  last:', '    lambda: fn-last', '    estimate: 1m', `    needs: [${Array.from({ length: 60 }, (_, i) => `j${i}`).join(', ')}]`);
    const compiled = compileTexts([{ file: 'wide.yaml', text: `${lines.join('\n')}\n` }]).compiled[0];
    const report = await simulate(compiled, { date: '2019-03-12' });
    expect(report.status).toBe('SUCCEEDED');
    expect(new Set(report.jobs.filter((j) => j.name !== 'last').map((j) => j.startSeconds))).toEqual(new Set([0]));
    expect(report.makespanSeconds).toBe(11 * 60);
  });
});
