// The workflow's job graph as the notify handler needs it: names and needs, from the manifest.

export interface GraphJob {
  name: string;
  needs: string[];
}

/** Every job downstream of `from` (transitively), excluding `from` themselves, in graph order. */
export function downstreamOf(jobs: readonly GraphJob[], from: readonly string[]): string[] {
  const reached = new Set(from);
  const out: string[] = [];
  // Jobs come in topological order from the manifest, but do not rely on it: repeat until stable.
  let grew = true;
  while (grew) {
    grew = false;
    for (const job of jobs) {
      if (!reached.has(job.name) && job.needs.some((n) => reached.has(n))) {
        reached.add(job.name);
        grew = true;
      }
    }
  }
  for (const job of jobs) if (reached.has(job.name) && !from.includes(job.name)) out.push(job.name);
  return out;
}

/** Which job a state belongs to: state names are the job's name, or start with it and a space. */
export function jobOfState(state: string, jobs: readonly GraphJob[]): string | undefined {
  let best: string | undefined;
  for (const { name } of jobs) {
    if ((state === name || state.startsWith(`${name} `)) && (best === undefined || name.length > best.length)) best = name;
  }
  return best;
}

/** Checks a job graph that came from outside the type system (a bundled module). */
export function jobGraph(value: unknown): GraphJob[] {
  if (!Array.isArray(value)) throw new TypeError('the job graph must be a list of {name, needs}');
  return value.map((j: { name?: unknown; needs?: unknown }) => {
    if (typeof j?.name !== 'string' || !Array.isArray(j.needs)) throw new TypeError('each job needs a name and needs');
    return { name: j.name, needs: j.needs.map(String) };
  });
}
