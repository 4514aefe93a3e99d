// The baseline: the level-by-level plan simpler DAG-to-Step-Functions tools emit. Each
// topological level (jobs whose longest chain of needs has the same length) is one Parallel
// state, and the levels run one after the other, so a job waits for every job of the level
// before it, related or not. It is a Plan like stepgraph's own, emitted by the same emitter
// and run by the same engine, so the two differ only in the nesting.
import { topologicalOrder, type Workflow } from '../generator/model.ts';
import { planSweeps, type Block, type Plan } from '../generator/plan/plan.ts';

/** Jobs by level: level 0 has no needs, level k needs something of level k-1 (source order within). */
export function levels(workflow: Workflow): string[][] {
  const depth = new Map<string, number>();
  const out: string[][] = [];
  for (const job of topologicalOrder(workflow.jobs)) {
    const d = job.needs.reduce((m, n) => Math.max(m, depth.get(n)! + 1), 0);
    depth.set(job.name, d);
    (out[d] ??= []).push(job.name);
  }
  const order = new Map(workflow.jobs.map((j, i) => [j.name, i]));
  return out.map((level) => level.sort((a, b) => order.get(a)! - order.get(b)!));
}

export function levelPlan(workflow: Workflow): Plan {
  const items: Block[] = levels(workflow).map((level) =>
    level.length === 1 ? { kind: 'job', job: level[0] } : { kind: 'par', branches: level.map((job): Block => ({ kind: 'job', job })) },
  );
  return { root: items.length === 1 ? items[0] : { kind: 'seq', items }, sync: [], sweeps: planSweeps(workflow) };
}
