// The property that makes `simulate --schedule` worth reading: on random schedules, durations and
// pauses, the simulation's decisions (local/schedule-driver.ts) are the deployed code's. The same
// events (fire times, run ends, a pause, a resume) drive both: the driver, and the deployed start
// handler (startTimedRun at a fire, with its catch-up after a resume made outside stepgraph;
// startQueued at a run's end) plus `stepgraph schedule pause` and `stepgraph schedule resume`,
// against the real SDK clients mocked at the API boundary by a small account: executions that
// exist and run, and the schedule's state and dates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Overlap } from '../../generator/contract/fire-times.ts';
import { instantOf } from '../../generator/contract/deadlines.ts';
import { run as scheduleCommand } from '../../generator/cli/commands/schedule.ts';
import { ScheduleDriver, type Decision, type RunRecord } from '../../generator/local/schedule-driver.ts';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { startQueued } from '../../handlers/schedule-overlap.ts';
import { startTimedRun } from '../../handlers/timed-start.ts';

const REGION = 'eu-west-1';
const SM = `arn:aws:states:${REGION}:123456789012:stateMachine:nightly`;
const arnOf = (name: string): string => `${SM.replace(':stateMachine:', ':execution:')}:${name}`;
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sfn = new SFNClient({ region: REGION, credentials });
const scheduler = new SchedulerClient({ region: REGION, credentials });
// Mocked for every client: the handlers' own and those `schedule resume` connects.
const sfnMock = mockClient(SFNClient);
const schedulerMock = mockClient(SchedulerClient);
const dir = mkdtempSync(join(tmpdir(), 'schedule-sim-'));
/** What `schedule resume` prints goes here while it runs; the handlers' log lines are dropped. */
let printed: string[] | undefined;

interface Case {
  hourly: boolean;
  /** Fires every `step` hours at minute `minute` (daily: `step` 24 fires once a day at `hour`). */
  step: number;
  hour: number;
  minute: number;
  timezone: string;
  overlap: Overlap;
  catchUp: boolean;
  days: number;
  /** Each run's duration in minutes, by start order (cycled). */
  durations: number[];
  /** Pause and resume, in hours after the window's start. */
  pause?: [number, number];
  /** The resume is the AWS console's (an UpdateSchedule to ENABLED), not `schedule resume`. */
  outside: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    hourly: fc.boolean(),
    step: fc.constantFrom(1, 2, 3, 6, 12, 24),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.constantFrom(0, 15, 30),
    timezone: fc.constantFrom('UTC', 'Europe/Belgrade', 'America/New_York'),
    overlap: fc.constantFrom<Overlap>('skip', 'queue', 'allow'),
    catchUp: fc.boolean(),
    days: fc.integer({ min: 1, max: 4 }),
    durations: fc.array(fc.integer({ min: 1, max: 60 * 40 }), { minLength: 1, maxLength: 8 }),
    pause: fc.option(fc.tuple(fc.integer({ min: 0, max: 96 }), fc.integer({ min: 1, max: 48 })), { nil: undefined }),
    outside: fc.boolean(),
  })
  .map((c) => ({ ...c, pause: c.pause && ([c.pause[0], Math.min(c.pause[0] + c.pause[1], c.days * 24)] as [number, number]) }))
  .filter((c) => !c.pause || c.pause[0] < c.pause[1]);

function expressionOf(c: Case): string {
  return c.step === 24 ? `cron(${c.minute} ${c.hour} * * ? *)` : `cron(${c.minute} ${c.hour % c.step}/${c.step} * * ? *)`;
}

type Event = { t: number; order: number; act: () => Promise<void> | void };

/** A tiny event loop: ends before fires before a pause or resume at one instant. */
async function drive(events: Event[]): Promise<void> {
  while (events.length > 0) {
    events.sort((a, b) => a.t - b.t || a.order - b.order);
    await events.shift()!.act();
  }
}

