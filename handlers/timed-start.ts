// Starts a workflow's run from an EventBridge delivery, under its deterministic name
// `<workflow>-<date>`, so that at-least-once delivery, retries and a second event for the same
// partition converge on one run (a duplicate is success). Three triggers come here:
// - EventBridge Scheduler pastes the scheduled time (UTC) into its input: {"time": "<aws.scheduler.scheduled-time>"}.
// - An event trigger whose params give no `date` passes the event's own time: {"time": <$.time>, "params"?}.
// - An event trigger whose params give a `date` passes it: {"date": <from the event>, "params"?}.
// A time becomes a run date on the workflow's wall clock (its schedule's timezone, else UTC): a
// 02:00 Europe/Belgrade run is 01:00 or 00:00 UTC, and a 00:30 one is still the previous day in
// UTC. A date from an event is any JSON value the producer sent: only a real calendar date of
// the workflow's partition ("2019-03-12", hourly "2019-03-12T05") starts anything. A malformed
// input is logged and dropped with its reason: throwing would make EventBridge and Lambda retry
// an event that can never succeed.
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { OVERLAPS, type Overlap } from '../generator/contract/fire-times.ts';
import { holdForOverlap, startQueued, type HeldStart, type QueueOutcome } from './schedule-overlap.ts';
import { catchUpAtFire, type CatchUp } from './schedule-catch-up.ts';
import { partition, required } from './config.ts';
import { InvalidEventError } from './errors.ts';
import { log } from './log.ts';
import { parseInstant, parseRunDate, runDateAt, type Partition } from '../generator/contract/dates.ts';
import { logStart, startRun, type RunStart } from './start-run.ts';

export interface TimedEvent {
  /** An ISO-8601 instant: the scheduled time, or an event's `time`. */
  time: string;
  params?: Record<string, unknown>;
  /** A schedule's overlap rule (skip, queue), pasted into its input by the stack; absent: allow. */
  overlap?: Overlap;
  /** `catch_up: true` in the schedule, pasted by the stack: a fire carrying `pausedAt` catches up (handlers/schedule-catch-up.ts). */
  catchUp?: boolean;
  /** When `stepgraph schedule pause` paused the schedule, recorded in its input until a catch-up clears it. */
  pausedAt?: string;
}

/** Step Functions' "Execution Status Change" of a run that ended, for a schedule whose overlap is queue. */
export interface EndedEvent {
  ended: string;
}

export interface DatedEvent {
  /** The run date as the event gave it: checked before anything starts. */
  date: unknown;
  params?: Record<string, unknown>;
}

export interface TimedStartConfig {
  workflow: string;
  stateMachineArn: string;
  partition: Partition;
  /** IANA timezone name of the workflow's clock. */
  timezone: string;
}

export type StartOutcome =
  | (RunStart & { outcome: 'started' | 'duplicate'; date: string })
  /** Nothing started: the input names no valid run date. */
  | { outcome: 'refused'; started: false; reason: string }
  /** Nothing started now: another run is running and the schedule's overlap is skip or queue. */
  | HeldStart;

/**
 * The run date an instant belongs to on the workflow's clock. An impossible instant (February
 * 30th, hour 24, year 0000) is refused rather than rolled over into another day.
 */
export function runDateOfTime(time: unknown, config: Pick<TimedStartConfig, 'partition' | 'timezone'>): string {
  const instant = typeof time === 'string' ? parseInstant(time) : undefined;
  if (!instant) {
    throw new InvalidEventError(`time ${JSON.stringify(time)} is not a valid ISO-8601 instant; the input must be {"time": "<aws.scheduler.scheduled-time>"} or an event's $.time`);
  }
  const date = runDateAt(instant, config.partition, config.timezone).text;
  // A time past 9999 on the workflow's clock (an offset can carry it there) has no run date.
  if (!parseRunDate(date)) throw new InvalidEventError(`time '${time}' falls outside the years a run date can name (0001 to 9999)`);
  return date;
}

/** A date given by an event, checked as a real calendar date (hour) of the partition. */
export function runDateOfEvent(date: unknown, partition: Partition): string {
  const form = partition === 'hourly' ? 'YYYY-MM-DDTHH' : 'YYYY-MM-DD';
  if (typeof date !== 'string') {
    const what = date === null ? 'null' : Array.isArray(date) ? 'a list' : typeof date === 'object' ? 'an object' : date === undefined ? 'missing' : `a ${typeof date}`;
    throw new InvalidEventError(`the event's date is ${what}, not a '${form}' string`);
  }
  const parsed = parseRunDate(date);
  if (!parsed) throw new InvalidEventError(`the event's date '${date}' is not a real calendar ${partition === 'hourly' ? 'date and hour' : 'date'} '${form}'`);
  if ((parsed.hh !== undefined) !== (partition === 'hourly')) {
    throw new InvalidEventError(`the event's date '${date}' is not '${form}': the workflow's runs are ${partition}`);
  }
  return parsed.text;
}

