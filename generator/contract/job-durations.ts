// How long each job took in past runs, read from their execution histories by state name (the
// runtime contract: `J` is the job's Task, or its Map for a sweep; `J done` writes its marker),
// and the figure a deadline is judged with: the median over the last successful runs. One module,
// so the deadline handler (at a run's start), `stepgraph status` and `stepgraph durations` (the
// durations file simulate reads) take the same figures from the same histories.
//
// A job's duration is its work: from the last time its Task was entered (a redriven run restarts
// it there; the retries of one attempt stay inside the state and count) to the end of its marker
// write. Its waits (markers, other jobs, a pool's slot) are not part of it: a deadline's expected
// end already starts a job when its needs are expected to end. A job skipped in a run (a replay's
// selection, a condition) did no work there and gives no figure.
//
// Why the median: the alert says "cannot make it", so the figure must be what a run typically
// takes, not its worst case. Over ten runs one slow night (a late upstream, a backfill sharing the
// warehouse) moves the median by at most one rank, while a 90th percentile would be that night
// itself and make every later run look behind. Jobs with no figure keep their `estimate`.
import type { DeadlinePlan } from './deadlines.ts';
import type { RunEvent } from './run-failure.ts';

/** What the handler learned at a run's start, carried in the run's schedule input (JSON). */
export interface LearnedFigures {
  /** How many past successful runs were read. */
  runs: number;
  /** Seconds per job (the median over the runs that show the job at work). */
  seconds: Record<string, number>;
}

/** How many past runs to read by default: enough for a median that ignores one odd night, few enough to read at a run's start. */
export const LEARNED_RUNS = 10;

/** Seconds each job of `jobs` worked in one run's events (its own and its child executions'). */
export function jobDurations(events: readonly RunEvent[], jobs: readonly string[]): Map<string, number> {
  const names = new Set(jobs);
  const began = new Map<string, number>();
  const ended = new Map<string, number>();
  for (const e of events) {
    const at = e.timestamp?.getTime();
    if (at === undefined) continue;
    const entered = e.stateEnteredEventDetails?.name;
    if (entered !== undefined && names.has(entered)) {
      began.set(entered, at);
      ended.delete(entered);
    }
    const exited = e.stateExitedEventDetails?.name;
    if (exited === undefined) continue;
    // The Task's exit ends a job that writes its own marker; `J done` then moves the end to the marker write.
    const job = exited.endsWith(' done') ? exited.slice(0, -5) : exited;
    if (names.has(job) && began.has(job)) ended.set(job, at);
  }
  const out = new Map<string, number>();
  for (const [job, end] of ended) out.set(job, Math.max(0, Math.round((end - began.get(job)!) / 1000)));
  return out;
}

/** The median of each job's durations over the runs that show it (an even count: the mean of the middle two, in whole seconds). */
export function typicalDurations(perRun: readonly ReadonlyMap<string, number>[]): Map<string, number> {
  const all = new Map<string, number[]>();
  for (const run of perRun) for (const [job, s] of run) all.set(job, [...(all.get(job) ?? []), s]);
  const out = new Map<string, number>();
  for (const [job, list] of all) {
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out.set(job, sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2));
  }
  return out;
}

/** Figures for the handler's schedule input, in the plan's job order. */
export function learnedFigures(runs: number, typical: ReadonlyMap<string, number>, plan: DeadlinePlan): LearnedFigures {
  const seconds: Record<string, number> = {};
  for (const job of plan.jobs) if (typical.has(job.name)) seconds[job.name] = typical.get(job.name)!;
  return { runs, seconds };
}

/** Where the figures came from, for the alert's words: "the last 10 runs", "the last run". */
export const figuresSource = (runs: number): string => (runs === 1 ? 'the last run' : `the last ${runs} runs`);

/**
 * The plan with each job's estimate replaced by its figure where there is one, and `source` saying
 * where the figures came from (the verdicts' text names it). No figure at all: the plan unchanged.
 */
export function withFigures(plan: DeadlinePlan, figures: ReadonlyMap<string, number> | LearnedFigures | undefined, source?: string): DeadlinePlan;
export function withFigures(plan: DeadlinePlan | undefined, figures: ReadonlyMap<string, number> | LearnedFigures | undefined, source?: string): DeadlinePlan | undefined;
export function withFigures(plan: DeadlinePlan | undefined, figures: ReadonlyMap<string, number> | LearnedFigures | undefined, source?: string): DeadlinePlan | undefined {
  const map = figures === undefined ? new Map<string, number>() : figures instanceof Map ? figures : ownFigures(figures as LearnedFigures);
  if (!plan || map.size === 0) return plan;
  const label = source ?? (figures instanceof Map ? undefined : figuresSource((figures as LearnedFigures).runs));
  return {
    ...plan,
    ...(label && { source: label }),
    jobs: plan.jobs.map((j) => (map.has(j.name) ? { ...j, estimateSeconds: map.get(j.name)! } : j)),
  };
}

/** The figures of a schedule input (JSON from outside): own, finite, non-negative numbers only. */
function ownFigures(figures: LearnedFigures): Map<string, number> {
  const out = new Map<string, number>();
  const seconds = figures?.seconds;
  if (!seconds || typeof seconds !== 'object') return out;
  for (const [job, s] of Object.entries(seconds)) if (typeof s === 'number' && Number.isFinite(s) && s >= 0) out.set(job, s);
  return out;
}

/** The state machine an execution ARN belongs to (`...:execution:<machine>:<name>` -> `...:stateMachine:<machine>`). */
export function stateMachineOfExecution(executionArn: string): string {
  const parts = executionArn.split(':');
  return [...parts.slice(0, 5), 'stateMachine', parts[6]].join(':');
}
