// The queue's drain stops at the schedule's EndDate: a fire time past it never fired, so nothing
// was queued for it (the real SDK clients, mocked at the API boundary).
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startQueued } from '../../handlers/schedule-overlap.ts';
import { captureLogs } from './logs.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const scheduler = new SchedulerClient({ region: 'eu-west-1', credentials });
const sfnMock = mockClient(sfn);
const schedulerMock = mockClient(scheduler);
const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly';
const config = { workflow: 'nightly', stateMachineArn: SM, partition: 'daily' as const, timezone: 'UTC', scheduleName: 'stepgraph-nightly' };
const NOW = Date.parse('2019-03-12T09:00:00Z');

describe("the queue's drain and the schedule's end date", () => {
  beforeEach(() => {
    sfnMock.reset();
    schedulerMock.reset();
    captureLogs([]);
    // GIVEN the 10th's run, ended; the schedule fires daily at 02:00 UTC
    sfnMock.on(ListExecutionsCommand).callsFake((input) => ({ executions: input.statusFilter === 'RUNNING' ? [] : [{ name: 'nightly-2019-03-10', executionArn: `${SM}:nightly-2019-03-10`, stateMachineArn: SM, status: 'SUCCEEDED', startDate: new Date(0) }] }));
    sfnMock.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `${SM}:${input.name}`, startDate: new Date(NOW) }));
  });
  afterEach(() => vi.restoreAllMocks());

  const schedule = (extra: object) => ({ Name: 'stepgraph-nightly', State: 'ENABLED' as const, ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'UTC', CreationDate: new Date('2019-03-01T00:00:00Z'), ...extra });

  it('starts a fire time up to the end date', async () => {
    schedulerMock.on(GetScheduleCommand).resolves(schedule({ EndDate: new Date('2019-03-11T02:00:00Z') }));
    expect(await startQueued('nightly-2019-03-10', { sfn, scheduler, config, now: () => NOW })).toMatchObject({ outcome: 'started', date: '2019-03-11' });
  });

  it('starts none past it', async () => {
    schedulerMock.on(GetScheduleCommand).resolves(schedule({ EndDate: new Date('2019-03-11T01:59:00Z') }));
    expect(await startQueued('nightly-2019-03-10', { sfn, scheduler, config, now: () => NOW })).toStrictEqual({ outcome: 'idle', started: false });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
