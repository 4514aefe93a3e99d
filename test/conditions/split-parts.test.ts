// Trigger rules in a graph split into parts: the outcome records go into each child run and come
// back from it, so every job ends as it does when the graph is one state machine. The graph is
// split by test/support/force-split.ts (the compiler splits only past Step Functions' limits).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { simulate, type SimulationReport } from '../../generator/local/simulate.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { forceSplit } from '../support/force-split.ts';
import { expectGolden } from '../support/golden.ts';

type State = Record<string, unknown>;

const root = 'test/fixtures/split-rules';

function compile(file: string, text: string): CompiledWorkflow {
  const result = compileTexts([{ file, text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

/** The machine (main or part) whose definition runs `job`'s Task. */
function machineOf(compiled: CompiledWorkflow, job: string): string {
  const has = (states: Record<string, State>): boolean =>
    Object.entries(states).some(([name, s]) => (name === job && s.Type === 'Task') || ((s.Branches as { States: Record<string, State> }[] | undefined) ?? []).some((b) => has(b.States)));
  return compiled.definitions.find((d) => has(d.definition.States as Record<string, State>))!.name;
}

/** Every Task that runs a part, at all levels of every definition. */
function partTasks(compiled: CompiledWorkflow): State[] {
  const walk = (states: Record<string, State>): State[] =>
    Object.entries(states).flatMap(([name, s]) => [...(/^Part \d+ \(/.test(name) ? [s] : []), ...((s.Branches as { States: Record<string, State> }[] | undefined) ?? []).flatMap((b) => walk(b.States))]);
  return compiled.definitions.flatMap((d) => walk(d.definition.States as Record<string, State>));
}

/** What must not differ between the whole graph's run and the split one's. */
const seen = (r: SimulationReport) => ({
  status: r.status,
  failedJob: r.failedJob,
  jobs: r.jobs.map((j) => ({ name: j.name, status: j.status, start: j.startSeconds, end: j.endSeconds, attempts: j.attempts })),
});

describe('GIVEN rules whose guarded job runs in another part than the rules', () => {
  const whole = compile(join(root, 'input.yaml'), readFileSync(join(root, 'input.yaml'), 'utf8'));
  const split = forceSplit(whole, 2);

  it('THEN the graph is split so: load in one child, cleanup and notify elsewhere', () => {
    expect(split.definitions.length).toBeGreaterThan(2);
    expect(machineOf(split, 'load')).not.toBe(machineOf(split, 'cleanup'));
    expect(machineOf(split, 'load')).not.toBe(machineOf(split, 'notify'));
    expect(machineOf(split, 'load')).not.toBe(split.workflow.name);
  });

  it('THEN each part Task reads the records back from the child Output, and only the main machine can end in Run failed', () => {
    const tasks = partTasks(split);
    expect(tasks).toHaveLength(split.definitions.length - 1);
    for (const task of tasks) {
      expect(task.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
      // The child gets the whole state, records included...
      expect((task.Parameters as State).Input).toEqual({ 'state.$': '$', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' });
      // ...and its records (the parent's and its own) replace the parent's.
      expect(task.ResultSelector).toEqual({ 'jobs.$': '$.Output.outcomes.jobs' });
      expect(task.ResultPath).toBe('$.outcomes');
      expect(task.Catch).toBeUndefined();
    }
    const [main, ...children] = split.definitions;
    expect(Object.keys(main.definition.States)).toEqual(expect.arrayContaining(['Track outcomes', 'Any job failed?', 'Run failed']));
    for (const child of children) {
      // A child keeps the parent's records (no prologue, no new record) and never fails the run for a handed-on failure.
      expect(child.definition.States['Start part']).toMatchObject({ Type: 'Pass', InputPath: '$.state' });
      expect(Object.keys(child.definition.States)).not.toEqual(expect.arrayContaining(['Track outcomes']));
      expect(child.deployed).not.toContain('Any job failed?');
      expect(child.deployed).not.toContain('Run failed');
    }
  });

  it('THEN every definition matches its golden ASL and passes both validators', async () => {
    for (const d of split.definitions) {
      expectGolden(join(root, `${d.name}.asl.json`), d.text);
      expect(await validateAsl(d.definition)).toEqual([]);
    }
  });

  it.each([[[]], [['load']], [['extract']], [['transform']], [['publish']], [['load', 'publish']], [['transform', 'cleanup']]])(
    'WHEN %j fail THEN every job ends as in the whole graph, at the same times, and the run names the same job',
    async (fail) => {
      const expected = await simulate(whole, { date: '2019-03-12', fail });
      const actual = await simulate(split, { date: '2019-03-12', fail });
      expect(seen(actual)).toEqual(seen(expected));
      if (fail.length > 0) expect(fail).toContain(actual.failedJob);
    },
  );

  it('WHEN load fails THEN its failure is handed on across parts: the children succeed, the main machine ends in Run failed', async () => {
    const report = await simulate(split, { date: '2019-03-12', fail: ['load'] });
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/^job 'load' failed in state 'load' \(stepgraph\.JobFailed: /);
    const status = Object.fromEntries(report.jobs.map((j) => [j.name, j.status]));
    expect(status).toEqual({ extract: 'succeeded', load: 'failed', transform: 'not_run', publish: 'not_run', cleanup: 'succeeded', notify: 'succeeded' });
  });

  it('WHEN publish (no rule waits for it) fails in a child THEN it fails in place: the child fails, and so does the Task that ran it', async () => {
    const report = await simulate(split, { date: '2019-03-12', fail: ['publish'] });
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('publish');
    expect(report.error).toMatch(/^job 'publish' failed in state 'publish' \(States\.TaskFailed: /);
  });
});

describe('GIVEN an in-run wait across parts (an N shape) with a rule behind it', () => {
  // c needs a and b, d needs b only: d cannot nest with both, so one of them waits for b inside the run.
  const TEXT = `name: split-wait
jobs:
  a: { lambda: a, estimate: 20m }
  b: { lambda: b, estimate: 5m }
  c: { lambda: c, needs: [a, b], run_if: all_done }
  d: { lambda: d, needs: [b], run_if: one_failed }
  e: { lambda: e, needs: [c, d], run_if: all_done }
`;
  const whole = compile('split-wait.yaml', TEXT);
  const split = forceSplit(whole, 1);

  it('THEN the wait crosses machines', () => {
    expect(whole.plan.sync.length).toBeGreaterThan(0);
    for (const edge of whole.plan.sync) expect(machineOf(split, edge.after)).not.toBe(machineOf(split, edge.job));
  });

  it.each([[[]], [['a']], [['b']], [['a', 'b']], [['b', 'd']]])('WHEN %j fail THEN every job ends as in the whole graph', async (fail) => {
    const expected = await simulate(whole, { date: '2019-03-12', fail });
    const actual = await simulate(split, { date: '2019-03-12', fail });
    expect(seen(actual)).toEqual(seen(expected));
  });
});
