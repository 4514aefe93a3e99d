// catch_up after `stepgraph schedule pause` and a resume made elsewhere (the AWS console): the
// first fire's input carries the pause record, and the start handler catches up and clears it.
// The real SDK clients, mocked at the API boundary by a small account (executions, the schedule).
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand, type GetScheduleOutput, type UpdateScheduleInput } from '@aws-sdk/client-scheduler';
import { ExecutionAlreadyExists, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Overlap } from '../../generator/contract/fire-times.ts';
import { startTimedRun, type TimedStartConfig } from '../../handlers/timed-start.ts';
import { captureLogs, type LogLine } from './logs.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const scheduler = new SchedulerClient({ region: 'eu-west-1', credentials });
const sfnMock = mockClient(sfn);
const schedulerMock = mockClient(scheduler);
const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly';
const config: TimedStartConfig = { workflow: 'nightly', stateMachineArn: SM, partition: 'daily', timezone: 'UTC' };
const catchUp = { scheduler, scheduleName: 'stepgraph-nightly' };
const PAUSED = '2019-03-10T10:00:00.000Z';
/** The first fire after the console's resume: 2019-03-14 02:00 UTC; 03-11, 03-12 and 03-13 were missed. */
const FIRE = '2019-03-14T02:00:00Z';

/** The stack's input for an overlap, with catch_up, as `schedule pause` left it (pausedAt recorded). */
const inputOf = (overlap: Overlap, record = true): Record<string, unknown> => ({
  time: '<aws.scheduler.scheduled-time>',
  ...(overlap !== 'allow' && { overlap }),
  catchUp: true,
  ...(record && { pausedAt: PAUSED }),
});

let schedule: GetScheduleOutput;
let executions: Map<string, 'RUNNING' | 'SUCCEEDED'>;
let updates: UpdateScheduleInput[];
let starts: string[];

