// The deadline handler against mocked AWS clients: arming creates the run's one-time schedule at
// the first checkpoint, a checkpoint reads the execution and alerts on what is behind or missed,
// then moves the schedule on or deletes it; the run's end deletes it; a replay is not watched.
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import type { CheckRequest } from '../../generator/contract/deadline-watch.ts';
import { deadlineConfig, watchDeadlines, type DeadlineDeps } from '../../handlers/deadline-watch.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const scheduler = new SchedulerClient({ region: 'eu-west-1', credentials });
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const sns = new SNSClient({ region: 'eu-west-1', credentials });
const schedulerMock = mockClient(scheduler);
const sfnMock = mockClient(sfn);
const snsMock = mockClient(sns);

// bi-deadlines: run by 06:00, bi_import by 05:30 Belgrade; the run starts at 01:00 (00:00 UTC).
const plan = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0].manifest.deadlines!;
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:bi-deadlines:bi-deadlines-2019-03-12';
const START = '2019-03-12T00:00:00.000Z';
const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:stepgraph-bi-deadlines-deadline';
const ROLE = 'arn:aws:iam::123456789012:role/stepgraph-bi-deadlines-scheduler';
const utc = (hhmm: string): number => Date.parse(`2019-03-12T${hhmm}:00Z`);

