// Deadlines of in-run waits. A job waiting for another job of the same run cannot know how
// long that job's own upstream will take, so it waits up to the worst case: every job on the
// longest path failing all but its last attempt, each attempt hitting its timeout, and every
// external wait hitting its deadline. A failure upstream fails the run long before that.
import { topologicalOrder, type Job, type Workflow } from '../model.ts';
import type { SyncEdge } from '../plan/plan.ts';

/** Step Functions' longest execution: one year. */
const MAX_EXECUTION_SECONDS = 365 * 24 * 3600;

export function worstCaseFinish(workflow: Workflow): Map<string, number> {
  const finish = new Map<string, number>();
  for (const job of topologicalOrder(workflow.jobs)) {
    const start = Math.max(0, ...job.needs.map((n) => finish.get(n)!));
    finish.set(job.name, Math.min(MAX_EXECUTION_SECONDS, start + worstCaseDuration(job)));
  }
  return finish;
}

function worstCaseDuration(job: Job): number {
  const waits = job.waitsFor.reduce((sum, w) => sum + w.timeoutSeconds, 0);
  let retries = 0;
  for (let k = 0; k < job.retry.attempts; k++) retries += job.retry.intervalSeconds * job.retry.backoff ** k;
  return waits + job.timeoutSeconds * (job.retry.attempts + 1) + retries;
}

export function inRunDeadlines(workflow: Workflow, sync: readonly SyncEdge[], worst = worstCaseFinish(workflow)): Map<string, { after: string; deadlineSeconds: number }[]> {
  const out = new Map<string, { after: string; deadlineSeconds: number }[]>();
  for (const edge of sync) {
    if (!out.has(edge.job)) out.set(edge.job, []);
    out.get(edge.job)!.push({ after: edge.after, deadlineSeconds: Math.max(60, Math.ceil(worst.get(edge.after)!)) });
  }
  return out;
}

/** The longest a run can take: its slowest job's worst-case finish (signals are kept this long). */
export function runSeconds(workflow: Workflow, worst = worstCaseFinish(workflow)): number {
  let most = 60;
  for (const seconds of worst.values()) most = Math.max(most, seconds);
  return most;
}
