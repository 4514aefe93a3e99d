// Reads the job order back out of emitted definitions, independently of the planner and the
// splitter: walks each state machine from its StartAt along the path a run takes, descends
// into Parallel branches, and follows a part Task (`${Part<n>Arn}`) into that child's
// definition. The result is a tree of sequences and parallels with jobs at the leaves, plus
// the in-run waits found in each job's chain.
import type { CompiledDefinition } from '../../generator/compile.ts';

type State = Record<string, unknown>;
type States = Record<string, State>;

type Tree = { kind: 'job'; job: string } | { kind: 'seq'; items: Tree[] } | { kind: 'par'; branches: Tree[] };

export interface Structure {
  tree: Tree;
  /** Job -> the jobs it waits for inside the run (`<job> waits for <other>` states). */
  waits: Map<string, Set<string>>;
  /** How often each job's Task appears (must be once). */
  seen: Map<string, number>;
  /** Part ids in the order they were entered (each must be entered once). */
  partsEntered: string[];
}

export function readStructure(definitions: readonly CompiledDefinition[], jobs: readonly string[]): Structure {
  const isJob = new Set(jobs);
  const byArn = new Map(definitions.filter((d) => d.id !== 'main').map((d) => [`\${Part${d.id.slice('part-'.length)}Arn}`, d]));
  const waits = new Map<string, Set<string>>();
  const seen = new Map<string, number>();
  const partsEntered: string[] = [];

  const walk = (startAt: string, states: States): Tree => {
    const items: Tree[] = [];
    let name: string | undefined = startAt;
    while (name !== undefined) {
      const state: State = states[name];
      if (!state) throw new Error(`state '${name}' is not defined in its scope`);
      if (state.Type === 'Parallel') {
        items.push({ kind: 'par', branches: (state.Branches as { StartAt: string; States: States }[]).map((b) => walk(b.StartAt, b.States)) });
      } else if (state.Type === 'Task' && isJob.has(name)) {
        items.push({ kind: 'job', job: name });
        seen.set(name, (seen.get(name) ?? 0) + 1);
      } else if (state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::states:startExecution')) {
        const arn = (state.Parameters as { StateMachineArn: string }).StateMachineArn;
        const child = byArn.get(arn);
        if (child) {
          partsEntered.push(child.id);
          items.push(walk(child.definition.StartAt, child.definition.States as States));
        }
      } else if (state.Type === 'Task') {
        const m = /^(.+) waits for (.+)$/.exec(name);
        if (m && isJob.has(m[2])) {
          if (!waits.has(m[1])) waits.set(m[1], new Set());
          waits.get(m[1])!.add(m[2]);
        }
      }
      name = nextOnRunPath(state, states);
    }
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  };

  const main = definitions.find((d) => d.id === 'main')!;
  return { tree: walk(main.definition.StartAt, main.definition.States as States), waits, seen, partsEntered };
}

/** The state a run goes to next: Next; a Choice's Default unless that fails the run, else its last choice. */
function nextOnRunPath(state: State, states: States): string | undefined {
  if (typeof state.Next === 'string') return state.Next;
  if (state.Type === 'Choice') {
    const fallback = state.Default as string | undefined;
    if (fallback && states[fallback]?.Type !== 'Fail') return fallback;
    const choices = state.Choices as { Next: string }[];
    return choices[choices.length - 1].Next;
  }
  return undefined;
}

/**
 * Needs the structure does not honour: `job` directly needs `need` (no other need of `job`
 * already implies it) but neither does the nesting run `need` before `job` (an earlier item of
 * a sequence both are in) nor does `job` wait for it. Needs implied by others then hold by
 * transitivity.
 */
export function unmetNeeds(structure: Structure, allNeeds: ReadonlyMap<string, readonly string[]>): string[] {
  const needs = directNeeds(allNeeds);
  // Each job's path from the root: (node, index of the child taken) pairs.
  const paths = new Map<string, { node: Tree; index: number }[]>();
  const visit = (tree: Tree, path: { node: Tree; index: number }[]): void => {
    if (tree.kind === 'job') {
      paths.set(tree.job, path);
      return;
    }
    const children = tree.kind === 'seq' ? tree.items : tree.branches;
    children.forEach((child, index) => visit(child, [...path, { node: tree, index }]));
  };
  visit(structure.tree, []);
  const before = (u: string, v: string): boolean => {
    const a = paths.get(u)!;
    const b = paths.get(v)!;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i].node !== b[i].node) return false;
      if (a[i].index !== b[i].index) return a[i].node.kind === 'seq' && a[i].index < b[i].index;
    }
    return false;
  };
  const out: string[] = [];
  for (const [job, list] of needs) {
    for (const need of list) {
      if (!before(need, job) && !structure.waits.get(job)?.has(need)) out.push(`${need} -> ${job}`);
    }
  }
  return out;
}

/** Each job's needs minus those another of its needs already depends on (the transitive reduction). */
function directNeeds(needs: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const ancestors = new Map<string, Set<string>>();
  const of = (job: string): Set<string> => {
    let set = ancestors.get(job);
    if (set) return set;
    set = new Set();
    for (const n of needs.get(job) ?? []) {
      set.add(n);
      for (const a of of(n)) set.add(a);
    }
    ancestors.set(job, set);
    return set;
  };
  return new Map(
    [...needs].map(([job, list]) => [job, list.filter((u) => !list.some((w) => w !== u && of(w).has(u)))]),
  );
}
