// `catch_up` when the pause was `stepgraph schedule pause` and the resume happened anywhere (the
// AWS console, the CLI, CloudFormation). The pause recorded its instant in the schedule's input
// (contract/pause-record.ts), so the first fire after the resume carries it: the start handler
// then starts the runs of the fire times missed in between, as `schedule resume` would have
// (contract/schedule-decisions.ts: oldest first, those without a run, one at a time under skip
// and queue), and clears the record.
//
// Not twice: the catch-up comes before the clear, so a failure leaves the record for the retry
// or the next fire; every run is started under its name `<workflow>-<date>`, so a second fire
// racing this one (or a retry) finds the runs this one started (listed as existing, or answered
// ExecutionAlreadyExists) and starts none of them again; under skip and queue it also finds them
// running and holds the rest. The clear re-reads the schedule and removes the record only if it
// is still the same pause (a fire that finds it gone, or a newer pause, catches nothing up).
import { GetScheduleCommand, UpdateScheduleCommand, type GetScheduleOutput, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { runDateAt } from '../generator/contract/dates.ts';
import type { Overlap } from '../generator/contract/fire-times.ts';
import { MAX_CATCH_UP_RUNS, missedBeforeFire, recordedPause, withoutPause } from '../generator/contract/pause-record.ts';
import { runName } from '../generator/contract/run-names.ts';
import { catchUpSplit, resumeNeedsBusy } from '../generator/contract/schedule-decisions.ts';
import { log } from './log.ts';
import type { OverlapConfig } from './schedule-overlap.ts';
import { startRun } from './start-run.ts';

export interface CatchUpDeps {
  sfn: SFNClient;
  scheduler: SchedulerClient;
  config: OverlapConfig & { scheduleName: string };
  now?: () => number;
}

/** What the fire caught up: the runs it started and those it held (queue: the drain's; skip: none). */
export interface CatchUp {
  pausedAt: string;
  started: string[];
  held: string[];
  /** Why nothing was caught up, when nothing was: the record was cleared already, or the pause missed too much. */
  none?: 'cleared' | 'too-many';
}

/**
 * At a fire whose input carries `pausedAt` (and `catchUp: true`): the catch-up of the runs missed
 * between the pause and this fire (`at`), then the record's clear. The fire's own start follows,
 * as at any fire.
 */
export async function catchUpAtFire(pausedAtText: string, at: number, overlap: Overlap | undefined, deps: CatchUpDeps): Promise<CatchUp> {
  const { config } = deps;
  const schedule = await deps.scheduler.send(new GetScheduleCommand({ Name: config.scheduleName }));
  const pausedAt = recordedPause(schedule.Target?.Input);
  if (pausedAt === undefined || pausedAt !== Date.parse(pausedAtText)) {
    log.info('no catch-up: the pause record was cleared already (another fire or `schedule resume` caught up)', { workflow: config.workflow, pausedAt: pausedAtText });
    return { pausedAt: pausedAtText, started: [], held: [], none: 'cleared' };
  }
  const timezone = schedule.ScheduleExpressionTimezone || config.timezone;
  const dateOf = (t: number): string => runDateAt(new Date(t), config.partition, config.timezone).text;
  const anchor = (schedule.StartDate ?? schedule.CreationDate)?.getTime();
  const runs = missedBeforeFire(schedule.ScheduleExpression ?? '', timezone, pausedAt, at, anchor, dateOf, MAX_CATCH_UP_RUNS * 24 + 1);
  const out: CatchUp = { pausedAt: pausedAtText, started: [], held: [] };
  if (runs.length > MAX_CATCH_UP_RUNS) {
    log.warn('no catch-up: the pause missed more runs than a resume catches up; start them with `stepgraph backfill`', { workflow: config.workflow, from: runs[0].date, to: runs.at(-1)!.date, runs: runs.length });
    out.none = 'too-many';
  } else if (runs.length > 0) {
    // One page of the newest executions: the runs that exist, and whether one is running.
    const page = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn: config.stateMachineArn, maxResults: 100 }));
    const executions = page.executions ?? [];
    const existing = new Set(executions.map((e) => e.name ?? ''));
    const missed = runs.filter((r) => !existing.has(runName(config.workflow, r.date)));
    const busy = resumeNeedsBusy(overlap, missed.length) && executions.some((e) => e.status === 'RUNNING');
    const split = catchUpSplit(missed, overlap, busy);
    out.held = split.held.map((r) => runName(config.workflow, r.date));
    for (const r of split.start) {
      const run = await startRun(deps.sfn, { stateMachineArn: config.stateMachineArn, workflow: config.workflow, date: r.date }, deps.now);
      if (run.started) out.started.push(run.executionName);
    }
  }
  await clearRecord(deps, pausedAt);
  log.info('caught up the runs missed while paused (resumed outside stepgraph)', { workflow: config.workflow, ...out });
  return out;
}

/**
 * Removes the pause record, if the schedule still carries the same one. UpdateSchedule replaces
 * the whole schedule, so everything GetSchedule returned is sent back (the state included: a
 * re-read just before keeps the window in which a pause made meanwhile could be lost small).
 */
async function clearRecord(deps: CatchUpDeps, pausedAt: number): Promise<void> {
  const current = await deps.scheduler.send(new GetScheduleCommand({ Name: deps.config.scheduleName }));
  const input = withoutPause(current.Target?.Input);
  if (input === undefined || recordedPause(current.Target?.Input) !== pausedAt) return;
  await deps.scheduler.send(new UpdateScheduleCommand(updateOf(current, deps.config.scheduleName, input)));
}

function updateOf(current: GetScheduleOutput, name: string, input: string): ConstructorParameters<typeof UpdateScheduleCommand>[0] {
  const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, ...fields } = current;
  return {
    ...fields,
    Name: fields.Name ?? name,
    ScheduleExpression: fields.ScheduleExpression ?? '',
    FlexibleTimeWindow: fields.FlexibleTimeWindow ?? { Mode: 'OFF' },
    Target: { ...fields.Target!, Input: input },
  };
}