function account(overlap: Overlap, existing: Record<string, 'RUNNING' | 'SUCCEEDED'> = {}): void {
  schedule = {
    Arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/stepgraph-nightly',
    Name: 'stepgraph-nightly',
    GroupName: 'default',
    // The console resumed it: enabled, the record still in its input.
    State: 'ENABLED',
    ScheduleExpression: 'cron(0 2 * * ? *)',
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:start', RoleArn: 'arn:aws:iam::123456789012:role/scheduler', Input: JSON.stringify(inputOf(overlap)), RetryPolicy: { MaximumRetryAttempts: 20 } },
    CreationDate: new Date('2019-03-01T00:00:00Z'),
    LastModificationDate: new Date('2019-03-13T12:00:00Z'),
  };
  executions = new Map(Object.entries(existing));
  updates = [];
  starts = [];
  schedulerMock.on(GetScheduleCommand).callsFake(() => structuredClone(schedule));
  schedulerMock.on(UpdateScheduleCommand).callsFake((input: UpdateScheduleInput) => {
    updates.push(input);
    schedule = { ...schedule, State: input.State, Target: input.Target, LastModificationDate: new Date() };
    return {};
  });
  sfnMock.on(ListExecutionsCommand).callsFake((input) => ({
    executions: [...executions]
      .filter(([, status]) => input.statusFilter !== 'RUNNING' || status === 'RUNNING')
      .map(([name, status]) => ({ name, status, executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${name}`, stateMachineArn: SM, startDate: new Date(0) })),
  }));
  sfnMock.on(StartExecutionCommand).callsFake(({ name }) => {
    if (executions.has(name)) throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
    executions.set(name, 'RUNNING');
    starts.push(name);
    return { executionArn: `${SM}:${name}`, startDate: new Date(Date.parse(FIRE)) };
  });
}

/** The fire as Scheduler delivers it: the schedule's current input, the scheduled time filled in. */
const fire = (at = FIRE) => startTimedRun(JSON.parse((schedule.Target!.Input ?? '{}').replace('<aws.scheduler.scheduled-time>', at)), { sfn, config, catchUp, now: () => Date.parse(at) });

describe('catch_up at the first fire after a resume made outside stepgraph', () => {
  let logs: LogLine[];
  beforeEach(() => {
    sfnMock.reset();
    schedulerMock.reset();
    logs = [];
    captureLogs(logs);
  });
  afterEach(() => vi.restoreAllMocks());

  it('allow: starts every missed run, oldest first, then the fire\'s own, and clears the record', async () => {
    account('allow');
    const out = await fire();
    expect(starts).toStrictEqual(['nightly-2019-03-11', 'nightly-2019-03-12', 'nightly-2019-03-13', 'nightly-2019-03-14']);
    expect(out).toMatchObject({ outcome: 'started', date: '2019-03-14', caughtUp: { started: ['nightly-2019-03-11', 'nightly-2019-03-12', 'nightly-2019-03-13'], held: [] } });
    // The clear sends the whole schedule back, only the record removed: still enabled, same target.
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ Name: 'stepgraph-nightly', State: 'ENABLED', ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'UTC', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(updates[0].Target).toMatchObject({ Arn: schedule.Target!.Arn, RoleArn: 'arn:aws:iam::123456789012:role/scheduler', RetryPolicy: { MaximumRetryAttempts: 20 } });
    expect(JSON.parse(updates[0].Target!.Input!)).toStrictEqual(inputOf('allow', false));
    expect(updates[0]).not.toHaveProperty('Arn');
  });

  it('a run that exists already is not caught up again', async () => {
    account('allow', { 'nightly-2019-03-12': 'SUCCEEDED' });
    const out = await fire();
    expect(starts).toStrictEqual(['nightly-2019-03-11', 'nightly-2019-03-13', 'nightly-2019-03-14']);
    expect(out.caughtUp?.started).toStrictEqual(['nightly-2019-03-11', 'nightly-2019-03-13']);
  });

  it('skip: the oldest missed run starts; the others are not run, and the fire\'s own is skipped behind it', async () => {
    account('skip');
    const out = await fire();
    expect(starts).toStrictEqual(['nightly-2019-03-11']);
    expect(out).toMatchObject({ outcome: 'skipped', date: '2019-03-14', running: ['nightly-2019-03-11'], caughtUp: { started: ['nightly-2019-03-11'], held: ['nightly-2019-03-12', 'nightly-2019-03-13'] } });
    expect(JSON.parse(schedule.Target!.Input!)).toStrictEqual(inputOf('skip', false));
  });

  it('queue: the oldest starts, the rest (the fire\'s own included) wait for the running run to end', async () => {
    account('queue');
    const out = await fire();
    expect(starts).toStrictEqual(['nightly-2019-03-11']);
    expect(out).toMatchObject({ outcome: 'queued', caughtUp: { started: ['nightly-2019-03-11'], held: ['nightly-2019-03-12', 'nightly-2019-03-13'] } });
  });

  it('queue with a run running at the fire: nothing starts now, every missed run is held', async () => {
    account('queue', { 'nightly-2019-03-09': 'RUNNING' });
    const out = await fire();
    expect(starts).toStrictEqual([]);
    expect(out).toMatchObject({ outcome: 'queued', caughtUp: { started: [], held: ['nightly-2019-03-11', 'nightly-2019-03-12', 'nightly-2019-03-13'] } });
    expect(updates).toHaveLength(1);
  });

  it('catch_up false: the stack pastes no catchUp, pause records nothing, and a fire starts its own date only', async () => {
    account('allow');
    schedule.Target!.Input = JSON.stringify({ time: '<aws.scheduler.scheduled-time>' });
    const out = await fire();
    expect(starts).toStrictEqual(['nightly-2019-03-14']);
    expect(out).not.toHaveProperty('caughtUp');
    expect(schedulerMock.commandCalls(GetScheduleCommand)).toHaveLength(0);
    // a stray record without catchUp: true is no reason to catch up either
    const stray = await startTimedRun({ time: '2019-03-15T02:00:00Z', pausedAt: PAUSED }, { sfn, config, catchUp, now: () => Date.parse('2019-03-15T02:00:00Z') });
    expect(stray).not.toHaveProperty('caughtUp');
    expect(starts).toStrictEqual(['nightly-2019-03-14', 'nightly-2019-03-15']);
  });

  it.each<Overlap>(['allow', 'skip', 'queue'])('%s: a second fire (the next one, or a retry of this one with its stale input) does not catch up again', async (overlap) => {
    account(overlap);
    const event = JSON.parse(schedule.Target!.Input!.replace('<aws.scheduler.scheduled-time>', FIRE));
    await fire();
    const first = [...starts];
    // Every run ends; then the same delivery again (stale input, record included), and the next fire.
    for (const name of executions.keys()) executions.set(name, 'SUCCEEDED');
    const retry = await startTimedRun(event, { sfn, config, catchUp, now: () => Date.parse(FIRE) });
    // Its own date: a duplicate under allow; skip and queue held it, and with nothing running now it starts.
    expect(retry).toMatchObject({ outcome: overlap === 'allow' ? 'duplicate' : 'started', caughtUp: { started: [], held: [], none: 'cleared' } });
    for (const name of executions.keys()) executions.set(name, 'SUCCEEDED');
    const next = await fire('2019-03-15T02:00:00Z');
    expect(next).not.toHaveProperty('caughtUp');
    expect(starts).toStrictEqual([...first, ...(overlap === 'allow' ? [] : ['nightly-2019-03-14']), 'nightly-2019-03-15']);
    // none of the missed runs started twice
    expect(starts.filter((n) => n < 'nightly-2019-03-14')).toStrictEqual(first.filter((n) => n < 'nightly-2019-03-14'));
    expect(updates).toHaveLength(1);
  });

  it('two fires racing on the same record start each missed run once', async () => {
    account('allow');
    const event = () => JSON.parse(schedule.Target!.Input!.replace('<aws.scheduler.scheduled-time>', FIRE));
    const [a, b] = [event(), event()];
    await Promise.all([startTimedRun(a, { sfn, config, catchUp, now: () => Date.parse(FIRE) }), startTimedRun(b, { sfn, config, catchUp, now: () => Date.parse(FIRE) })]);
    expect([...starts].sort()).toStrictEqual(['nightly-2019-03-11', 'nightly-2019-03-12', 'nightly-2019-03-13', 'nightly-2019-03-14']);
    expect(JSON.parse(schedule.Target!.Input!)).toStrictEqual(inputOf('allow', false));
  });

  it('a newer pause record is not cleared by a late fire of the older one', async () => {
    account('allow');
    const stale = JSON.parse(schedule.Target!.Input!.replace('<aws.scheduler.scheduled-time>', FIRE).replace(PAUSED, '2019-03-01T00:00:00.000Z'));
    const out = await startTimedRun(stale, { sfn, config, catchUp, now: () => Date.parse(FIRE) });
    expect(out.caughtUp).toMatchObject({ started: [], none: 'cleared' });
    expect(updates).toHaveLength(0);
    expect(logs.some((l) => String(l.message).includes('cleared already'))).toBe(true);
  });
});
