// Phase 4, plan: turn the job graph into nested sequences and Parallel branches, plus the few
// in-run synchronisation edges that no nesting can express; and each sweep job's Map (sweep/plan.ts),
// planned once here so that emit, the manifest and the local engine render the same plan.
//
// The nesting never adds a dependency the graph does not have (a Parallel is followed only by
// jobs that need everything in it), so no job waits for an unrelated job: there are no
// level-by-level barriers. Every need is either implied by the nesting or is a sync edge.
import { earliestFinish, topologicalOrder, type Workflow } from '../model.ts';
import { planSweep, type SweepPlan } from '../sweep/plan.ts';
import { Dag } from './dag.ts';

export type Block =
  | { kind: 'job'; job: string }
  | { kind: 'seq'; items: Block[] }
  | { kind: 'par'; branches: Block[] };

/** `job` waits, inside the run, until `after` has finished. */
export interface SyncEdge {
  after: string;
  job: string;
}

export interface Plan {
  root: Block;
  sync: SyncEdge[];
  /** The plan of each job of kind `sweep`, by job name. */
  sweeps: ReadonlyMap<string, SweepPlan>;
}

/** Prime blocks up to this size are searched for the single best edge to turn into a wait. */
const SEARCH_LIMIT = 32;

export function planWorkflow(workflow: Workflow): Plan {
  const order = topologicalOrder(workflow.jobs);
  const index = new Map(order.map((j, i) => [j.name, i]));
  const dag = new Dag(
    order.map((j) => j.needs.map((n) => index.get(n)!).sort((a, b) => a - b)),
    order.map((_, i) => i),
  );
  const finish = earliestFinish(workflow);
  const ef = order.map((j) => finish.get(j.name)!);
  const syncIds: [number, number][] = [];
  const root = decompose(dag, ef, syncIds);
  const name = (i: number): string => order[i].name;
  return {
    root: rename(root, name),
    sync: syncIds
      .sort((a, b) => a[1] - b[1] || a[0] - b[0])
      .map(([u, v]) => ({ after: name(u), job: name(v) })),
    sweeps: planSweeps(workflow),
  };
}

/** Each sweep job's plan, by job name. */
export function planSweeps(workflow: Workflow): ReadonlyMap<string, SweepPlan> {
  return new Map(workflow.jobs.flatMap((j) => (j.kind.type === 'sweep' ? [[j.name, planSweep(j.kind.sweep)] as const] : [])));
}

type IdBlock = { kind: 'job'; job: number } | { kind: 'seq'; items: IdBlock[] } | { kind: 'par'; branches: IdBlock[] };

function decompose(g: Dag, ef: readonly number[], sync: [number, number][]): IdBlock {
  if (g.size === 1) return { kind: 'job', job: g.ids[0] };
  const split = splitOnce(g);
  if (split) return split.kind === 'par' ? par(split.parts.map((p) => decompose(g.subgraph(p), ef, sync))) : seq(split.parts.map((p) => decompose(g.subgraph(p), ef, sync)));

  // A prime block (an "N" inside): some need has to become an in-run wait.
  if (g.size <= SEARCH_LIMIT) {
    for (const [u, v] of candidateEdges(g, ef)) {
      const h = g.subgraph(allNodes(g), (a, b) => a === u && b === v);
      if (splitOnce(h)) {
        sync.push([g.ids[u], g.ids[v]]);
        return decompose(h, ef, sync);
      }
    }
  }
  return forest(g, ef, sync);
}

/** Split into parallel components, else into a series of parts; undefined for a prime block. */
function splitOnce(g: Dag): { kind: 'par' | 'seq'; parts: number[][] } | undefined {
  const components = undirectedComponents(g);
  if (components.length > 1) return { kind: 'par', parts: components };
  const parts = seriesParts(g);
  return parts.length > 1 ? { kind: 'seq', parts } : undefined;
}

function undirectedComponents(g: Dag): number[][] {
  const parent = allNodes(g);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (let v = 0; v < g.size; v++) for (const u of g.needs[v]) parent[find(u)] = find(v);
  const groups = new Map<number, number[]>();
  for (let v = 0; v < g.size; v++) {
    const root = find(v);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(v);
  }
  return [...groups.values()]; // each ascending; ordered by first node
}

/**
 * Series parts: cut the topological order wherever every node before the cut is an ancestor
 * of every node after it. firstOther[q] is the first node that is not an ancestor of q (q
 * itself if all before it are); a cut at k is valid when no node from k on has one before k.
 */
