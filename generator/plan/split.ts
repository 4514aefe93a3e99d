// Splitting a plan too big for one state machine into a main machine and child machines
// ("parts") that it runs to completion. A part is a sub-block of the plan (a run of sequence
// items, or a group of Parallel branches), replaced in its parent by one Task that starts it
// and waits for it: the nesting, and so every dependency, stays exactly what it was.
//
// Packing is bottom-up: a block whose states would not fit a budget (bytes of definition and
// worst-case history events) hands its largest runs of items or groups of branches to parts
// until what stays fits. A part may itself run parts when even the list of its parts is too long.
import type { Block } from './plan.ts';

export type SplitBlock =
  | { kind: 'job'; job: string }
  | { kind: 'seq'; items: SplitBlock[] }
  | { kind: 'par'; branches: SplitBlock[] }
  /** Runs part `part` (a child state machine) to completion. */
  | { kind: 'part'; part: number };

export interface Part {
  /** 1-based; the child state machine is `<workflow>-part-<n>`. */
  n: number;
  root: SplitBlock;
  /** Its first job and how many jobs it runs (directly or through its own parts). */
  firstJob: string;
  jobs: number;
}

export interface Split {
  /** What the main state machine runs. */
  root: SplitBlock;
  /** parts[n - 1] is part n, numbered in the order a depth-first walk from the main meets them. */
  parts: Part[];
}

export interface Cost {
  bytes: number;
  events: number;
}

export interface SplitCosts {
  /** A job's states. */
  job(name: string): Cost;
  /** A Parallel state with `branches` branches, without what runs inside them. */
  parallel(branches: number): Cost;
  /** The Task that runs a part, in its parent (with its failure state). */
  partTask: Cost;
  /** What every definition has besides its blocks (the main's prologue, a part's start state). */
  overhead: Cost;
}

const add = (a: Cost, b: Cost): Cost => ({ bytes: a.bytes + b.bytes, events: a.events + b.events });
const ZERO: Cost = { bytes: 0, events: 0 };

/** Splits `root` so that every definition's blocks fit `budget` (overhead included). */
export function splitPlan(root: Block, costs: SplitCosts, budget: Cost): Split {
  const room: Cost = { bytes: budget.bytes - costs.overhead.bytes, events: budget.events - costs.overhead.events };
  const fits = (c: Cost): boolean => c.bytes <= room.bytes && c.events <= room.events;
  const weight = (c: Cost): number => Math.max(c.bytes / room.bytes, c.events / room.events);
  const made: { root: SplitBlock }[] = [];

  const makePart = (content: SplitBlock): SplitBlock => {
    made.push({ root: content });
    return { kind: 'part', part: made.length - 1 };
  };

  type Packed = { block: SplitBlock; cost: Cost };

  /**
   * Items of a sequence (or branches of a Parallel) that do not fit together: group neighbours
   * into runs that fit, then move the heaviest runs into parts until the rest fits.
   */
  const shrink = (items: Packed[], wrap: (blocks: SplitBlock[]) => SplitBlock, frame: (count: number) => Cost): Packed[] => {
    const sum = (list: readonly Packed[]): Cost => list.reduce((c, p) => add(c, p.cost), frame(list.length));
    let list = items;
    for (;;) {
      // Runs of neighbours, each as large as fits.
      const runs: Packed[][] = [];
      let run: Packed[] = [];
      let runCost = ZERO;
      for (const item of list) {
        const grown = add(runCost, item.cost);
        if (run.length > 0 && !fits(add(grown, frame(run.length + 1)))) {
          runs.push(run);
          run = [];
          runCost = ZERO;
        }
        run.push(item);
        runCost = add(runCost, item.cost);
      }
      if (run.length > 0) runs.push(run);

      // Move the heaviest runs into parts (ties: the earlier run first) until the rest fits.
      const moved = new Set<number>();
      const staying = (): Packed[] => runs.flatMap((r, i) => (moved.has(i) ? [{ block: r[0].block, cost: costs.partTask }] : r));
      const order = runs.map((r, i) => ({ i, w: weight(sum(r)) })).sort((a, b) => b.w - a.w || a.i - b.i);
      for (const { i, w } of order) {
        if (fits(sum(staying()))) break;
        // A run no heavier than the Task that would replace it gains nothing.
        if (w > weight(costs.partTask)) moved.add(i);
      }
      const out: Packed[] = runs.flatMap((r, i) =>
        moved.has(i) ? [{ block: makePart(r.length === 1 ? r[0].block : wrap(r.map((p) => p.block))), cost: costs.partTask }] : r,
      );
      if (moved.size === 0 || fits(sum(out))) return out;
      // Even the parts' Tasks do not fit side by side: the next round groups them into parts.
      list = out;
    }
  };

  const pack = (block: Block): Packed => {
    switch (block.kind) {
      case 'job':
        return { block, cost: costs.job(block.job) };
      case 'seq': {
        const items: Packed[] = [];
        for (const item of block.items) items.push(pack(item));
        const frame = (): Cost => ZERO;
        const total = items.reduce((c, p) => add(c, p.cost), ZERO);
        const kept = fits(total) ? items : shrink(items, (blocks) => ({ kind: 'seq', items: blocks }), frame);
        return { block: { kind: 'seq', items: kept.map((p) => p.block) }, cost: kept.reduce((c, p) => add(c, p.cost), ZERO) };
      }
      case 'par': {
        const branches: Packed[] = [];
        for (const branch of block.branches) branches.push(pack(branch));
        const frame = (count: number): Cost => (count === 0 ? ZERO : costs.parallel(count));
        const total = branches.reduce((c, p) => add(c, p.cost), frame(branches.length));
        const kept = fits(total) ? branches : shrink(branches, (blocks) => ({ kind: 'par', branches: blocks }), frame);
        const block2: SplitBlock = kept.length === 1 ? kept[0].block : { kind: 'par', branches: kept.map((p) => p.block) };
        return { block: block2, cost: kept.length === 1 ? kept[0].cost : kept.reduce((c, p) => add(c, p.cost), frame(kept.length)) };
      }
    }
  };

  const top = pack(root).block;
  return number(top, made);
}

