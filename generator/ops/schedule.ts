// A deployed workflow's schedule: its state in EventBridge Scheduler, its next fire times in its
// time zone, pausing and resuming it, and the runs a pause missed (catch_up). The schedule is the
// one the stack named `stepgraph-<workflow>` (contract/schedule-names.ts).
//
// Where the pause time is kept: in the schedule itself. A pause is an UpdateSchedule to DISABLED,
// which sets the schedule's LastModificationDate; while it stays disabled, that date is when it
// was paused. With catch_up deployed, the pause also records its instant in the target input
// (contract/pause-record.ts), which outlives a resume made elsewhere: the start handler's first
// fire catches up from it; a resume here counts from it and clears it. No tag, no table.
import { GetScheduleCommand, UpdateScheduleCommand, type GetScheduleOutput, type UpdateScheduleInput } from '@aws-sdk/client-scheduler';
import { fireTimes } from '../contract/fire-times.ts';
import { runDateAt } from '../contract/dates.ts';
import { runName } from '../contract/run-names.ts';
import { recordedPause } from '../contract/pause-record.ts';
import { runsOfFireTimes } from '../contract/schedule-decisions.ts';
import { SCHEDULE_GROUP, scheduleName } from '../contract/schedule-names.ts';
import { UserError } from '../errors.ts';
import { stackName, type Schedule, type Workflow } from '../model.ts';
import { isAwsError, type Aws } from './aws.ts';
import { describeExecution, startExecution } from './executions.ts';
import { executionArn } from './names.ts';
import { runInput } from './selection.ts';

/** The workflow's schedule as written in its file; a clear error when it has none. */
export function writtenSchedule(workflow: Workflow): Schedule {
  if (!workflow.schedule) throw new UserError(`workflow '${workflow.name}' has no schedule: add 'schedule: { cron: "0 2 * * ? *" }' to ${workflow.file}`);
  return workflow.schedule;
}

/** GetSchedule of the workflow's schedule; not deployed (or another region) is exit 1 with what to do. */
export async function getSchedule(aws: Aws, workflow: Workflow): Promise<GetScheduleOutput> {
  const name = scheduleName(workflow.name);
  try {
    return await aws.call('GetSchedule', () => aws.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: SCHEDULE_GROUP })));
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      throw new UserError(`no schedule '${name}' in ${aws.region}: deploy the workflow with \`npx cdk deploy ${stackName(workflow.name)}\`, or pass --region`);
    }
    throw error;
  }
}

/**
 * UpdateSchedule replaces the whole schedule: every field it is not sent falls back to its
 * default (no target input, no retry policy, no time zone...). So a pause or a resume sends back
 * everything GetSchedule returned, with only the state (and, for a resume, maybe the start date)
 * changed. The read-only fields (Arn, CreationDate, LastModificationDate) are left out.
 */
type Change = Pick<UpdateScheduleInput, 'State' | 'StartDate'> & { /** A new target input (the pause record's, contract/pause-record.ts). */ input?: string };

function updateOf(current: GetScheduleOutput, { input, ...change }: Change): UpdateScheduleInput {
  const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, ...fields } = current;
  if (!fields.Name || !fields.ScheduleExpression || !fields.Target || !fields.FlexibleTimeWindow) {
    throw new UserError(`the schedule ${current.Name ?? ''} came back without its expression, target or time window; it cannot be updated safely`);
  }
  const target = input === undefined ? fields.Target : { ...fields.Target, Input: input };
  return { ...fields, Name: fields.Name, ScheduleExpression: fields.ScheduleExpression, Target: target, FlexibleTimeWindow: fields.FlexibleTimeWindow, ...change };
}

export async function setState(aws: Aws, current: GetScheduleOutput, change: Change): Promise<void> {
  await aws.call('UpdateSchedule', () => aws.scheduler.send(new UpdateScheduleCommand(updateOf(current, change))));
}

