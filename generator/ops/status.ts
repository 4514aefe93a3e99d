// The status of one run: the execution as Step Functions describes it plus every job's status
// from its history and its child executions' (a split workflow), rendered as a table or as JSON.
import { writesOwnMarker } from '../kinds/registry.ts';
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { UserError } from '../errors.ts';
import { stateOwners } from '../emit/state-owners.ts';
import { topologicalOrder, type Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import { CLOSED_STATUSES, describeExecution } from './executions.ts';
import { clip, formatDuration, formatTime, table } from '../terminal/format.ts';
import { runHistories, type ExecutionHistory } from './children.ts';
import { jobsInHistory, jobStatuses, stepByName, stepOfOwner, type JobStatus, type StepOf } from './history.ts';
import { consoleLink } from './names.ts';
import { waitingKeys } from './wait-keys.ts';
import { compiledOf } from './workflows.ts';
import { runDeadlines } from './run-deadlines.ts';
import { itemProgress, itemsText } from './item-progress.ts';
import { deadlineFigures, type PastDurations } from './deadline-figures.ts';
import { withMapRuns } from './map-run-progress.ts';

export interface RunStatus {
  executionArn: string;
  name: string;
  status: string;
  closed: boolean;
  startDate?: Date;
  stopDate?: Date;
  durationMs?: number;
  input?: unknown;
  error?: string;
  cause?: string;
  redriveCount: number;
  consoleLink: string;
  jobs: JobStatus[];
  /** A workflow with deadlines: each deadline and whether the run is behind (run-deadlines.ts). */
  deadlines?: string[];
}

export async function runStatus(aws: Aws, executionArn: string, workflow?: Workflow, now = Date.now()): Promise<RunStatus> {
  const execution = await describeExecution(aws, executionArn);
  if (!execution) throw new UserError(`no execution ${executionArn} (executions are kept 90 days after they close)`);
  // A split workflow's jobs are in the histories of the child executions its parts started.
  const figures = workflow && (await deadlineFigures(aws, workflow, execution));
  const histories = await runHistories(aws, executionArn);
  const run = runStatusOf(execution, histories, workflow, aws.region, now, figures);
  // A distributed for_each's items are its Map Run's child executions, counted by DescribeMapRun.
  return { ...run, jobs: await withMapRuns(aws, run.jobs, histories, workflow) };
}

/** The status from the execution's description and its histories (the run's first, then its children's). */
export function runStatusOf(execution: DescribeExecutionOutput, histories: readonly ExecutionHistory[], workflow: Workflow | undefined, region: string, now: number, figures?: PastDurations): RunStatus {
  const jobs = workflow ? topologicalOrder(workflow.jobs).map((j) => j.name) : jobsInHistory(histories.flatMap((h) => h.events));
  const ownMarker = new Set(workflow ? workflow.jobs.filter(writesOwnMarker).map((j) => j.name) : []);
  const stepOf = stepsOf(workflow);
  const run = summarize(execution, withItems(mergeStatuses(histories.map((h) => jobStatuses(h.events, jobs, ownMarker, stepOf))), histories, workflow), region, now);
  const deadlines = workflow && runDeadlines(workflow, execution, histories.flatMap((h) => h.events), now, figures);
  const withKeys = workflow ? withWaitingKeys(run, workflow) : run;
  return deadlines ? { ...withKeys, deadlines } : withKeys;
}

/**
 * One table from each execution's own (the run's first): a job takes its status from the last
 * execution that reached it, so a job inside a child is as the child saw it, and a part run again
 * (after a redrive) shows its latest run.
 */
function mergeStatuses(perExecution: readonly JobStatus[][]): JobStatus[] {
  const [root, ...children] = perExecution;
  const merged = new Map(root.map((j) => [j.job, j]));
  for (const statuses of children) {
    for (const j of statuses) if (j.status !== 'not started' && j.status !== 'not run') merged.set(j.job, j);
  }
  return [...merged.values()];
}

const stepTables = new WeakMap<Workflow, StepOf>();

/** Which job each state serves: from the workflow's definitions when it is at hand, else by name. */
export const stepsOf = (workflow: Workflow | undefined): StepOf => (workflow ? workflowSteps(workflow) : stepByName);

/** Which job each state serves, from the definitions the workflow compiles to (every child's included). */
function workflowSteps(workflow: Workflow): StepOf {
  let stepOf = stepTables.get(workflow);
  if (!stepOf) {
    const compiled = compiledOf(workflow);
    const owners = stateOwners(workflow, compiled.plan.sync, compiled.definitions.map((d) => d.definition));
    stepOf = (state) => {
      const owner = owners.get(state);
      return owner && stepOfOwner(owner);
    };
    stepTables.set(workflow, stepOf);
  }
  return stepOf;
}

function summarize(execution: DescribeExecutionOutput, jobs: JobStatus[], region: string, now: number): RunStatus {
  const arn = execution.executionArn ?? '';
  const status = execution.status ?? 'UNKNOWN';
  const closed = CLOSED_STATUSES.has(status);
  const start = execution.startDate;
  const end = execution.stopDate;
  let input: unknown;
  try {
    input = execution.input ? JSON.parse(execution.input) : undefined;
  } catch {
    input = execution.input;
  }
  return {
    executionArn: arn,
    name: execution.name ?? arn.split(':').pop() ?? '',
    status,
    closed,
    startDate: start,
    stopDate: end,
    durationMs: start ? (end?.getTime() ?? now) - start.getTime() : undefined,
    input,
    error: execution.error,
    cause: execution.cause,
    redriveCount: execution.redriveCount ?? 0,
    consoleLink: consoleLink(region, arn),
    // The execution's status is the authority: once it has closed, no job is still to come.
    jobs: closed ? jobs.map((j) => (j.status === 'not started' ? { ...j, status: 'not run' } : j)) : jobs,
  };
}

/** A for_each job's items from the history that ran its Map (the last one, in a split workflow). */
function withItems(jobs: JobStatus[], histories: readonly ExecutionHistory[], workflow: Workflow | undefined): JobStatus[] {
  if (!workflow?.jobs.some((j) => j.forEach)) return jobs;
  const items = new Map(histories.flatMap((h) => [...itemProgress(h.events, workflow)]));
  return jobs.map((j) => (items.has(j.job) ? { ...j, items: items.get(j.job) } : j));
}

/** A waiting job's marker keys for the run's date (a wait across dates names other dates than the run's). */
function withWaitingKeys(run: RunStatus, workflow: Workflow): RunStatus {
  const jobs = run.jobs.map((j) => {
    const keys = j.status === 'waiting' && j.waitingFor ? waitingKeys(workflow, j.job, j.waitingFor, run.input) : undefined;
    return keys ? { ...j, waitingKeys: keys } : j;
  });
  return { ...run, jobs };
}

const keysText = (keys: readonly string[] | undefined): string => (!keys || keys.length === 0 ? '' : keys.length === 1 ? `: ${keys[0]}` : `: ${keys[0]} .. ${keys[keys.length - 1]}, ${keys.length} markers`);

export function renderStatus(run: RunStatus): string[] {
  const head = [
    `${run.name}  ${run.status}${run.redriveCount > 0 ? ` (redriven ${run.redriveCount}x)` : ''}`,
    `started ${formatTime(run.startDate)}` +
      (run.stopDate ? `, ended ${formatTime(run.stopDate)}` : '') +
      `, ${run.closed ? 'took' : 'running for'} ${formatDuration(run.durationMs)}`,
  ];
  // A failed job says where and why (its Task's error, a wait's deadline); the run's own error
  // only when no job carries the failure (a run aborted, the input refused).
  const failed = run.jobs.filter((j) => j.status === 'failed');
  for (const j of failed) head.push(`failed: ${j.job}${j.failedIn && j.failedIn !== j.job ? ` (in '${j.failedIn}')` : ''}: ${j.error ?? 'no error given'}${j.cause ? `: ${clip(j.cause, 200)}` : ''}`);
  if (failed.length === 0 && run.error) head.push(`error: ${run.error}${run.cause ? `: ${clip(run.cause, 200)}` : ''}`);
  const rows = run.jobs.map((j) => [
    j.job,
    j.status === 'waiting' && j.waitingFor ? `waiting (${j.waitingFor}${keysText(j.waitingKeys)})` : j.items ? `${j.status} (${itemsText(j.items)})` : j.status,
    formatTime(j.start),
    formatTime(j.end),
    formatDuration(j.durationMs),
    String(j.attempts),
    j.error ? clip(`${j.error}${j.cause ? `: ${j.cause}` : ''}`, 100) : '',
  ]);
  const counts = new Map<string, number>();
  for (const j of run.jobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  const overall = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  return [
    ...head,
    '',
    ...table(['job', 'status', 'start (UTC)', 'end (UTC)', 'duration', 'attempts', 'error'], rows),
    '',
    `jobs: ${overall || 'none'}`,
    ...(run.deadlines ? ['deadlines:', ...run.deadlines.map((d) => `  ${d}`)] : []),
    `console: ${run.consoleLink}`,
  ];
}

/** JSON for scripts: dates as ISO strings, absent fields as null so the shape is fixed. */
function statusJson(run: RunStatus): unknown {
  const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);
  return {
    executionArn: run.executionArn,
    name: run.name,
    status: run.status,
    startDate: iso(run.startDate),
    stopDate: iso(run.stopDate),
    durationMs: run.durationMs ?? null,
    error: run.error ?? null,
    cause: run.cause ?? null,
    redriveCount: run.redriveCount,
    input: run.input ?? null,
    consoleLink: run.consoleLink,
    jobs: run.jobs.map((j) => ({
      job: j.job,
      status: j.status,
      start: iso(j.start),
      end: iso(j.end),
      durationMs: j.durationMs ?? null,
      attempts: j.attempts,
      error: j.error ?? null,
      cause: j.cause ?? null,
      waitingFor: j.waitingFor ?? null,
      waitingKeys: j.waitingKeys ?? null,
      failedIn: j.failedIn ?? null,
      items: j.items ?? null,
    })),
    deadlines: run.deadlines ?? null,
  };
}

export interface WatchStep {
  text: string;
  done: boolean;
}

/** One refresh of `status --watch`: the rendering, and whether the run has closed. */
export async function watchStep(aws: Aws, executionArn: string, workflow: Workflow | undefined, json: boolean, now = Date.now()): Promise<WatchStep> {
  const run = await runStatus(aws, executionArn, workflow, now);
  const text = json ? JSON.stringify(statusJson(run), null, 2) : renderStatus(run).join('\n');
  return { text, done: run.closed };
}