/** The simulation's decisions for a case. */
async function simulated(c: Case, from: number, to: number): Promise<Decision[]> {
  const events: Event[] = [];
  let started = 0;
  const setup = { workflow: 'nightly', partition: c.hourly ? ('hourly' as const) : ('daily' as const), expression: expressionOf(c), timezone: c.timezone, overlap: c.overlap, catchUp: c.catchUp, since: from, end: to };
  const driver: ScheduleDriver = new ScheduleDriver(setup, (run: RunRecord) => {
    const end = run.start + c.durations[started++ % c.durations.length] * 60_000;
    events.push({ t: end, order: -1, act: () => driver.ended(run.run, end) });
  });
  for (const t of driver.fireTimesIn(from, to)) events.push({ t, order: 0, act: () => driver.fire(t) });
  if (c.pause) {
    const [p, r] = c.pause.map((h) => from + h * 3_600_000);
    events.push({ t: p, order: 1, act: () => driver.pause(p) }, { t: r, order: 1, act: () => driver.resume(r, c.outside) });
  }
  await drive(events);
  return driver.decisions;
}

/** The deployed code's decisions for the same case, through the mocked account. */
async function deployed(c: Case, from: number, to: number, fires: number[]): Promise<Decision[]> {
  const partition = c.hourly ? ('hourly' as const) : ('daily' as const);
  const file = join(dir, `nightly-${c.hourly ? 'h' : 'd'}-${c.overlap}-${c.catchUp}-${c.timezone.replace('/', '_')}.yaml`);
  writeFileSync(file, `name: nightly\npartition: ${partition}\nschedule:\n  cron: "${expressionOf(c).slice(5, -1)}"\n  timezone: ${c.timezone}\n  overlap: ${c.overlap}\n  catch_up: ${c.catchUp}\njobs:\n  load: { lambda: load }\n`);
  const executions = new Map<string, { status: 'RUNNING' | 'SUCCEEDED'; startDate: Date }>();
  let schedule: GetScheduleOutput = {
    Name: 'stepgraph-nightly',
    GroupName: 'default',
    State: 'ENABLED',
    ScheduleExpression: expressionOf(c),
    ScheduleExpressionTimezone: c.timezone,
    CreationDate: new Date(from),
    EndDate: new Date(to),
    FlexibleTimeWindow: { Mode: 'OFF' },
    // The input the stack writes (infra/triggers.ts): overlap for skip and queue, catchUp when true.
    Target: {
      Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:start',
      RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
      Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>', ...(c.overlap !== 'allow' && { overlap: c.overlap }), ...(c.catchUp && { catchUp: true }) }),
    },
  };
  let now = from;
  let started = 0;
  const events: Event[] = [];
  const decisions: Decision[] = [];
  const config = { workflow: 'nightly', stateMachineArn: SM, partition, timezone: c.timezone };

  sfnMock.reset();
  schedulerMock.reset();
  sfnMock.on(ListExecutionsCommand).callsFake((input) => ({
    executions: [...executions]
      .filter(([, e]) => input.statusFilter !== 'RUNNING' || e.status === 'RUNNING')
      .map(([name, e]) => ({ name, executionArn: arnOf(name), stateMachineArn: SM, status: e.status, startDate: e.startDate })),
  }));
  sfnMock.on(DescribeExecutionCommand).callsFake(({ executionArn }) => {
    const name = executionArn.split(':').at(-1);
    const e = executions.get(name);
    if (!e) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    return { executionArn, name, status: e.status, stateMachineArn: SM, startDate: e.startDate };
  });
  sfnMock.on(StartExecutionCommand).callsFake(({ name }) => {
    if (executions.has(name)) throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
    const startedAt = now;
    executions.set(name, { status: 'RUNNING', startDate: new Date(startedAt) });
    const end = startedAt + c.durations[started++ % c.durations.length] * 60_000;
    events.push({ t: end, order: -1, act: () => ended(name, end) });
    return { executionArn: arnOf(name), startDate: new Date(startedAt) };
  });
  schedulerMock.on(GetScheduleCommand).callsFake(() => ({ ...schedule }));
  schedulerMock.on(UpdateScheduleCommand).callsFake((input) => {
    schedule = { ...schedule, State: input.State, ...(input.StartDate && { StartDate: input.StartDate }), ...(input.Target && { Target: input.Target }), LastModificationDate: new Date(now) };
    return {};
  });

  async function ended(name: string, t: number): Promise<void> {
    now = t;
    executions.get(name)!.status = 'SUCCEEDED';
    if (c.overlap !== 'queue') return;
    const out = await startQueued(arnOf(name), { sfn, scheduler, config: { ...config, scheduleName: 'stepgraph-nightly' }, now: () => t });
    decisions.push({ event: 'end', at: t, run: name, outcome: out.outcome, ...('date' in out && { date: out.date }) });
  }
  for (const t of fires) {
    events.push({
      t,
      order: 0,
      act: async () => {
        now = t;
        // A disabled schedule does not fire at all.
        if (schedule.State === 'DISABLED') return;
        // What Scheduler delivers: the schedule's input as it stands (a pause record included), the time filled in.
        const event: unknown = JSON.parse(schedule.Target!.Input!.replace('<aws.scheduler.scheduled-time>', new Date(t).toISOString().replace('.000Z', 'Z')));
        const out = await startTimedRun(event, { sfn, config, now: () => t, catchUp: { scheduler, scheduleName: 'stepgraph-nightly' } });
        if (out.outcome === 'refused') throw new Error(out.reason);
        if (out.caughtUp) decisions.push({ event: 'catch-up', at: t, started: out.caughtUp.started, held: out.caughtUp.held });
        decisions.push({ event: 'fire', at: t, date: out.date, outcome: out.outcome });
      },
    });
  }
  if (c.pause) {
    const [p, r] = c.pause.map((h) => from + h * 3_600_000);
    events.push({
      t: p,
      order: 1,
      act: async () => {
        now = p;
        // `schedule pause` (which records the pause in the input when the schedule catches up)
        await scheduleCommand(['pause', file, '--json', '--region', REGION], p);
        expect(schedule.State).toBe('DISABLED');
      },
    });
    events.push({
      t: r,
      order: 1,
      act: async () => {
        now = r;
        if (c.outside) {
          schedule = { ...schedule, State: 'ENABLED', LastModificationDate: new Date(r) };
          decisions.push({ event: 'resume', at: r, started: [], held: [] });
          return;
        }
        const out: string[] = [];
        printed = out;
        try {
          await scheduleCommand(['resume', file, '--json', '--region', REGION, '--state-machine-arn', SM], r);
        } finally {
          printed = undefined;
        }
        const shown = JSON.parse(out.join('\n')) as { started: string[]; held: string[] };
        decisions.push({ event: 'resume', at: r, started: shown.started, held: shown.held });
      },
    });
  }
  await drive(events);
  return decisions;
}

