// `stepgraph status` for a workflow with deadlines: the run's deadlines and whether it is
// behind, judged by the same contract logic the deadline handler applies at its checkpoints
// (contract/deadlines.ts), from the run's histories (its own and its child executions').
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { assess, describeVerdict } from '../contract/deadlines.ts';
import { jobProgress } from '../contract/job-progress.ts';
import type { RunEvent } from '../contract/run-failure.ts';
import { deadlinePlan } from '../emit/deadline-plan.ts';
import type { Workflow } from '../model.ts';
import { figuresSource, withFigures } from '../contract/job-durations.ts';
import type { PastDurations } from './deadline-figures.ts';

/** One line per deadline; undefined when the workflow has none or the run is a replay (not watched). */
export function runDeadlines(workflow: Workflow, execution: DescribeExecutionOutput, events: readonly RunEvent[], now: number, figures?: PastDurations): string[] | undefined {
  const estimated = deadlinePlan(workflow);
  // The figures the deadline handler learned too: the median of the last successful runs, estimates where a job has none.
  const plan = estimated && figures ? withFigures(estimated, figures.typical, figuresSource(figures.runs)) : estimated;
  const start = execution.startDate?.getTime();
  if (!plan || start === undefined || isReplay(execution.input)) return undefined;
  const status = execution.status ?? 'RUNNING';
  const stopped = status !== 'RUNNING' && status !== 'PENDING_REDRIVE';
  // A closed run is judged as it ended: a succeeded one met its deadlines or missed them then.
  const at = status === 'SUCCEEDED' && execution.stopDate ? execution.stopDate.getTime() : now;
  const verdicts = assess(plan, start, at, jobProgress(events, plan.jobs.map((j) => j.name), stopped));
  return verdicts.map((v) => describeVerdict(v, plan.timezone, plan.source) + (v.status === 'behind' || v.status === 'missed' ? '  <-' : ''));
}

export function isReplay(input: string | undefined): boolean {
  try {
    return (JSON.parse(input ?? '{}') as { select?: unknown }).select !== undefined;
  } catch {
    return false;
  }
}