/** What a fire needs to catch up after a resume made outside stepgraph: the schedule, to read and clear its pause record. */
interface CatchUpAccess {
  scheduler: SchedulerClient;
  scheduleName: string;
}

export async function startTimedRun(
  event: unknown,
  deps: { sfn: SFNClient; config: TimedStartConfig; now?: () => number; catchUp?: CatchUpAccess },
): Promise<StartOutcome & { caughtUp?: CatchUp }> {
  const { config } = deps;
  let date: string;
  let params: Record<string, unknown> | undefined;
  try {
    if (!isRecord(event) || (!('date' in event) && !('time' in event))) throw new InvalidEventError('expected {"time": "<instant>"} or {"date": "<run date>"}, with optional "params"');
    date = 'date' in event ? runDateOfEvent(event.date, config.partition) : runDateOfTime(event.time, config);
    if (event.params !== undefined && !isRecord(event.params)) throw new InvalidEventError(`params must be an object, not ${JSON.stringify(event.params)}`);
    params = event.params && Object.keys(event.params).length > 0 ? event.params : undefined;
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    log.warn('start refused', { workflow: config.workflow, reason: error.message, ...(isRecord(event) && { date: event.date, time: event.time }) });
    return { outcome: 'refused', started: false, reason: error.message };
  }
  const overlap = isRecord(event) && 'time' in event && (OVERLAPS as readonly unknown[]).includes(event.overlap) ? (event.overlap as Overlap) : undefined;
  // The catch-up of a pause comes first: its runs are older than this fire's, and under skip and
  // queue this fire's own start then sees them running, as after `schedule resume`.
  const caughtUp = await catchUpFirst(event, overlap, deps);
  const held = await holdForOverlap(overlap, date, deps);
  if (held) return { ...held, ...(caughtUp && { caughtUp }) };
  const run = await startRun(deps.sfn, { stateMachineArn: config.stateMachineArn, workflow: config.workflow, date, ...(params && { params }) }, deps.now);
  logStart(run, { workflow: config.workflow, date, ...(isRecord(event) && 'time' in event && { time: event.time }) });
  return { ...run, outcome: run.started ? 'started' : 'duplicate', date, ...(caughtUp && { caughtUp }) };
}

/** A scheduled fire carrying a pause record (and catchUp: true) catches up; anything else does not. */
async function catchUpFirst(event: unknown, overlap: Overlap | undefined, deps: { sfn: SFNClient; config: TimedStartConfig; now?: () => number; catchUp?: CatchUpAccess }): Promise<CatchUp | undefined> {
  if (!isRecord(event) || typeof event.pausedAt !== 'string' || event.catchUp !== true || typeof event.time !== 'string') return undefined;
  if (!deps.catchUp) {
    log.warn('no catch-up: the start handler has no SCHEDULE_NAME (deploy the stack again)', { workflow: deps.config.workflow, pausedAt: event.pausedAt });
    return undefined;
  }
  const at = Date.parse(event.time);
  const { scheduler, scheduleName } = deps.catchUp;
  return catchUpAtFire(event.pausedAt, at, overlap, { sfn: deps.sfn, scheduler, config: { ...deps.config, scheduleName }, now: deps.now });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const timedStartConfig = (env: NodeJS.ProcessEnv): TimedStartConfig => ({
  workflow: required(env, 'WORKFLOW'),
  stateMachineArn: required(env, 'STATE_MACHINE_ARN'),
  partition: partition(env),
  timezone: env.TIMEZONE || 'UTC',
});

const sfn = new SFNClient({});
const scheduler = new SchedulerClient({});
let config: TimedStartConfig | undefined;

export const handler = async (event: TimedEvent | DatedEvent | EndedEvent): Promise<StartOutcome | QueueOutcome> => {
  config ??= timedStartConfig(process.env);
  if (isRecord(event) && 'ended' in event) return startQueued(event.ended, { sfn, scheduler, config: { ...config, scheduleName: required(process.env, 'SCHEDULE_NAME') } });
  const scheduleName = process.env.SCHEDULE_NAME;
  return startTimedRun(event, { sfn, config, ...(scheduleName && { catchUp: { scheduler, scheduleName } }) });
};