describe('simulate --schedule decides as the deployed start handler and schedule resume do', () => {
  beforeAll(() => {
    setRetryPolicyForTests({ sleep: async () => undefined });
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed?.push(a.join(' ')));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => {
    setRetryPolicyForTests(undefined);
    vi.restoreAllMocks();
  });

  it('on random schedules, durations and pauses', async () => {
    // Fire-time catch-ups (a stepgraph pause, a resume outside stepgraph, catch_up) that started runs.
    let caughtUpAtFires = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const from = instantOf(2019, 3, 8, 0, 0, c.timezone);
        const to = from + c.days * 86_400_000 - 60_000;
        const fires = new ScheduleDriver({ workflow: 'nightly', partition: 'daily', expression: expressionOf(c), timezone: c.timezone, catchUp: false, since: from }, () => undefined).fireTimesIn(from, to);
        const mine = await simulated(c, from, to);
        const theirs = await deployed(c, from, to, fires);
        expect(mine).toStrictEqual(theirs);
        caughtUpAtFires += mine.filter((d) => d.event === 'catch-up' && d.started.length > 0).length;
        // and the case said something: at least one fire was decided
        expect(mine.length).toBeGreaterThan(0);
      }),
      {
        numRuns: 60,
        // one case sure to catch up at a fire: daily at 02:00 UTC, paused from 03:00 on day 1 for 60 hours, console resume
        examples: [[{ hourly: false, step: 24, hour: 2, minute: 0, timezone: 'UTC', overlap: 'queue', catchUp: true, days: 4, durations: [60], pause: [3, 63], outside: true }]],
      },
    );
    expect(caughtUpAtFires).toBeGreaterThan(0);
  });
});