function seriesParts(g: Dag): number[][] {
  const firstOther = g.firstOther;
  const parts: number[][] = [];
  let current: number[] = [];
  let suffixMin = Infinity;
  const validCut = new Uint8Array(g.size);
  for (let k = g.size - 1; k >= 1; k--) {
    suffixMin = Math.min(suffixMin, firstOther[k]);
    validCut[k] = suffixMin >= k ? 1 : 0;
  }
  for (let v = 0; v < g.size; v++) {
    if (v > 0 && validCut[v]) {
      parts.push(current);
      current = [];
    }
    current.push(v);
  }
  parts.push(current);
  return parts;
}

/**
 * Direct needs u -> v, best first: the need expected to finish earliest compared with v's
 * last need, so the wait it becomes is most likely already satisfied when v gets there.
 * Only needs expected to finish strictly before another need of v: v then still arrives
 * after that other need, so the wait finds u done. A wait for v's last need would have v
 * arrive early and poll (with a single need, from the start of the run); the forest below
 * never does that.
 */
function candidateEdges(g: Dag, ef: readonly number[]): [number, number][] {
  const edges: { u: number; v: number; slack: number }[] = [];
  for (let v = 0; v < g.size; v++) {
    const needs = g.directNeeds(v);
    const last = Math.max(...needs.map((u) => ef[g.ids[u]]));
    for (const u of needs) edges.push({ u, v, slack: last - ef[g.ids[u]] });
  }
  return edges
    .filter((e) => e.slack > 0)
    .sort((a, b) => b.slack - a.slack || a.v - b.v || a.u - b.u)
    .map((e) => [e.u, e.v]);
}

/**
 * The fallback for large prime blocks: each job hangs under the need expected to finish last
 * (a tree nests without any wait); its other needs become waits.
 */
function forest(g: Dag, ef: readonly number[], sync: [number, number][]): IdBlock {
  const children: number[][] = Array.from({ length: g.size }, () => []);
  const roots: number[] = [];
  for (let v = 0; v < g.size; v++) {
    const needs = g.directNeeds(v);
    if (needs.length === 0) {
      roots.push(v);
      continue;
    }
    const parent = needs.reduce((best, u) => (ef[g.ids[u]] > ef[g.ids[best]] || (ef[g.ids[u]] === ef[g.ids[best]] && u > best) ? u : best));
    children[parent].push(v);
    for (const u of needs) if (u !== parent) sync.push([g.ids[u], g.ids[v]]);
  }
  // Build bottom-up (children have larger indices), so deep trees need no recursion.
  const built: IdBlock[] = new Array(g.size);
  for (let v = g.size - 1; v >= 0; v--) {
    const job: IdBlock = { kind: 'job', job: g.ids[v] };
    const after = children[v].map((c) => built[c]);
    built[v] = after.length === 0 ? job : seq([job, after.length === 1 ? after[0] : par(after)]);
  }
  return roots.length === 1 ? built[roots[0]] : par(roots.map((r) => built[r]));
}

const allNodes = (g: Dag): number[] => Array.from({ length: g.size }, (_, i) => i);

function seq(items: IdBlock[]): IdBlock {
  const flat = items.flatMap((b) => (b.kind === 'seq' ? b.items : [b]));
  return flat.length === 1 ? flat[0] : { kind: 'seq', items: flat };
}

function par(branches: IdBlock[]): IdBlock {
  const flat = branches.flatMap((b) => (b.kind === 'par' ? b.branches : [b]));
  return flat.length === 1 ? flat[0] : { kind: 'par', branches: flat };
}

/** Iterative: the plans of deep graphs nest thousands of levels, past the call stack's depth. */
function rename(root: IdBlock, name: (i: number) => string): Block {
  const made = new Map<IdBlock, Block>();
  const stack: [IdBlock, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [block, childrenDone] = stack.pop()!;
    if (block.kind === 'job') {
      made.set(block, { kind: 'job', job: name(block.job) });
      continue;
    }
    const children = block.kind === 'seq' ? block.items : block.branches;
    if (!childrenDone) {
      stack.push([block, true]);
      for (const child of children) stack.push([child, false]);
      continue;
    }
    const renamed = children.map((child) => made.get(child)!);
    made.set(block, block.kind === 'seq' ? { kind: 'seq', items: renamed } : { kind: 'par', branches: renamed });
  }
  return made.get(root)!;
}
