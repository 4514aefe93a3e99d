// Reads an emitted definition back and computes, for every job, the set of jobs that are
// guaranteed to have finished when it starts: along sequences, across Parallel joins, and
// through in-run waits. Tests compare that with the job graph, so the check is on the ASL
// itself, not on the planner's intentions.

type State = Record<string, any>;
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

export interface Order {
  /** before[job]: the jobs certainly finished when `job`'s Task starts. */
  before: Map<string, Set<string>>;
  /** Every job Task state reached, in the order met (each must appear once). */
  tasks: string[];
}

export function jobOrder(definition: Machine, jobs: readonly string[]): Order {
  const isJob = new Set(jobs);
  const before = new Map<string, Set<string>>();
  const tasks: string[] = [];

  // Walks the selected path of a (sub-)machine; returns the finished set at its end.
  const walk = (machine: Machine, done: Set<string>): Set<string> => {
    let name: string | undefined = machine.StartAt;
    let finished = new Set(done);
    while (name !== undefined) {
      const state: State = machine.States[name];
      if (state === undefined) throw new Error(`state '${name}' does not exist`);
      if (state.Type === 'Parallel') {
        const ends = state.Branches.map((b: Machine) => walk(b, finished));
        finished = new Set([...finished, ...ends.flatMap((s: Set<string>) => [...s])]);
      } else if (state.Type === 'Task' && isJob.has(name)) {
        before.set(name, new Set(finished));
        tasks.push(name);
        finished.add(name);
      } else if (state.Type === 'Task' && / waits for /.test(name)) {
        const [job, what] = name.split(' waits for ');
        if (isJob.has(what) && job !== what) finished.add(what);
      } else if (state.Type === 'Choice') {
        // The run with every job selected: guards take their Default; the input check passes.
        name = name.endsWith(' selected?') ? state.Default : state.Choices[state.Choices.length - 1].Next;
        continue;
      } else if (state.Type === 'Fail') {
        throw new Error(`the selected path reaches Fail state '${name}'`);
      }
      name = state.End ? undefined : state.Next;
    }
    return finished;
  };
  walk(definition, new Set());

  // A job known to be finished brings everything finished before it: close the sets.
  const closed = new Map<string, Set<string>>();
  const close = (job: string, open: Set<string>): Set<string> => {
    const known = closed.get(job);
    if (known) return known;
    if (open.has(job)) throw new Error(`jobs wait for each other in a loop through '${job}'`);
    open.add(job);
    const all = new Set<string>();
    for (const d of before.get(job) ?? []) {
      all.add(d);
      for (const e of close(d, open)) all.add(e);
    }
    open.delete(job);
    closed.set(job, all);
    return all;
  };
  for (const job of before.keys()) close(job, new Set());
  return { before: closed, tasks };
}
