// What the deadline handler learns at a run's start: how long each job took in the workflow's
// last successful runs (ListExecutions with statusFilter SUCCEEDED, newest first, then each run's
// history), as the median per job (generator/contract/job-durations.ts says why the median).
// Read once per run, when it is armed, and carried in the run's schedule input: the checkpoints
// after it read only the watched run's own history.
//
// Bounded: at most `runs` past runs, and a time budget. The arm runs in the run's first state, so
// a slow read must not hold the run up: past the budget the figures are those of the runs read so
// far (none at all: the estimates stand). A figure for every job of a huge graph would not fit the
// schedule's input; past FIGURES_BUDGET characters the longest jobs keep theirs (they decide
// the critical path), the others their estimates.
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { DeadlinePlan } from '../generator/contract/deadlines.ts';
import { jobDurations, learnedFigures, stateMachineOfExecution, typicalDurations, type LearnedFigures } from '../generator/contract/job-durations.ts';
import { log } from './log.ts';
import { runEvents } from './run-events.ts';

export interface LearnOptions {
  workflow: string;
  plan: DeadlinePlan;
  /** The run being armed: its state machine is the one listed. */
  execution: string;
  runs: number;
  budgetMs: number;
  now: () => number;
}

/** The characters of figures a schedule input carries at most (with the request around them, well inside Scheduler's limit). */
export const FIGURES_BUDGET = 6000;

/**
 * The figures, or undefined when no past run shows a job at work. A failed read (throttled past
 * the SDK's retries, say) is logged and leaves the estimates: it must not fail the run it arms.
 */
export async function learnDurations(sfn: SFNClient, options: LearnOptions): Promise<LearnedFigures | undefined> {
  try {
    return await learn(sfn, options);
  } catch (error) {
    log.warn('deadline figures: could not read past runs, using the estimates', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return undefined;
  }
}

async function learn(sfn: SFNClient, options: LearnOptions): Promise<LearnedFigures | undefined> {
  const until = options.now() + options.budgetMs;
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineOfExecution(options.execution), statusFilter: 'SUCCEEDED', maxResults: options.runs }));
  const names = options.plan.jobs.map((j) => j.name);
  const perRun: Map<string, number>[] = [];
  for (const past of (listed?.executions ?? []).slice(0, options.runs)) {
    if (!past.executionArn || past.executionArn === options.execution) continue;
    if (options.now() >= until) {
      log.warn('deadline figures: time budget spent, using the runs read so far', { read: perRun.length, budgetMs: options.budgetMs });
      break;
    }
    perRun.push(jobDurations(await runEvents(sfn, options.workflow, past.executionArn), names));
  }
  const typical = typicalDurations(perRun);
  if (typical.size === 0) return undefined;
  return fitted(learnedFigures(perRun.length, typical, options.plan));
}

/** The figures within FIGURES_BUDGET characters: the longest jobs first. */
function fitted(figures: LearnedFigures): LearnedFigures {
  if (JSON.stringify(figures.seconds).length <= FIGURES_BUDGET) return figures;
  const seconds: Record<string, number> = {};
  let size = 2;
  for (const [job, s] of Object.entries(figures.seconds).sort((a, b) => b[1] - a[1])) {
    const entry = JSON.stringify(job).length + String(s).length + 2;
    if (size + entry > FIGURES_BUDGET) break;
    seconds[job] = s;
    size += entry;
  }
  return { runs: figures.runs, seconds };
}
