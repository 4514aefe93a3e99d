// Graph checks over all jobs of a workflow: unknown or self needs, repeated needs, cycles.
import { Codes } from '../messages.ts';
import type { Job } from '../model.ts';
import type { JobSpans } from './jobs.ts';
import type { Reader } from './reader.ts';
import { didYouMean } from '../contract/suggest.ts';

/** Reports graph problems; returns false when the graph cannot be planned. */
export function checkGraph(r: Reader, jobs: Job[], spans: Map<string, JobSpans>): boolean {
  const names = new Set(jobs.map((j) => j.name));
  let ok = true;
  for (const job of jobs) {
    const at = spans.get(job.name)!;
    const seen = new Set<string>();
    const keptSpans: typeof at.needs = [];
    job.needs = job.needs.filter((need, i) => {
      const span = at.needs[i];
      const keep = (): boolean => {
        keptSpans.push(span);
        return true;
      };
      if (need === job.name) {
        r.error(span, Codes.needsItself, `job '${job.name}' needs itself`, 'remove it from its own needs');
        ok = false;
        return false;
      }
      if (!names.has(need)) {
        r.error(span, Codes.unknownNeed, `job '${job.name}' needs unknown job '${need}'`, didYouMean(need, names) ?? `jobs are: ${[...names].join(', ')}`);
        ok = false;
        return false;
      }
      if (seen.has(need)) {
        r.warning(span, Codes.duplicateNeed, `job '${job.name}' needs '${need}' twice`, 'list each need once');
        return false;
      }
      seen.add(need);
      return keep();
    });
    at.needs = keptSpans;
  }
  for (const cycle of findCycles(jobs)) {
    // The first job (in source order) needs the job before it in the loop: point there.
    const first = cycle[0];
    const at = spans.get(first)!;
    const needIndex = jobs.find((j) => j.name === first)!.needs.indexOf(cycle[cycle.length - 2]);
    r.error(at.needs[needIndex] ?? at.name, Codes.cycle, `jobs form a cycle: ${[...cycle].join(' -> ')}`, 'a job graph must have no cycles; remove one of these needs');
    ok = false;
  }
  return ok;
}

/**
 * Cycles found by an iterative depth-first search (graphs have tens of thousands of jobs),
 * each reported once, in flow order (`a -> b`: a runs before b, b needs a), starting at the
 * cycle's first job in source order.
 */
function findCycles(jobs: readonly Job[]): string[][] {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const order = new Map(jobs.map((j, i) => [j.name, i]));
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const seen = new Set<string>();

  for (const root of jobs) {
    if (state.has(root.name)) continue;
    const path: string[] = [root.name];
    const next: number[] = [0];
    state.set(root.name, 'open');
    while (path.length > 0) {
      const name = path[path.length - 1];
      const needs = byName.get(name)!.needs;
      const i = next[next.length - 1]++;
      if (i >= needs.length) {
        state.set(name, 'done');
        path.pop();
        next.pop();
        continue;
      }
      const need = needs[i];
      if (!byName.has(need)) continue;
      if (state.get(need) === 'open') {
        const flow = path.slice(path.indexOf(need)).reverse();
        const start = flow.reduce((best, n, k) => (order.get(n)! < order.get(flow[best])! ? k : best), 0);
        const rotated = [...flow.slice(start), ...flow.slice(0, start)];
        const key = [...rotated].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]]);
        }
      } else if (!state.has(need)) {
        state.set(need, 'open');
        path.push(need);
        next.push(0);
      }
    }
  }
  return cycles;
}
