import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDateOfEvent, runDateOfTime, startTimedRun, timedStartConfig, type TimedStartConfig } from '../../handlers/timed-start.ts';
import { captureLogs, type LogLine } from './logs.ts';

const sfn = new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sfnMock = mockClient(sfn);
const config: TimedStartConfig = {
  workflow: 'player-analytics',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
  partition: 'daily',
  timezone: 'Europe/Belgrade',
};

const NOW = Date.UTC(2019, 2, 12, 1, 0, 5);

describe('timed start (schedules, and event triggers without a date)', () => {
  let logs: LogLine[];
  beforeEach(() => {
    sfnMock.reset();
    logs = [];
    captureLogs(logs);
  });
  afterEach(() => vi.restoreAllMocks());

  it("derives the run date from the time on the workflow's wall clock", () => {
    // 00:30 in Belgrade on March 12th is still March 11th in UTC
    expect(runDateOfTime('2019-03-11T23:30:00Z', config)).toBe('2019-03-12');
    expect(runDateOfTime('2019-03-11T23:30:00Z', { ...config, timezone: 'UTC' })).toBe('2019-03-11');
    expect(runDateOfTime('2019-03-12T04:00:00Z', { partition: 'hourly', timezone: 'UTC' })).toBe('2019-03-12T04');
    expect(() => runDateOfTime('<aws.scheduler.scheduled-time>', config)).toThrow(/not a valid ISO-8601 instant/);
  });

  it('refuses impossible instants instead of rolling them over into another day', () => {
    const utc = { partition: 'daily' as const, timezone: 'UTC' };
    for (const time of [
      '2019-02-30T01:00:00Z',
      '2019-02-29T01:00:00Z',
      '2019-03-12T24:00:00Z',
      '2019-03-12T23:60:00Z',
      '2019-03-12T23:00:61Z',
      '0000-03-12T01:00:00Z',
      '2019-13-01T01:00:00Z',
      '2019-03-12T01:00:00+25:00',
      '2019-03-12',
      '2019-3-12T01:00:00Z',
      '2019-03-12T01:00:00',
    ]) {
      expect(() => runDateOfTime(time, utc), time).toThrow(/not a valid ISO-8601 instant/);
    }
    expect(() => runDateOfTime(1552352400000, utc)).toThrow(/not a valid ISO-8601 instant/);
    expect(runDateOfTime('0999-03-12T01:00:00Z', utc)).toBe('0999-03-12');
    expect(runDateOfTime('2020-02-29T01:00:00.123Z', utc)).toBe('2020-02-29');
    expect(runDateOfTime('2019-03-12T01:00:00+02:00', utc)).toBe('2019-03-11');
  });

  it('logs and drops an impossible time with its reason, starting nothing', async () => {
    const outcome = await startTimedRun({ time: '2019-02-30T01:00:00Z' }, { sfn, config });

    expect(outcome).toEqual({ outcome: 'refused', started: false, reason: expect.stringContaining("time \"2019-02-30T01:00:00Z\" is not a valid ISO-8601 instant") });
    expect(logs).toEqual([expect.objectContaining({ level: 'WARN', message: 'start refused', workflow: 'player-analytics' })]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('starts <workflow>-<date> and treats a repeated delivery as a duplicate', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:exec', startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    // Act
    const first = await startTimedRun({ time: '2019-03-12T01:00:00Z' }, { sfn, config });
    const again = await startTimedRun({ time: '2019-03-12T01:00:00Z' }, { sfn, config });

    // Assess
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: config.stateMachineArn,
      name: 'player-analytics-2019-03-12',
      input: '{"date":"2019-03-12"}',
    });
    expect([first.started, again.started]).toEqual([true, false]);
  });

  it("passes an event's params into the run input", async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    await startTimedRun({ time: '2019-03-12T10:15:00Z', params: { mode: 'full', batch: 'b-7' } }, { sfn, config });

    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.input!)).toEqual({
      date: '2019-03-12',
      params: { mode: 'full', batch: 'b-7' },
    });
  });

  it('reads its configuration from the environment, UTC by default', () => {
    const env = { WORKFLOW: 'w', STATE_MACHINE_ARN: 'arn', PARTITION: 'hourly' };
    expect(timedStartConfig(env)).toEqual({ workflow: 'w', stateMachineArn: 'arn', partition: 'hourly', timezone: 'UTC' });
  });
});