function deps(nowUtc: string): DeadlineDeps {
  return {
    scheduler,
    sfn,
    sns: () => sns,
    secrets: () => new SecretsManagerClient({ region: 'eu-west-1', credentials }),
    fetch: globalThis.fetch,
    config: deadlineConfig({ WORKFLOW: 'bi-deadlines', SCHEDULE_GROUP: 'stepgraph-bi-deadlines', SCHEDULER_ROLE_ARN: ROLE, SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:data-alerts' }, plan),
    functionArn: FUNCTION,
    now: () => utc(nowUtc),
  };
}

let id = 0;
const at = (hhmm: string) => new Date(utc(hhmm));
const entered = (name: string, when: string) => ({ id: ++id, type: 'TaskStateEntered', timestamp: at(when), stateEnteredEventDetails: { name } }) as HistoryEvent;
const exited = (name: string, when: string) => ({ id: ++id, type: 'TaskStateExited', timestamp: at(when), stateExitedEventDetails: { name } }) as HistoryEvent;
const job = (name: string, from: string, to: string) => [entered(name, from), exited(name, to), entered(`${name} done`, to), exited(`${name} done`, to)];

/** Loads done 00:00-00:40 UTC; revenue began at 00:40 and has not finished. */
const revenueRunning = [...job('load_orders', '00:00', '00:40'), ...job('load_events', '00:00', '00:10'), entered('revenue', '00:40')];
const check = (sent: string[] = []): CheckRequest => ({ action: 'check', execution: EXECUTION, startTime: START, sent });

beforeEach(() => {
  schedulerMock.reset();
  sfnMock.reset();
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/stepgraph-bi-deadlines/bi-deadlines-2019-03-12' });
  schedulerMock.on(DeleteScheduleCommand).resolves({});
});

describe('arm', () => {
  it('creates the run schedule at the first checkpoint, in the workflow group, targeting this function through the Scheduler role', async () => {
    const result = await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: { date: '2019-03-12' } as never }, deps('00:00'));
    expect(result.outcome).toBe('armed');
    const [call] = schedulerMock.commandCalls(CreateScheduleCommand);
    const input = call.args[0].input;
    // bi_import by 05:30 (04:30 UTC): load_orders must start by 04:30 - 2h20m = 02:10 UTC; the first look is the minute after.
    expect(input).toMatchObject({
      Name: 'bi-deadlines-2019-03-12',
      GroupName: 'stepgraph-bi-deadlines',
      ScheduleExpression: 'at(2019-03-12T02:11:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: { Arn: FUNCTION, RoleArn: ROLE },
    });
    expect(JSON.parse(input.Target!.Input!)).toEqual({ action: 'check', execution: EXECUTION, startTime: START, sent: [] });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('a retried arm that finds its schedule is armed all the same', async () => {
    schedulerMock.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await expect(watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps('00:00'))).resolves.toMatchObject({ outcome: 'armed' });
  });

  it('a replay (input with select) is not watched: nothing is scheduled', async () => {
    const result = await watchDeadlines({ action: 'arm', execution: `${EXECUTION}-replay-1`, startTime: START, input: { select: { revenue: true } } }, deps('00:00'));
    expect(result.outcome).toBe('not watched');
    expect(schedulerMock.calls()).toHaveLength(0);
  });
});

describe('check', () => {
  it('alerts when the critical path left ends past a deadline, then moves the schedule to the next checkpoint', async () => {
    // GIVEN revenue (1h30m estimate) still running at 04:21 UTC (05:21 Belgrade)
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: '{"date":"2019-03-12"}' });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueRunning });

    // WHEN the schedule fires
    const result = await watchDeadlines(check(), deps('04:21'));

    // THEN bi_import is behind (05:22 + 10m > 05:30): the alert names revenue and the path left; the run (05:37) is on time
    expect(result.alerts).toHaveLength(1);
    const message = snsMock.commandCalls(PublishCommand)[0].args[0].input;
    expect(message.Subject).toBe('stepgraph: bi-deadlines 2019-03-12 bi_import behind deadline');
    expect(message.Message).toContain('job bi_import: expected 05:32, deadline 05:30, behind: revenue (critical path left: revenue -> bi_import)');
    expect(message.Message).toContain('Other deadlines:\n  run: expected 05:37, deadline 06:00, on time');
    // AND the schedule is replaced by one at the next checkpoint carrying what was sent
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)[0].args[0].input).toEqual({ Name: 'bi-deadlines-2019-03-12', GroupName: 'stepgraph-bi-deadlines' });
    const created = schedulerMock.commandCalls(CreateScheduleCommand)[0].args[0].input;
    expect(created.ScheduleExpression).toBe('at(2019-03-12T04:30:00)');
    expect(JSON.parse(created.Target!.Input!).sent).toEqual(['bi_import behind']);
  });

  it('a graph split for size: the jobs of its child executions count too', async () => {
    // GIVEN a main history whose Part Task started the child run that holds revenue and bi_import, both done
    const CHILD = 'arn:aws:states:eu-west-1:123456789012:execution:bi-deadlines-part-1:bi-deadlines-2019-03-12-part-1';
    const submitted = { id: ++id, type: 'TaskSubmitted', timestamp: at('00:40'), taskSubmittedEventDetails: { resource: 'startExecution.sync:2', resourceType: 'states', output: JSON.stringify({ ExecutionArn: CHILD }) } } as HistoryEvent;
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: EXECUTION }).resolves({ events: [...job('load_orders', '00:00', '00:40'), ...job('load_events', '00:00', '00:10'), submitted] });
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: CHILD }).resolves({ events: [...job('revenue', '00:40', '02:10'), ...job('bi_import', '02:10', '02:20')] });
    // WHEN the schedule fires at 04:21 UTC with dashboards not begun
    const result = await watchDeadlines(check(), deps('04:21'));
    // THEN bi_import met its deadline in the child, and the run (05:22 + 5m) is on time: no alert
    expect(result.verdicts!.map((v) => v.status)).toEqual(['on time', 'met']);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('does not alert twice for the same deadline and status', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueRunning });
    const result = await watchDeadlines(check(['run behind', 'bi_import behind']), deps('04:26'));
    expect(result.alerts).toEqual([]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('a failed run past its deadline: missed, naming the jobs not done; no further checkpoint, the schedule goes', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', input: '{"date":"2019-03-12"}' });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [...revenueRunning, { id: ++id, type: 'ExecutionFailed', timestamp: at('01:00') } as HistoryEvent] });
    const result = await watchDeadlines(check(['run behind', 'bi_import behind', 'bi_import missed']), deps('05:00'));
    expect(result.next).toBeUndefined();
    const text = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(text).toContain('run: deadline 06:00 missed, not done: revenue, bi_import, dashboards (critical path left: revenue -> bi_import -> dashboards), expected 07:45');
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)).toHaveLength(1);
  });

  it('a run that already succeeded only loses its schedule', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const result = await watchDeadlines(check(), deps('02:11'));
    expect(result.outcome).toBe('checked');
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)).toHaveLength(1);
  });

  it('an alert SNS refuses fails the invocation, so Scheduler retries it', async () => {
    snsMock.on(PublishCommand).rejects(new Error('AuthorizationError'));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueRunning });
    await expect(watchDeadlines(check(), deps('04:21'))).rejects.toThrow(/could not deliver the deadline alert: AuthorizationError/);
    // Nothing was rescheduled: the retry judges again and alerts again.
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });
});

describe('end', () => {
  it('deletes the run schedule, and a schedule already gone is fine', async () => {
    schedulerMock.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await expect(watchDeadlines({ action: 'end', execution: EXECUTION }, deps('02:30'))).resolves.toEqual({ outcome: 'ended' });
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)[0].args[0].input.Name).toBe('bi-deadlines-2019-03-12');
  });

  it('an unknown action is refused by name', async () => {
    await expect(watchDeadlines({ action: 'poll' } as never, deps('02:30'))).rejects.toThrow(/unknown deadline request "poll"/);
  });
});
