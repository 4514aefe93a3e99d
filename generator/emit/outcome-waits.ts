// A job's outcome record travels with the run's state (emit/outcomes.ts), through sequences and
// out of Parallel branches, but not through an in-run wait: a job released by a signal does not
// see the record of the job it waited for. Where that record could say "failed" (the job, or one
// upstream of it, hands its failure on to a run_if job), a rule reading it would take the failed
// need for done: such a graph is refused, with the edge to change.
import type { Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import type { Workflow } from '../model.ts';
import type { Plan } from '../plan/plan.ts';
import { outcomeContext } from './outcomes.ts';

export function outcomeWaitDiagnostics(workflow: Workflow, plan: Plan): Diagnostic[] {
  const ctx = outcomeContext(workflow);
  if (!ctx?.tracking) return [];
  const byName = new Map(workflow.jobs.map((j) => [j.name, j]));
  const mayFail = new Map<string, boolean>();
  const failing = (name: string): boolean => {
    const known = mayFail.get(name);
    if (known !== undefined) return known;
    mayFail.set(name, false);
    const answer = ctx.guarded.has(name) || (byName.get(name)?.needs ?? []).some(failing);
    mayFail.set(name, answer);
    return answer;
  };
  return plan.sync
    .filter((edge) => failing(edge.after))
    .map((edge) => ({
      file: workflow.file,
      start: 0,
      end: 0,
      severity: 'error' as const,
      code: Codes.outcomeAcrossWait,
      message: `job '${edge.job}' needs '${edge.after}' through an in-run wait (the graph has an "N" shape there), and how '${edge.after}' ended does not travel through a wait: the trigger rules in this workflow could not see it fail`,
      hint: `make the graph series-parallel around '${edge.after}' (e.g. let '${edge.job}' need what its other needs need, or split the run_if job's upstream from the rest)`,
    }));
}
