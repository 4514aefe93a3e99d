// Durations learned from a workflow's past successful runs, as the deadline handler learns them
// when it arms a run (contract/job-durations.ts: each job's work, the median over the runs):
// `stepgraph status` judges a run's deadlines with them, `stepgraph durations` writes them as the
// durations file `simulate --durations` reads.
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { LEARNED_RUNS, jobDurations, typicalDurations } from '../contract/job-durations.ts';
import { hasDeadlines } from '../emit/deadline-plan.ts';
import { formatDuration } from '../check/values.ts';
import { topologicalOrder, type Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import { runHistories } from './children.ts';
import { listExecutions } from './executions.ts';
import { isReplay } from './run-deadlines.ts';

export interface PastDurations {
  /** How many successful runs were read. */
  runs: number;
  /** Seconds per job (median), for the jobs those runs show at work. */
  typical: Map<string, number>;
}

/** The last `runs` successful runs of the machine, newest first, and each job's median over them (their child executions' jobs included). */
export async function pastDurations(aws: Aws, stateMachineArn: string, workflow: Workflow, runs = LEARNED_RUNS): Promise<PastDurations> {
  const listed = await listExecutions(aws, stateMachineArn, { status: 'SUCCEEDED', limit: runs });
  const names = workflow.jobs.map((j) => j.name);
  const perRun: Map<string, number>[] = [];
  for (const run of listed) {
    if (!run.executionArn) continue;
    const events = (await runHistories(aws, run.executionArn)).flatMap((h) => h.events);
    perRun.push(jobDurations(events, names));
  }
  return { runs: perRun.length, typical: typicalDurations(perRun) };
}

// `status --watch` asks every few seconds: past runs do not change meanwhile, so they are read once per machine (and connection).
const caches = new WeakMap<Aws, Map<string, Promise<PastDurations>>>();

/** The figures a run's deadlines are judged with in `status`: for a run with deadlines still to judge (not a success, not a replay). */
export async function deadlineFigures(aws: Aws, workflow: Workflow, execution: DescribeExecutionOutput): Promise<PastDurations | undefined> {
  const machine = execution.stateMachineArn;
  if (!machine || !hasDeadlines(workflow) || execution.status === 'SUCCEEDED' || isReplay(execution.input)) return undefined;
  let cache = caches.get(aws);
  if (!cache) caches.set(aws, (cache = new Map()));
  let figures = cache.get(machine);
  if (!figures) {
    figures = pastDurations(aws, machine, workflow);
    cache.set(machine, figures);
  }
  return figures;
}

/**
 * The durations file `simulate --durations` reads (local/durations.ts): `job: 40m` per job the runs
 * show at work, in graph order; the others as comments, so simulate takes their estimates.
 */
export function durationsFile(workflow: Workflow, past: PastDurations): string {
  const lines = [
    `# Durations of ${workflow.name}: the median of its last ${past.runs} successful run${past.runs === 1 ? '' : 's'} (stepgraph durations).`,
    `# Use: stepgraph simulate ${workflow.name} --durations <this file>`,
  ];
  for (const job of topologicalOrder(workflow.jobs)) {
    const seconds = past.typical.get(job.name);
    // A duration file refuses 0s: a job that took under a second takes one.
    lines.push(seconds === undefined ? `# ${job.name}: no successful run shows it at work; simulate takes its estimate` : `${job.name}: ${formatDuration(Math.max(1, seconds))}`);
  }
  return `${lines.join('\n')}\n`;
}
