import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleConfig, scheduledRunDate, startScheduledRun, type ScheduleConfig } from '../../handlers/scheduled-start.ts';

const sfn = new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sfnMock = mockClient(sfn);
const config: ScheduleConfig = {
  workflow: 'player-analytics',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
  partition: 'daily',
  timezone: 'Europe/Belgrade',
};

describe('scheduled start', () => {
  beforeEach(() => {
    sfnMock.reset();
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it("derives the run date from the scheduled time on the schedule's wall clock", () => {
    // 00:30 in Belgrade on March 12th is still March 11th in UTC
    expect(scheduledRunDate('2019-03-11T23:30:00Z', config)).toBe('2019-03-12');
    expect(scheduledRunDate('2019-03-11T23:30:00Z', { ...config, timezone: 'UTC' })).toBe('2019-03-11');
    expect(scheduledRunDate('2019-03-12T04:00:00Z', { partition: 'hourly', timezone: 'UTC' })).toBe('2019-03-12T04');
    expect(() => scheduledRunDate('<aws.scheduler.scheduled-time>', config)).toThrow(/not an ISO-8601 time/);
  });

  it('starts <workflow>-<date> and treats a repeated delivery as a duplicate', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:exec', startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    // Act
    const first = await startScheduledRun({ scheduledTime: '2019-03-12T01:00:00Z' }, { sfn, config });
    const again = await startScheduledRun({ scheduledTime: '2019-03-12T01:00:00Z' }, { sfn, config });

    // Assess
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: config.stateMachineArn,
      name: 'player-analytics-2019-03-12',
      input: '{"date":"2019-03-12"}',
    });
    expect([first.started, again.started]).toEqual([true, false]);
  });

  it('reads its configuration from the environment, UTC by default', () => {
    const env = { WORKFLOW: 'w', STATE_MACHINE_ARN: 'arn', PARTITION: 'hourly' };
    expect(scheduleConfig(env)).toEqual({ workflow: 'w', stateMachineArn: 'arn', partition: 'hourly', timezone: 'UTC' });
  });
});