describe('start of an event trigger that carries a date', () => {
  let logs: LogLine[];
  beforeEach(() => {
    sfnMock.reset();
    logs = [];
    captureLogs(logs);
  });
  afterEach(() => vi.restoreAllMocks());

  it('starts <workflow>-<date> with its params, and takes a duplicate delivery as success', async () => {
    // GIVEN Step Functions' naming rule: a second execution of a name is refused
    const names = new Set<string>();
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      if (names.has(input.name)) throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
      names.add(input.name);
      return { executionArn: `arn:exec:${input.name}`, startDate: new Date(NOW) };
    });
    const event = { date: '2019-03-12', params: { mode: 'full' } };

    // WHEN EventBridge delivers the event twice
    const first = await startTimedRun(event, { sfn, config, now: () => NOW });
    const again = await startTimedRun(event, { sfn, config, now: () => NOW });

    // THEN one run, under its deterministic name; the second delivery is a duplicate
    expect(first).toMatchObject({ outcome: 'started', started: true, date: '2019-03-12', executionName: 'player-analytics-2019-03-12' });
    expect(again).toMatchObject({ outcome: 'duplicate', started: false, already: 'exists' });
    expect(sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: config.stateMachineArn, name: 'player-analytics-2019-03-12', input: '{"date":"2019-03-12","params":{"mode":"full"}}' },
      { stateMachineArn: config.stateMachineArn, name: 'player-analytics-2019-03-12', input: '{"date":"2019-03-12","params":{"mode":"full"}}' },
    ]);
    expect(logs.map((l) => l.message)).toEqual(['run started', 'run already exists']);
  });

  it('says "already running" when Step Functions answers with the running execution', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW - 3_600_000) });

    const outcome = await startTimedRun({ date: '2019-03-12' }, { sfn, config, now: () => NOW });

    expect(outcome).toMatchObject({ outcome: 'duplicate', started: false, already: 'running' });
    expect(logs.map((l) => l.message)).toEqual(['run already running']);
  });

  it.each([
    ['2019-3-1', /not a real calendar date 'YYYY-MM-DD'/],
    ['2019-02-30', /not a real calendar date/],
    ['2019-03-12T05', /the workflow's runs are daily/],
    ['20190312', /not a real calendar date/],
    [' 2019-03-12', /not a real calendar date/],
    [20190312, /is a number, not a 'YYYY-MM-DD' string/],
    [null, /is null/],
    [['2019-03-12'], /is a list/],
    [{ day: 12 }, /is an object/],
    [undefined, /is missing/],
    [true, /is a boolean/],
  ])('logs and drops the date %j with a reason, starting nothing', async (date, reason) => {
    const outcome = await startTimedRun({ date, params: { mode: 'full' } }, { sfn, config });

    expect(outcome).toEqual({ outcome: 'refused', started: false, reason: expect.stringMatching(reason) });
    expect(logs).toEqual([expect.objectContaining({ level: 'WARN', message: 'start refused' })]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('checks hourly dates for a real hour', () => {
    expect(runDateOfEvent('2019-03-12T05', 'hourly')).toBe('2019-03-12T05');
    expect(() => runDateOfEvent('2019-03-12T99', 'hourly')).toThrow(/not a real calendar date and hour 'YYYY-MM-DDTHH'/);
    expect(() => runDateOfEvent('2019-03-12T24', 'hourly')).toThrow(/not a real calendar date and hour/);
    expect(() => runDateOfEvent('2019-03-12', 'hourly')).toThrow(/the workflow's runs are hourly/);
  });

  it('drops an input that is neither {time} nor {date}, and params that are not an object', async () => {
    for (const event of [{}, null, 'x', { params: {} }, { date: '2019-03-12', params: ['a'] }]) {
      expect(await startTimedRun(event, { sfn, config }), JSON.stringify(event)).toMatchObject({ outcome: 'refused' });
    }
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
