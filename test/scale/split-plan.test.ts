// splitPlan on its own, with simple costs: what goes into parts, in which order, and that
// every definition's blocks fit the budget.
import { describe, expect, it } from 'vitest';
import type { Block } from '../../generator/plan/plan.ts';
import { splitJobs, splitPlan, type Cost, type SplitBlock, type SplitCosts } from '../../generator/plan/split.ts';

const job = (i: number): Block => ({ kind: 'job', job: `j${i}` });
const costs: SplitCosts = {
  job: () => ({ bytes: 10, events: 1 }),
  parallel: () => ({ bytes: 5, events: 4 }),
  partTask: { bytes: 30, events: 6 },
  overhead: { bytes: 0, events: 0 },
};

/** The cost of a definition's own blocks (a part counts as its Task). */
function costOf(block: SplitBlock): Cost {
  switch (block.kind) {
    case 'job':
      return costs.job(block.job);
    case 'part':
      return costs.partTask;
    case 'seq':
      return block.items.map(costOf).reduce((a, b) => ({ bytes: a.bytes + b.bytes, events: a.events + b.events }));
    case 'par':
      return block.branches.map(costOf).reduce((a, b) => ({ bytes: a.bytes + b.bytes, events: a.events + b.events }), costs.parallel(block.branches.length));
  }
}

describe('splitPlan', () => {
  it('GIVEN blocks that fit WHEN split THEN no parts and the same blocks', () => {
    const root: Block = { kind: 'seq', items: [job(0), { kind: 'par', branches: [job(1), job(2)] }] };
    expect(splitPlan(root, costs, { bytes: 1000, events: 1000 })).toEqual({ root, parts: [] });
  });

  it('GIVEN a long sequence WHEN split THEN runs of neighbours become parts, in order, each within the budget', () => {
    const root: Block = { kind: 'seq', items: Array.from({ length: 40 }, (_, i) => job(i)) };
    const budget = { bytes: 100, events: 100 };
    const split = splitPlan(root, costs, budget);
    expect(split.parts.length).toBeGreaterThan(1);
    expect(splitJobs(split.root, split.parts)).toEqual(Array.from({ length: 40 }, (_, i) => `j${i}`));
    for (const b of [split.root, ...split.parts.map((p) => p.root)]) expect(costOf(b).bytes).toBeLessThanOrEqual(budget.bytes);
    for (const p of split.parts) expect(p.jobs).toBe(splitJobs(p.root, split.parts).length);
    expect(split.parts[0]).toMatchObject({ n: 1, firstJob: 'j0' });
  });

  it('GIVEN so many parts that their Tasks do not fit side by side WHEN split THEN parts run parts, numbered parent first', () => {
    const root: Block = { kind: 'seq', items: Array.from({ length: 200 }, (_, i) => job(i)) };
    const budget = { bytes: 100, events: 1000 };
    const split = splitPlan(root, costs, budget);
    const nested = split.parts.filter((p) => JSON.stringify(p.root).includes('"kind":"part"'));
    expect(nested.length).toBeGreaterThan(0);
    expect(splitJobs(split.root, split.parts)).toEqual(Array.from({ length: 200 }, (_, i) => `j${i}`));
    for (const b of [split.root, ...split.parts.map((p) => p.root)]) expect(costOf(b).bytes).toBeLessThanOrEqual(budget.bytes);
    // A part is numbered before the parts it runs.
    for (const p of split.parts) for (const m of JSON.stringify(p.root).matchAll(/"part":(\d+)/g)) expect(Number(m[1])).toBeGreaterThan(p.n);
  });

  it('GIVEN a wide Parallel over the event budget WHEN split THEN groups of branches become parts that are Parallels themselves', () => {
    const root: Block = { kind: 'par', branches: Array.from({ length: 60 }, (_, i) => job(i)) };
    const split = splitPlan(root, costs, { bytes: 10_000, events: 25 });
    expect(split.parts.length).toBeGreaterThan(1);
    expect(split.root.kind).toBe('par');
    expect(split.parts.every((p) => p.root.kind === 'par' || p.root.kind === 'job')).toBe(true);
    for (const b of [split.root, ...split.parts.map((p) => p.root)]) expect(costOf(b).events).toBeLessThanOrEqual(25);
    expect(splitJobs(split.root, split.parts).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `j${i}`).sort());
  });
});