/** Numbers parts in the order a depth-first walk from the main meets them; fills in their jobs. */
function number(top: SplitBlock, made: { root: SplitBlock }[]): Split {
  const parts: Part[] = [];
  const renumber = (block: SplitBlock): SplitBlock => {
    switch (block.kind) {
      case 'job':
        return block;
      case 'seq': {
        const items: SplitBlock[] = [];
        for (const item of block.items) items.push(renumber(item));
        return { kind: 'seq', items };
      }
      case 'par': {
        const branches: SplitBlock[] = [];
        for (const branch of block.branches) branches.push(renumber(branch));
        return { kind: 'par', branches };
      }
      case 'part': {
        // The part takes its number before its content, so parts inside it come after it.
        const part: Part = { n: parts.length + 1, root: made[block.part].root, firstJob: '', jobs: 0 };
        parts.push(part);
        part.root = renumber(part.root);
        return { kind: 'part', part: part.n };
      }
    }
  };
  const root = renumber(top);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    part.firstJob = firstJobOf(part.root, parts);
    part.jobs = countJobs(part.root, parts);
  }
  return { root, parts };
}

export function firstJobOf(block: SplitBlock, parts: readonly Part[]): string {
  let b = block;
  for (;;) {
    if (b.kind === 'job') return b.job;
    if (b.kind === 'part') return parts[b.part - 1].firstJob;
    b = b.kind === 'seq' ? b.items[0] : b.branches[0];
  }
}

/** Jobs a block runs, through its parts too (parts numbered after their parents are counted first). */
function countJobs(block: SplitBlock, parts: readonly Part[]): number {
  switch (block.kind) {
    case 'job':
      return 1;
    case 'part':
      return parts[block.part - 1].jobs;
    case 'seq':
      return block.items.reduce((n, b) => n + countJobs(b, parts), 0);
    case 'par':
      return block.branches.reduce((n, b) => n + countJobs(b, parts), 0);
  }
}

/** The jobs a split block runs, in order, through its parts. */
export function splitJobs(block: SplitBlock, parts: readonly Part[]): string[] {
  const out: string[] = [];
  const walk = (b: SplitBlock): void => {
    if (b.kind === 'job') out.push(b.job);
    else if (b.kind === 'part') walk(parts[b.part - 1].root);
    else for (const x of b.kind === 'seq' ? b.items : b.branches) walk(x);
  };
  walk(block);
  return out;
}
