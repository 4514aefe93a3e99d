// The start handler's overlap rules against the real SDK clients, mocked at the API boundary.
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startQueued } from '../../handlers/schedule-overlap.ts';
import { startTimedRun, type TimedStartConfig } from '../../handlers/timed-start.ts';
import { captureLogs, type LogLine } from './logs.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const scheduler = new SchedulerClient({ region: 'eu-west-1', credentials });
const sfnMock = mockClient(sfn);
const schedulerMock = mockClient(scheduler);
const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly';
const config: TimedStartConfig = { workflow: 'nightly', stateMachineArn: SM, partition: 'daily', timezone: 'UTC' };
const queueConfig = { ...config, scheduleName: 'stepgraph-nightly' };
const execution = (name: string, status: ExecutionStatus = 'RUNNING') => ({ name, status, executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${name}`, stateMachineArn: SM, startDate: new Date(0) });
const schedule = (state: 'ENABLED' | 'DISABLED', extra: object = {}) => ({
  Name: 'stepgraph-nightly',
  State: state,
  ScheduleExpression: 'cron(0 2 * * ? *)',
  ScheduleExpressionTimezone: 'UTC',
  CreationDate: new Date('2019-03-01T00:00:00Z'),
  ...extra,
});
const NOW = Date.parse('2019-03-12T09:00:00Z');
/** ListExecutions answers: the running ones (statusFilter RUNNING), and all recent ones. */
const listing = (running: ReturnType<typeof execution>[], recent: ReturnType<typeof execution>[] = []) =>
  sfnMock.on(ListExecutionsCommand).callsFake((input) => ({ executions: input.statusFilter === 'RUNNING' ? running : recent }));

describe('overlap at a scheduled start', () => {
  let logs: LogLine[];
  beforeEach(() => {
    sfnMock.reset();
    schedulerMock.reset();
    logs = [];
    captureLogs(logs);
  });
  afterEach(() => vi.restoreAllMocks());

  it('skip: starts nothing while another run runs, and logs which', async () => {
    // GIVEN yesterday's run still running
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [execution('nightly-2019-03-11')] });
    // WHEN the schedule fires for today with overlap: skip
    const outcome = await startTimedRun({ time: '2019-03-12T02:00:00Z', overlap: 'skip' }, { sfn, config, now: () => NOW });
    // THEN nothing starts, and the log says why
    expect(outcome).toStrictEqual({ outcome: 'skipped', started: false, date: '2019-03-12', running: ['nightly-2019-03-11'] });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(ListExecutionsCommand)[0].args[0].input).toStrictEqual({ stateMachineArn: SM, statusFilter: 'RUNNING', maxResults: 100 });
    expect(logs.some((l) => /start skipped/.test(String(l.message)))).toBe(true);
  });

  it("queue: starts nothing yet; the date's own run running already is no overlap", async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [execution('nightly-2019-03-11')] });
    const queued = await startTimedRun({ time: '2019-03-12T02:00:00Z', overlap: 'queue' }, { sfn, config, now: () => NOW });
    expect(queued).toMatchObject({ outcome: 'queued', started: false, date: '2019-03-12' });

    // a repeated delivery while today's own run runs goes through to the (idempotent) start
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [execution('nightly-2019-03-12')] });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: execution('nightly-2019-03-12').executionArn, startDate: new Date(NOW) });
    const again = await startTimedRun({ time: '2019-03-12T02:00:00Z', overlap: 'queue' }, { sfn, config, now: () => NOW });
    expect(again).toMatchObject({ outcome: 'started', date: '2019-03-12' });
  });

  it('allow (or no overlap): starts without looking', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: execution('nightly-2019-03-12').executionArn, startDate: new Date(NOW) });
    for (const event of [{ time: '2019-03-12T02:00:00Z' }, { time: '2019-03-12T02:00:00Z', overlap: 'allow' as const }]) {
      expect(await startTimedRun(event, { sfn, config, now: () => NOW })).toMatchObject({ outcome: 'started' });
    }
    expect(sfnMock.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });
});

describe('queue: a run that ends starts the oldest held start', () => {
  beforeEach(() => {
    sfnMock.reset();
    schedulerMock.reset();
    captureLogs([]);
  });
  afterEach(() => vi.restoreAllMocks());

  it('starts the oldest fire time after the newest run, one at a time', async () => {
    // GIVEN runs up to the 10th; the 11th and 12th fired while the 10th ran
    schedulerMock.on(GetScheduleCommand).resolves(schedule('ENABLED'));
    listing([], [execution('nightly-2019-03-10', 'SUCCEEDED'), execution('nightly-2019-03-09-replay-1', 'SUCCEEDED'), execution('nightly-2019-03-09', 'FAILED')]);
    sfnMock.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `${SM}:${input.name}`, startDate: new Date(NOW) }));
    // WHEN the 10th's run ends
    const outcome = await startQueued('nightly-2019-03-10', { sfn, scheduler, config: queueConfig, now: () => NOW });
    // THEN the 11th starts (the 12th waits for the 11th's end)
    expect(outcome).toMatchObject({ outcome: 'started', date: '2019-03-11', executionName: 'nightly-2019-03-11' });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(schedulerMock.commandCalls(GetScheduleCommand)[0].args[0].input).toStrictEqual({ Name: 'stepgraph-nightly' });
  });

  it('starts nothing while another run runs, while paused, or when nothing was held', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new Error('must not start'));
    schedulerMock.on(GetScheduleCommand).resolves(schedule('DISABLED'));
    expect(await startQueued('x', { sfn, scheduler, config: queueConfig, now: () => NOW })).toStrictEqual({ outcome: 'paused', started: false });

    schedulerMock.on(GetScheduleCommand).resolves(schedule('ENABLED'));
    listing([execution('nightly-2019-03-11')]);
    expect(await startQueued('x', { sfn, scheduler, config: queueConfig, now: () => NOW })).toMatchObject({ outcome: 'busy', running: ['nightly-2019-03-11'] });

    listing([], [execution('nightly-2019-03-12', 'SUCCEEDED')]);
    expect(await startQueued('x', { sfn, scheduler, config: queueConfig, now: () => NOW })).toStrictEqual({ outcome: 'idle', started: false });
  });

  it("a resume without catch-up (the schedule's start moved to it) leaves the pause's fire times alone", async () => {
    schedulerMock.on(GetScheduleCommand).resolves(schedule('ENABLED', { StartDate: new Date('2019-03-12T08:00:00Z') }));
    listing([], [execution('nightly-2019-03-05', 'SUCCEEDED')]);
    expect(await startQueued('x', { sfn, scheduler, config: queueConfig, now: () => NOW })).toMatchObject({ outcome: 'idle' });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
