// Starts the run a moment in time belongs to. Two triggers need this:
// - EventBridge Scheduler can only paste the scheduled time (UTC, e.g. 2019-03-12T01:00:00Z)
//   into its target's input: {"time": "<aws.scheduler.scheduled-time>"}.
// - An event trigger whose params give no `date` passes the event's own time: {"time": <$.time>}.
// Turning a time into a run date needs the workflow's timezone (its schedule's, else UTC): a
// 02:00 Europe/Belgrade run is 01:00 or 00:00 UTC, and a 00:30 one is still the previous day in
// UTC. The run date is the calendar day (daily) or day and hour (hourly) of that time on the
// workflow's wall clock, and the run is `<workflow>-<date>`: Scheduler's at-least-once delivery
// and retries, or a second event for the same partition, are refused as duplicates.
import { SFNClient } from '@aws-sdk/client-sfn';
import { partition, required } from './config.ts';
import { InvalidEventError } from './errors.ts';
import { log } from './log.ts';
import { formatDate, parseInstant, runDateAt, type Partition } from './run-date.ts';
import { startRun, type RunStart } from './start-run.ts';

export interface TimedEvent {
  /** An ISO-8601 instant: the scheduled time, or an event's `time`. */
  time: string;
  params?: Record<string, unknown>;
}

export interface TimedStartConfig {
  workflow: string;
  stateMachineArn: string;
  partition: Partition;
  /** IANA timezone name of the workflow's clock. */
  timezone: string;
}

export function runDateOfTime(time: string, config: Pick<TimedStartConfig, 'partition' | 'timezone'>): string {
  // Strict: an impossible instant (2019-02-30, T24:00, year 0000) is refused, not rolled over.
  const instant = parseInstant(time);
  if (!instant) {
    throw new InvalidEventError(`time '${time}' is not a valid ISO-8601 instant; the input must be {"time": "<aws.scheduler.scheduled-time>"} or an event's $.time`);
  }
  return formatDate(runDateAt(instant, config.partition, config.timezone));
}

export async function startTimedRun(event: TimedEvent, deps: { sfn: SFNClient; config: TimedStartConfig }): Promise<RunStart & { date: string }> {
  const date = runDateOfTime(event?.time, deps.config);
  const params = event.params && Object.keys(event.params).length > 0 ? event.params : undefined;
  const run = await startRun(deps.sfn, { stateMachineArn: deps.config.stateMachineArn, workflow: deps.config.workflow, date, ...(params && { params }) });
  log.info(run.started ? 'run started' : 'run already exists', { workflow: deps.config.workflow, time: event.time, date, execution: run.executionArn });
  return { ...run, date };
}

export const timedStartConfig = (env: NodeJS.ProcessEnv): TimedStartConfig => ({
  workflow: required(env, 'WORKFLOW'),
  stateMachineArn: required(env, 'STATE_MACHINE_ARN'),
  partition: partition(env),
  timezone: env.TIMEZONE || 'UTC',
});

const sfn = new SFNClient({});
let config: TimedStartConfig | undefined;

export const handler = async (event: TimedEvent) => startTimedRun(event, { sfn, config: (config ??= timedStartConfig(process.env)) });
