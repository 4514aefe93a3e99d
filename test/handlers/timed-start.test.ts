import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDateOfTime, startTimedRun, timedStartConfig, type TimedStartConfig } from '../../handlers/timed-start.ts';

const sfn = new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sfnMock = mockClient(sfn);
const config: TimedStartConfig = {
  workflow: 'player-analytics',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
  partition: 'daily',
  timezone: 'Europe/Belgrade',
};

describe('timed start (schedules, and event triggers without a date)', () => {
  beforeEach(() => {
    sfnMock.reset();
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it("derives the run date from the time on the workflow's wall clock", () => {
    // 00:30 in Belgrade on March 12th is still March 11th in UTC
    expect(runDateOfTime('2019-03-11T23:30:00Z', config)).toBe('2019-03-12');
    expect(runDateOfTime('2019-03-11T23:30:00Z', { ...config, timezone: 'UTC' })).toBe('2019-03-11');
    expect(runDateOfTime('2019-03-12T04:00:00Z', { partition: 'hourly', timezone: 'UTC' })).toBe('2019-03-12T04');
    expect(() => runDateOfTime('<aws.scheduler.scheduled-time>', config)).toThrow(/not a valid ISO-8601 instant/);
  });

  // Issue 12, item 6: JavaScript's Date rolls impossible times over into other days.
  it('refuses impossible instants instead of rolling them over', () => {
    const utc = { partition: 'daily' as const, timezone: 'UTC' };
    for (const time of ['2019-02-30T01:00:00Z', '2019-03-12T24:00:00Z', '0000-03-12T01:00:00Z', '2019-13-01T00:00:00Z', '2019-03-12T10:60:00Z', '2019-03-12T10:00:60Z', '2019-03-12T10:00:00+24:00', '2019-03-12T10:00:00', '2019-03-12']) {
      expect(() => runDateOfTime(time, utc), time).toThrow(/not a valid ISO-8601 instant/);
    }
  });

  it('reads the forms an instant may take: seconds, fraction and offset optional, leap days real', () => {
    const utc = { partition: 'hourly' as const, timezone: 'UTC' };
    expect(runDateOfTime('2020-02-29T23:30Z', utc)).toBe('2020-02-29T23');
    expect(runDateOfTime('2019-03-12T01:00:00.123456Z', utc)).toBe('2019-03-12T01');
    expect(runDateOfTime('2019-03-12T01:30:00+02:00', utc)).toBe('2019-03-11T23');
    expect(runDateOfTime('2019-03-11T23:30:00-0130', utc)).toBe('2019-03-12T01');
    expect(runDateOfTime('0001-01-01T00:00:00Z', utc)).toBe('0001-01-01T00');
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
