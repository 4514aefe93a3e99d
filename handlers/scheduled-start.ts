// EventBridge Scheduler -> one run per scheduled time. Scheduler can only paste the scheduled
// time (UTC, e.g. 2019-03-12T01:00:00Z) into the target's input; turning it into a run date needs
// the schedule's timezone: a 02:00 Europe/Belgrade run is 01:00 or 00:00 UTC, and a 00:30 one is
// still the previous day in UTC. So the schedule invokes this handler, which takes the calendar
// day (daily) or day and hour (hourly) of the scheduled time on the schedule's wall clock as the
// run date, and starts `<workflow>-<date>`. The name makes Scheduler's at-least-once delivery
// and retries harmless: a second start of the same date is refused as a duplicate.
import { SFNClient } from '@aws-sdk/client-sfn';
import { partition, required } from './config.ts';
import { InvalidEventError } from './errors.ts';
import { log } from './log.ts';
import { formatDate, runDateAt, type Partition } from './run-date.ts';
import { startRun, type RunStart } from './start-run.ts';

export interface ScheduledEvent {
  /** `<aws.scheduler.scheduled-time>`, filled in by EventBridge Scheduler. */
  scheduledTime: string;
}

export interface ScheduleConfig {
  workflow: string;
  stateMachineArn: string;
  partition: Partition;
  /** The schedule's timezone (IANA name); UTC when the schedule has none. */
  timezone: string;
}

export function scheduledRunDate(scheduledTime: string, config: Pick<ScheduleConfig, 'partition' | 'timezone'>): string {
  const instant = new Date(scheduledTime);
  if (typeof scheduledTime !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(scheduledTime) || Number.isNaN(instant.getTime())) {
    throw new InvalidEventError(`scheduledTime '${scheduledTime}' is not an ISO-8601 time; the schedule's input must be {"scheduledTime": "<aws.scheduler.scheduled-time>"}`);
  }
  return formatDate(runDateAt(instant, config.partition, config.timezone));
}

export async function startScheduledRun(event: ScheduledEvent, deps: { sfn: SFNClient; config: ScheduleConfig }): Promise<RunStart & { date: string }> {
  const date = scheduledRunDate(event?.scheduledTime, deps.config);
  const run = await startRun(deps.sfn, { stateMachineArn: deps.config.stateMachineArn, workflow: deps.config.workflow, date });
  log.info(run.started ? 'run started' : 'run already exists', { workflow: deps.config.workflow, scheduledTime: event.scheduledTime, date, execution: run.executionArn });
  return { ...run, date };
}

export const scheduleConfig = (env: NodeJS.ProcessEnv): ScheduleConfig => ({
  workflow: required(env, 'WORKFLOW'),
  stateMachineArn: required(env, 'STATE_MACHINE_ARN'),
  partition: partition(env),
  timezone: env.TIMEZONE || 'UTC',
});

const sfn = new SFNClient({});
let config: ScheduleConfig | undefined;

export const handler = async (event: ScheduledEvent) => startScheduledRun(event, { sfn, config: (config ??= scheduleConfig(process.env)) });
