// The start handler's entry as deployed (configuration from the environment, clients at module
// scope, mocked at the class) when a run's end arrives for a queued schedule.
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLogs } from './logs.ts';

const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly';
const schedule = (state: 'ENABLED' | 'DISABLED') => ({ Name: 'stepgraph-nightly', State: state, ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'UTC' });

describe('the start handler entry, as deployed, hears a run end', () => {
  const schedulerClass = mockClient(SchedulerClient);
  const sfnClass = mockClient(SFNClient);
  beforeEach(() => {
    schedulerClass.reset();
    sfnClass.reset();
    captureLogs([]);
    vi.stubEnv('WORKFLOW', 'nightly');
    vi.stubEnv('STATE_MACHINE_ARN', SM);
    vi.stubEnv('PARTITION', 'daily');
    vi.stubEnv('TIMEZONE', 'UTC');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('names a missing SCHEDULE_NAME, and reads the schedule it names', async () => {
    const { handler } = await import('../../handlers/timed-start.ts');
    vi.stubEnv('SCHEDULE_NAME', '');
    await expect(handler({ ended: `${SM}:nightly-2019-03-10` })).rejects.toMatchObject({ name: 'ConfigurationError', message: 'environment variable SCHEDULE_NAME is not set' });

    vi.stubEnv('SCHEDULE_NAME', 'stepgraph-nightly');
    schedulerClass.on(GetScheduleCommand).resolves(schedule('DISABLED'));
    expect(await handler({ ended: `${SM}:nightly-2019-03-10` })).toStrictEqual({ outcome: 'paused', started: false });
    expect(schedulerClass.commandCalls(GetScheduleCommand)[0].args[0].input).toStrictEqual({ Name: 'stepgraph-nightly' });
    expect(sfnClass.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
