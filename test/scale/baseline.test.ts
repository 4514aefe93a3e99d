// The benchmark's baseline (each topological level a Parallel state) and its graph generators.
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { levelPlan, levels } from '../../bench/baseline.ts';
import { FAMILIES, randomWorkflow, type Family } from '../../bench/graphs.ts';
import { emitWorkflow } from '../../generator/emit/asl.ts';
import { topologicalOrder } from '../../generator/model.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { planWorkflow } from '../../generator/plan/plan.ts';

describe('the level-by-level baseline', () => {
  const workflow = randomWorkflow('sparse', 40, 11);
  const byName = new Map(workflow.jobs.map((j) => [j.name, j]));

  it('GIVEN a graph WHEN split into levels THEN each job is in one level, after all its needs, right after its deepest one', () => {
    const ls = levels(workflow);
    const levelOf = new Map(ls.flatMap((l, i) => l.map((j) => [j, i] as const)));
    expect(levelOf.size).toBe(workflow.jobs.length);
    expect(ls.flat()).toHaveLength(workflow.jobs.length);
    for (const job of workflow.jobs) {
      const needLevels = job.needs.map((n) => levelOf.get(n)!);
      expect(needLevels.every((l) => l < levelOf.get(job.name)!)).toBe(true);
      expect(levelOf.get(job.name)).toBe(needLevels.length === 0 ? 0 : Math.max(...needLevels) + 1);
    }
  });

  it('GIVEN the level plan WHEN emitted THEN it is a sequence of Parallel states, one per level, with no in-run waits', () => {
    const plan = levelPlan(workflow);
    expect(plan.sync).toEqual([]);
    expect(plan.root.kind).toBe('seq');
    if (plan.root.kind !== 'seq') return;
    expect(plan.root.items.map((b) => (b.kind === 'par' ? b.branches.map((x) => (x.kind === 'job' ? x.job : '?')) : b.kind === 'job' ? [b.job] : ['?']))).toEqual(levels(workflow));
    const { isValid, errors } = aslValidator(emitWorkflow(workflow, plan) as never, { checkPaths: true, checkArn: true });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('GIVEN the level plan WHEN run on the local engine THEN every level waits for the whole level before it: the makespan is the sum of each level\'s longest job', async () => {
    const plan = levelPlan(workflow);
    const report = await simulate({ workflow, plan, definition: emitWorkflow(workflow, plan) }, { date: '2019-03-12' });
    expect(report.status).toBe('SUCCEEDED');
    const expected = levels(workflow).reduce((sum, l) => sum + Math.max(...l.map((j) => byName.get(j)!.estimateSeconds!)), 0);
    expect(report.makespanSeconds).toBe(expected);
    expect(report.makespanSeconds).toBeGreaterThan(report.criticalPathSeconds);
    const end = new Map(report.jobs.map((j) => [j.name, j.endSeconds!]));
    for (const j of report.jobs) for (const n of byName.get(j.name)!.needs) expect(j.startSeconds!).toBeGreaterThanOrEqual(end.get(n)!);
  });
});

describe('the seeded graph generators', () => {
  it.each(Object.keys(FAMILIES) as Family[])('GIVEN family %s WHEN generated twice with one seed THEN the same DAG of the asked size, and another seed differs', (family) => {
    const a = randomWorkflow(family, 150, 3);
    expect(randomWorkflow(family, 150, 3)).toEqual(a);
    expect(a.jobs).toHaveLength(150);
    expect(topologicalOrder(a.jobs)).toHaveLength(150);
    expect(a.jobs.every((j) => j.estimateSeconds! >= 60 && j.estimateSeconds! <= 3600 && j.timeoutSeconds > j.estimateSeconds!)).toBe(true);
    const b = randomWorkflow(family, 150, 4);
    expect(b.jobs.map((j) => [j.needs, j.estimateSeconds])).not.toEqual(a.jobs.map((j) => [j.needs, j.estimateSeconds]));
  });

  it.each(['n', 'w'] as Family[])('GIVEN family %s THEN no nesting expresses it: the plan needs in-run waits', (family) => {
    expect(planWorkflow(randomWorkflow(family, 30, 1)).sync.length).toBeGreaterThan(0);
  });

  it('GIVEN the fan family THEN it is series-parallel: no in-run waits', () => {
    expect(planWorkflow(randomWorkflow('fan', 300, 1)).sync).toEqual([]);
  });
});
