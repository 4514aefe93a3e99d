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
import { fireTimes, type Overlap } from '../generator/contract/fire-times.ts';
import { runDateAt, type Partition } from '../generator/contract/dates.ts';
import { dateOfRunName, runName } from '../generator/contract/run-names.ts';
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

/** How far back a queue looks for held starts: more than any run of a queued schedule should last. */
const QUEUE_LOOKBACK_MS = 35 * 86_400_000;
/** At most this many fire times are read back (a rate(1 minute) schedule over 35 days has 50,400). */
const QUEUE_FIRE_TIMES = 2000;

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
  if (running.length === 0) return undefined;
  const outcome = overlap === 'skip' ? 'skipped' : 'queued';
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
  const dates = (recent.executions ?? []).map((e) => dateOfRunName(e.name ?? '', config.workflow)).filter((d): d is string => d !== undefined);
  const newest = dates.sort().at(-1);
  const since = (schedule.StartDate ?? schedule.CreationDate)?.getTime() ?? now - QUEUE_LOOKBACK_MS;
  const timezone = schedule.ScheduleExpressionTimezone || config.timezone;
  const times = fireTimes(schedule.ScheduleExpression ?? '', timezone, { after: Math.max(since - 1, now - QUEUE_LOOKBACK_MS), until: now, limit: QUEUE_FIRE_TIMES, anchor: since });
  for (const t of times) {
    const date = runDateAt(new Date(t), config.partition, config.timezone).text;
    if (newest === undefined || date > newest) return date;
  }
  return undefined;
}