export interface FireTime {
  /** The instant, ISO-8601 UTC. */
  at: string;
  /** The same instant on the schedule's wall clock. */
  local: string;
  /** The run date it starts. */
  date: string;
}

/** The next `count` fire times after `now`; rate schedules count from `anchor` (the schedule's start or creation). */
export function nextFireTimes(workflow: Workflow, schedule: Pick<Schedule, 'expression' | 'timezone'>, now: number, count: number, anchor?: number): FireTime[] {
  const zone = schedule.timezone ?? 'UTC';
  const times = fireTimes(schedule.expression, zone, { after: now, until: now + 200 * 365 * 86_400_000, limit: count, anchor });
  return times.map((t) => fireTime(workflow, zone, t));
}

function fireTime(workflow: Workflow, zone: string, t: number): FireTime {
  return { at: new Date(t).toISOString().replace(/\.000Z$/, 'Z'), local: localTime(t, zone), date: runDateAt(new Date(t), workflow.partition, zone).text };
}

const localFormats = new Map<string, Intl.DateTimeFormat>();
/** "2019-03-12 02:00 GMT+1" on the zone's wall clock. */
function localTime(t: number, zone: string): string {
  let f = localFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    localFormats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

/** A pause missing more fire times than this is a backfill's job, not a resume's. */
const MAX_CATCH_UP = 366;

export interface Missed extends FireTime {
  /** The run's name, `<workflow>-<date>`. */
  run: string;
}

/**
 * The runs of the fire times in (pausedAt, now], oldest first, whether or not they exist.
 * Several fire times of one date (an hourly cron on a daily workflow) are one run.
 */
export function missedOffline(workflow: Workflow, schedule: Pick<Schedule, 'expression' | 'timezone'>, pausedAt: number, now: number, anchor?: number): Missed[] {
  const zone = schedule.timezone ?? 'UTC';
  const times = fireTimes(schedule.expression, zone, { after: pausedAt, until: now, limit: MAX_CATCH_UP * 24 + 1, anchor });
  const runs = runsOfFireTimes(times, (t) => runDateAt(new Date(t), workflow.partition, zone).text);
  if (runs.length > MAX_CATCH_UP) {
    const dates = runs.map((r) => r.date);
    throw new UserError(
      `the pause missed ${runs.length} runs (${dates[0]} to ${dates.at(-1)}): more than a resume catches up (${MAX_CATCH_UP}); ` +
        `resume with --no-catch-up and run \`npx stepgraph backfill ${workflow.name} --from ${dates[0]} --to ${dates.at(-1)}\``,
    );
  }
  return runs.map((r) => ({ ...fireTime(workflow, zone, r.time), run: runName(workflow.name, r.date) }));
}

/** The runs a paused schedule missed since its pause, up to `now`, that do not exist, oldest first. */
export async function missedRuns(aws: Aws, workflow: Workflow, current: GetScheduleOutput, stateMachineArn: string, now: number): Promise<Missed[]> {
  // The pause's own record (contract/pause-record.ts) when it made one; else the pause's UpdateSchedule.
  const pausedAt = recordedPause(current.Target?.Input) ?? current.LastModificationDate?.getTime();
  if (current.State !== 'DISABLED' || pausedAt === undefined) return [];
  const schedule = { expression: current.ScheduleExpression ?? '', timezone: current.ScheduleExpressionTimezone || workflow.schedule?.timezone };
  const missed: Missed[] = [];
  for (const m of missedOffline(workflow, schedule, pausedAt, now, (current.StartDate ?? current.CreationDate)?.getTime())) {
    if (!(await describeExecution(aws, executionArn(stateMachineArn, m.run)))) missed.push(m);
  }
  return missed;
}

/** Starts a missed run under its own name (a run that exists meanwhile is left as it is). */
export async function startMissed(aws: Aws, stateMachineArn: string, missed: Missed): Promise<boolean> {
  return (await startExecution(aws, stateMachineArn, missed.run, runInput(missed.date))).started;
}
