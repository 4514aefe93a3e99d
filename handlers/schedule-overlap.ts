// A schedule's `overlap` rule, applied by the start handler. `allow` (the default) starts every
// scheduled run, as before. `skip` and `queue` look first whether another run of the workflow is
// running: `skip` then starts nothing and logs why; `queue` starts nothing yet and leaves the
// start to the end of the running run. Nothing records the queue and nothing polls: when a run
// ends, Step Functions' "Execution Status Change" event comes here (an EventBridge rule), and the
// queued starts are read off the schedule itself: its fire times since the newest run's date,
// those with no run yet, oldest first, one at a time (each start's own end starts the next).
// A paused schedule starts nothing; its missed runs are `schedule resume`'s (catch_up) to start.
import { GetScheduleCommand, type GetScheduleOutput, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Overlap } from '../generator/contract/fire-times.ts';
import { runDateAt, type Partition } from '../generator/contract/dates.ts';
import { runName } from '../generator/contract/run-names.ts';
import { decideAtFire, newestRunDate, oldestQueuedDate, queueWindow } from '../generator/contract/schedule-decisions.ts';
import { log } from './log.ts';
import { startRun, type RunStart } from './start-run.ts';

export interface OverlapConfig {
  workflow: string;
  stateMachineArn: string;
  partition: Partition;
  timezone: string;
}

/** A start the overlap rule held back: skipped for good, or queued until the running run ends. */
export type HeldStart = { outcome: 'skipped' | 'queued'; started: false; date: string; running: string[] };

/** The names of the workflow's running executions other than `own` (one page: any one is enough). */
async function runningOthers(sfn: SFNClient, stateMachineArn: string, own: string): Promise<string[]> {
  const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 100 }));
  return (page.executions ?? []).map((e) => e.name ?? '').filter((n) => n !== '' && n !== own);
}

/**
 * At a scheduled start: the held start when `overlap` holds it back, else undefined (start it).
 * The run of the same date running already is not "another run": its start is a duplicate.
 */
export async function holdForOverlap(overlap: Overlap | undefined, date: string, deps: { sfn: SFNClient; config: OverlapConfig }): Promise<HeldStart | undefined> {
  if (overlap !== 'skip' && overlap !== 'queue') return undefined;
  const { config } = deps;
  const running = await runningOthers(deps.sfn, config.stateMachineArn, runName(config.workflow, date));
  const outcome = decideAtFire(overlap, running);
  if (outcome === 'start') return undefined;
  log.info(overlap === 'skip' ? 'start skipped: another run is running (overlap: skip)' : 'start queued: it starts when the running run ends (overlap: queue)', {
    workflow: config.workflow,
    date,
    running,
  });
  return { outcome, started: false, date, running };
}

export type QueueOutcome =
  | (RunStart & { outcome: 'started' | 'duplicate'; date: string })
  | { outcome: 'paused' | 'busy' | 'idle'; started: false; running?: string[] };

export interface QueueDeps {
  sfn: SFNClient;
  scheduler: SchedulerClient;
  config: OverlapConfig & { scheduleName: string };
  now?: () => number;
}

/** When a run ended: start the oldest queued start, if the schedule is enabled and nothing else runs. */
export async function startQueued(ended: unknown, deps: QueueDeps): Promise<QueueOutcome> {
  const { config } = deps;
  const now = (deps.now ?? Date.now)();
  const schedule = await deps.scheduler.send(new GetScheduleCommand({ Name: config.scheduleName }));
  if (schedule.State === 'DISABLED') {
    log.info('queue not drained: the schedule is paused', { workflow: config.workflow, ended });
    return { outcome: 'paused', started: false };
  }
  const running = await runningOthers(deps.sfn, config.stateMachineArn, '');
  if (running.length > 0) {
    log.info('queue waits: another run is running; its end starts the next', { workflow: config.workflow, ended, running });
    return { outcome: 'busy', started: false, running };
  }
  const date = await oldestQueued(schedule, now, deps);
  if (date === undefined) {
    log.info('queue empty', { workflow: config.workflow, ended });
    return { outcome: 'idle', started: false };
  }
  const run = await startRun(deps.sfn, { stateMachineArn: config.stateMachineArn, workflow: config.workflow, date }, deps.now);
  log.info(run.started ? 'queued run started' : 'queued run exists already', { workflow: config.workflow, date, ended, execution: run.executionArn });
  return { ...run, outcome: run.started ? 'started' : 'duplicate', date };
}

/**
 * The oldest date the schedule fired for after the newest run's date, since the schedule's start
 * (a resume without catch-up moves it to the resume, so a pause's fire times are not queued).
 */
async function oldestQueued(schedule: GetScheduleOutput, now: number, deps: QueueDeps): Promise<string | undefined> {
  const { config } = deps;
  const recent = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn: config.stateMachineArn, maxResults: 100 }));
  const newest = newestRunDate((recent.executions ?? []).map((e) => e.name ?? ''), config.workflow);
  const since = (schedule.StartDate ?? schedule.CreationDate)?.getTime();
  const timezone = schedule.ScheduleExpressionTimezone || config.timezone;
  const dateOf = (t: number): string => runDateAt(new Date(t), config.partition, config.timezone).text;
  return oldestQueuedDate(schedule.ScheduleExpression ?? '', timezone, queueWindow(now, since, schedule.EndDate?.getTime()), dateOf, newest);
}
