// The deadlines of a workflow as every reader needs them at run time (contract/deadlines.ts):
// each job's needs and estimate, and the deadlines with the schedule's timezone. The manifest
// carries it to infra (bundled into the deadline handler), simulate and status read it too.
import type { DeadlinePlan, DeadlineSpec } from '../contract/deadlines.ts';
import { topologicalOrder, type Deadline, type Workflow } from '../model.ts';

export const hasDeadlines = (workflow: Workflow): boolean => workflow.deadline !== undefined || workflow.jobs.some((j) => j.deadline !== undefined);

export function deadlinePlan(workflow: Workflow): DeadlinePlan | undefined {
  if (!hasDeadlines(workflow)) return undefined;
  const timezone = workflow.schedule?.timezone ?? 'UTC';
  const spec = (d: Deadline): DeadlineSpec => ('clock' in d ? { clock: d.clock, timezone } : { afterSeconds: d.afterSeconds });
  return {
    ...(workflow.deadline && { run: spec(workflow.deadline) }),
    timezone,
    jobs: topologicalOrder(workflow.jobs).map((j) => ({
      name: j.name,
      needs: j.needs,
      // A job without an estimate counts as taking no time (validate says so: SG3029).
      estimateSeconds: j.estimateSeconds ?? 0,
      ...(j.deadline && { deadline: spec(j.deadline) }),
    })),
  };
}
