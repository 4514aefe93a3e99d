// How far a distributed for_each job's items got. A Distributed Map's items are child executions
// of its Map Run: the run's own history records only MapRunStarted (its ARN), then MapRunSucceeded
// or MapRunFailed, none of the inline Map's iteration events (item-progress.ts). The counts come
// from DescribeMapRun's itemCounts. The Map Run is found by its ARN, which holds the Map's Label
// (`...:mapRun:<machine>/<label>:<id>`), the job's name (emit/for-each-distributed.ts); a Map
// entered again (a redrive) keeps its Map Run, a replay's run starts a new one: the last wins.
import { DescribeMapRunCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { forEachLabel } from '../emit/for-each-distributed.ts';
import type { Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import type { ItemProgress } from './item-progress.ts';

/** The Map Run of each distributed for_each job the history started, by job. */
export function mapRunsOf(events: readonly HistoryEvent[], workflow: Workflow): Map<string, string> {
  const byLabel = new Map(workflow.jobs.filter((j) => j.forEach).map((j) => [forEachLabel(j.name), j.name]));
  const out = new Map<string, string>();
  for (const e of events) {
    const arn = e.type === 'MapRunStarted' ? e.mapRunStartedEventDetails?.mapRunArn : undefined;
    const label = arn && /:mapRun:[^/]+\/([^:]+):[^:]+$/.exec(arn)?.[1];
    const job = label ? byLabel.get(label) : undefined;
    if (job) out.set(job, arn!);
  }
  return out;
}

/** A Map Run's items as status shows them: aborted items (cut short by the Map's failure) are not counted. */
async function mapRunProgress(aws: Aws, mapRunArn: string, workflow: Workflow, job: string): Promise<ItemProgress> {
  const run = await aws.call('DescribeMapRun', () => aws.sfn.send(new DescribeMapRunCommand({ mapRunArn })));
  const c = run.itemCounts;
  const total = c?.total ?? 0;
  const tolerance = workflow.jobs.find((j) => j.name === job)?.forEach?.toleratedFailures;
  return {
    items: total,
    started: Math.max(0, total - (c?.pending ?? 0)),
    succeeded: c?.succeeded ?? 0,
    // A child that timed out failed as far as the job is concerned.
    failed: (c?.failed ?? 0) + (c?.timedOut ?? 0),
    running: c?.running ?? 0,
    ...(tolerance && { tolerated: 'count' in tolerance ? String(tolerance.count) : `${tolerance.percent}%` }),
  };
}

/** The jobs' statuses with each distributed for_each job's items from its Map Run. */
export async function withMapRuns<J extends { job: string; items?: ItemProgress }>(aws: Aws, jobs: J[], histories: readonly { events: HistoryEvent[] }[], workflow: Workflow | undefined): Promise<J[]> {
  if (!workflow?.jobs.some((j) => j.forEach)) return jobs;
  const runs = new Map(histories.flatMap((h) => [...mapRunsOf(h.events, workflow)]));
  if (runs.size === 0) return jobs;
  const items = new Map<string, ItemProgress>();
  for (const [job, arn] of runs) items.set(job, await mapRunProgress(aws, arn, workflow, job));
  return jobs.map((j) => (items.has(j.job) ? { ...j, items: items.get(j.job) } : j));
}
