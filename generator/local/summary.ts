// The report of a local execution, simulated or real: each job's timeline, the critical path
// and what made the run later than it, and the Step Functions counts. simulate and
// `run --local` both end here.
import type { Workflow } from '../model.ts';
import { criticalPath, explainLateness, type Lateness } from './analysis.ts';
import { countEvents, HISTORY_EVENT_LIMIT } from './counts.ts';
import type { ExecutionOutcome, ExecutionStatus } from './execute.ts';
import { buildTimelines, type JobStatus, type JobTimeline } from './timeline.ts';

export interface WaitReport {
  kind: 'external' | 'in-run' | 'pipeline';
  what: string;
  fromSeconds: number;
  toSeconds: number | null;
  checks: number;
}

export interface JobReport {
  name: string;
  status: JobStatus;
  /** Seconds after the run started; null when the job did not start (or was skipped). */
  startSeconds: number | null;
  endSeconds: number | null;
  attempts: number;
  /** When each attempt of the job's own work started, seconds after the run started (retries show here). */
  attemptStartSeconds: number[];
  /** The duration the critical path counts for this job. */
  plannedSeconds: number;
  waits: WaitReport[];
  error?: string;
}

export interface RunReport {
  status: ExecutionStatus;
  error: string | null;
  makespanSeconds: number;
  criticalPathSeconds: number;
  jobs: JobReport[];
  stateTransitions: number;
  historyEvents: number;
  costUsd: number;
  /** simulated: on the virtual clock; local: `run --local`, in real time. */
  mode: 'simulated' | 'local';
  workflow: string;
  date: string;
  executionName: string;
  /** The job whose failure (or wait) failed the run. */
  failedJob: string | null;
  criticalPath: string[];
  /** makespan - critical path. */
  latenessSeconds: number;
  lateness: Lateness;
  historyEventLimit: number;
  /** History events of each execution: the run's, then its child state machines' (split graphs). */
  historyByExecution: Record<string, number>;
  taskAttempts: number;
  notes: string[];
}

export interface SummaryInput {
  mode: RunReport['mode'];
  date: string;
  /** Each job's duration in the plan, seconds. */
  planned: ReadonlyMap<string, number>;
  select?: ReadonlySet<string>;
  lateJobs?: ReadonlyMap<string, number>;
  /** When late external markers appeared (epoch ms). */
  appeared?: ReadonlyMap<string, number>;
  notes?: string[];
}

export function summarize(workflow: Workflow, outcome: ExecutionOutcome, run: SummaryInput): RunReport {
  const timelines = buildTimelines(workflow, outcome);
  const counts = countEvents(outcome.events, outcome.index);
  const path = criticalPath(workflow, run.planned, run.select);
  const makespanSeconds = seconds(outcome.endedAt - outcome.startedAt);
  const lateness = explainLateness(workflow, timelines, run.planned, run.lateJobs ?? new Map(), outcome, run.appeared);
  // The first Fail state of a job: in a split workflow the parent's own Fail state only says
  // that a child failed.
  const failState = outcome.events.find((e) => e.type === 'StateEntered' && e.stateType === 'Fail' && e.state !== undefined && outcome.index.jobStates.has(e.state));
  const failedJob = failState ? outcome.index.jobStates.get(failState.state!)!.job : null;
  return {
    status: outcome.status,
    error: outcome.error ? `${outcome.error.name}: ${outcome.error.cause}` : null,
    makespanSeconds,
    criticalPathSeconds: path.seconds,
    jobs: timelines.map((t) => jobReport(t, run.planned.get(t.name) ?? 0, outcome.startedAt, outcome.work.get(t.name)?.attempts ?? [])),
    stateTransitions: counts.stateTransitions,
    historyEvents: counts.historyEvents,
    costUsd: counts.costUsd,
    mode: run.mode,
    workflow: workflow.name,
    date: run.date,
    executionName: outcome.executionName,
    failedJob,
    criticalPath: path.jobs,
    latenessSeconds: seconds((makespanSeconds - path.seconds) * 1000),
    lateness,
    historyEventLimit: HISTORY_EVENT_LIMIT,
    historyByExecution: counts.historyByExecution,
    taskAttempts: counts.taskAttempts,
    notes: run.notes ?? [],
  };
}

function jobReport(t: JobTimeline, plannedSeconds: number, start: number, attemptStarts: readonly number[]): JobReport {
  const at = (ms: number | undefined): number | null => (ms === undefined ? null : seconds(ms - start));
  const skipped = t.status === 'skipped';
  return {
    name: t.name,
    status: t.status,
    startSeconds: skipped ? null : at(t.startAt),
    endSeconds: skipped ? null : at(t.endAt ?? t.doneAt),
    attempts: t.attempts,
    attemptStartSeconds: skipped ? [] : attemptStarts.map((ms) => seconds(ms - start)),
    plannedSeconds,
    waits: t.waits.map((w) => ({ kind: w.wait, what: w.what, fromSeconds: seconds(w.from - start), toSeconds: at(w.to), checks: w.checks })),
    ...(t.error && { error: t.error }),
  };
}

const seconds = (ms: number): number => Math.round(ms) / 1000;
