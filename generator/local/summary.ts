// The report of a local execution, simulated or real: each job's timeline, the critical path
// and what made the run later than it, and the Step Functions counts. simulate and
// `run --local` both end here.
import type { Workflow } from '../model.ts';
import type { DeadlineReport } from './deadline-report.ts';
import { criticalPath, explainLateness, type Lateness } from './analysis.ts';
import { countEvents, HISTORY_EVENT_LIMIT } from './counts.ts';
import type { ExecutionOutcome, ExecutionStatus } from './execute.ts';
import { buildTimelines, type JobStatus, type JobTimeline } from './timeline.ts';

interface WaitReport {
  kind: 'external' | 'in-run';
  what: string;
  fromSeconds: number;
  toSeconds: number | null;
  /** false: the wait reached its deadline (or the run ended first). */
  released: boolean;
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
  /** Invocations of stepgraph's router and activator (waits, signals, the events releasing them). */
  lambdaInvocations: number;
  /** Reads repeated until they found something: 0, since waits are callbacks (a definition written to poll shows here). */
  polls: number;
  notes: string[];
  /** Workflows with deadlines: how each deadline went and when the alerts would have fired (deadline-report.ts). */
  deadlines?: DeadlineReport;
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
  // Jobs a condition or a rule kept from running take no time on the path (like jobs a replay skips).
  const kept = new Set(timelines.filter((t) => t.status === 'skipped_by_condition' || t.status === 'not_run').map((t) => t.name));
  const ran = kept.size > 0 ? new Set(workflow.jobs.map((j) => j.name).filter((n) => !kept.has(n) && (!run.select || run.select.has(n)))) : run.select;
  const path = criticalPath(workflow, run.planned, ran);
  const makespanSeconds = seconds(outcome.endedAt - outcome.startedAt);
  const lateness = explainLateness(workflow, timelines, run.planned, run.lateJobs ?? new Map(), outcome, run.appeared);
  const failed = firstFailure(outcome);
  const failedJob = failed?.job ?? null;
  const failedTimeline = failedJob ? timelines.find((t) => t.name === failedJob) : undefined;
  return {
    status: outcome.status,
    error: outcome.error ? errorText(outcome.error, failed, failedTimeline?.error) : null,
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
    lambdaInvocations: counts.lambdaInvocations,
    polls: counts.polls,
    notes: run.notes ?? [],
  };
}

function jobReport(t: JobTimeline, plannedSeconds: number, start: number, attemptStarts: readonly number[]): JobReport {
  const at = (ms: number | undefined): number | null => (ms === undefined ? null : seconds(ms - start));
  const skipped = t.status === 'skipped' || t.status === 'skipped_by_condition' || t.status === 'not_run';
  return {
    name: t.name,
    status: t.status,
    startSeconds: skipped ? null : at(t.startAt),
    endSeconds: skipped ? null : at(t.endAt ?? t.doneAt),
    attempts: t.attempts,
    attemptStartSeconds: skipped ? [] : attemptStarts.map((ms) => seconds(ms - start)),
    plannedSeconds,
    waits: t.waits.map((w) => ({ kind: w.wait, what: w.what, fromSeconds: seconds(w.from - start), toSeconds: at(w.to), released: w.released })),
    ...(t.error && { error: t.error }),
  };
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * Where the run failed: the first state of a job that failed for good (a job's Task after its
 * retries, a wait past its deadline, a sweep job's Fail state). In a split workflow the parent's
 * Task only says that a child failed; the child's own events come first.
 */
function firstFailure(outcome: ExecutionOutcome): { job: string; state: string } | undefined {
  const events = outcome.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.state === undefined) continue;
    const owner = outcome.index.owners.get(e.state);
    if (!owner || owner.step === 'sweep') continue;
    const failedFail = e.type === 'StateEntered' && e.stateType === 'Fail';
    // A StateFailed that no retry of the same state follows (in the same execution).
    // An item of a for_each job that tolerates failures is caught (and counted): not where the run failed.
    const caught = (n: (typeof events)[number]): boolean => n.type === 'StateRetried' || (owner.step === 'task' && owner.item === true && n.type === 'StateCaught');
    const failedTask = e.type === 'StateFailed' && !events.slice(i + 1).some((n) => n.execution === e.execution && n.state === e.state && caught(n));
    if (failedFail || failedTask) return { job: owner.job, state: e.state };
  }
  return undefined;
}

function errorText(error: { name: string; cause: string }, at: { job: string; state: string } | undefined, why: string | undefined): string {
  const cause = error.cause && error.cause !== error.name ? `: ${error.cause}` : '';
  if (!at) return `${error.name}${cause}`;
  const detail = why ? (why.startsWith(error.name) ? why : `${error.name}: ${why}`) : `${error.name}${cause}`;
  return `job '${at.job}' failed in state '${at.state}' (${detail})`;
}
