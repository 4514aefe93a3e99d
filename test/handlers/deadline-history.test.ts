// The deadline handler learning durations from past runs (mocked Step Functions): at a run's arm it
// lists the workflow's last successful runs once, reads their histories, and judges with the median
// per job; the figures ride in the schedule's input, so later checkpoints read only the watched
// run. The alert says where the figures came from.
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import type { CheckRequest } from '../../generator/contract/deadline-watch.ts';
import { deadlineConfig, watchDeadlines, type DeadlineDeps } from '../../handlers/deadline-watch.ts';
import { FIGURES_BUDGET, learnDurations } from '../../handlers/learned-durations.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const scheduler = new SchedulerClient({ region: 'eu-west-1', credentials });
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const sns = new SNSClient({ region: 'eu-west-1', credentials });
const schedulerMock = mockClient(scheduler);
const sfnMock = mockClient(sfn);
const snsMock = mockClient(sns);

// bi-deadlines: run by 06:00, bi_import by 05:30 Belgrade (04:30 UTC); the run starts at 00:00 UTC.
// Estimates: load_orders 40m, load_events 10m, revenue 1h30m, bi_import 10m, dashboards 5m.
const plan = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0].manifest.deadlines!;
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:bi-deadlines';
const execution = (date: string): string => `arn:aws:states:eu-west-1:123456789012:execution:bi-deadlines:bi-deadlines-${date}`;
const EXECUTION = execution('2019-03-12');
const START = '2019-03-12T00:00:00.000Z';
const utc = (hhmm: string, day = 12): number => Date.parse(`2019-03-${String(day).padStart(2, '0')}T${hhmm}:00Z`);

function deps(now: () => number, learning?: DeadlineDeps['learning']): DeadlineDeps {
  return {
    scheduler,
    sfn,
    sns: () => sns,
    secrets: () => new SecretsManagerClient({ region: 'eu-west-1', credentials }),
    fetch: globalThis.fetch,
    config: deadlineConfig({ WORKFLOW: 'bi-deadlines', SCHEDULE_GROUP: 'stepgraph-bi-deadlines', SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/r', SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:data-alerts' }, plan),
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:deadline',
    now,
    ...(learning && { learning }),
  };
}

let id = 0;
const ev = (type: string, ms: number, details: Partial<HistoryEvent>): HistoryEvent => ({ id: ++id, type, timestamp: new Date(ms), ...details }) as HistoryEvent;
/** A job's Task from `from` to `to` (minutes after `base`), then its marker write. */
const job = (name: string, base: number, from: number, to: number): HistoryEvent[] => [
  ev('TaskStateEntered', base + from * 60_000, { stateEnteredEventDetails: { name } }),
  ev('TaskStateExited', base + to * 60_000, { stateExitedEventDetails: { name } }),
  ev('TaskStateEntered', base + to * 60_000, { stateEnteredEventDetails: { name: `${name} done` } }),
  ev('TaskStateExited', base + to * 60_000, { stateExitedEventDetails: { name: `${name} done` } }),
];

/** A past successful run of day `day` whose revenue took `revenue` minutes (the others as estimated). */
function pastRun(day: number, revenue: number): HistoryEvent[] {
  const base = utc('00:00', day);
  return [...job('load_orders', base, 0, 40), ...job('load_events', base, 0, 10), ...job('revenue', base, 40, 40 + revenue), ...job('bi_import', base, 40 + revenue, 50 + revenue), ...job('dashboards', base, 50 + revenue, 55 + revenue)];
}

/** Ten past runs, days 2..11: revenue took 3h30m, but once 8h (one slow night the median ignores). */
function pastRuns(): void {
  const days = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
  sfnMock.on(ListExecutionsCommand).resolves({ executions: days.map((d) => ({ executionArn: execution(`2019-03-${String(d).padStart(2, '0')}`), stateMachineArn: MACHINE, name: `bi-deadlines-2019-03-${d}`, status: 'SUCCEEDED', startDate: new Date(utc('00:00', d)) })) });
  for (const d of days) sfnMock.on(GetExecutionHistoryCommand, { executionArn: execution(`2019-03-${String(d).padStart(2, '0')}`) }).resolves({ events: pastRun(d, d === 6 ? 480 : 210) });
}

const createdInput = (n = 0): CheckRequest => JSON.parse(schedulerMock.commandCalls(CreateScheduleCommand)[n].args[0].input.Target!.Input!) as CheckRequest;

beforeEach(() => {
  schedulerMock.reset();
  sfnMock.reset();
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  schedulerMock.on(CreateScheduleCommand).resolves({});
  schedulerMock.on(DeleteScheduleCommand).resolves({});
});

describe('durations learned from past runs', () => {
  it('a run the estimates call on time is behind by its last 10 runs: the alert says where the figures came from', async () => {
    pastRuns();
    // WHEN the run is armed at its start
    await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps(() => utc('00:00')));
    // THEN the last 10 successful runs were listed once and read
    expect(sfnMock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([{ stateMachineArn: MACHINE, statusFilter: 'SUCCEEDED', maxResults: 10 }]);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(10);
    // AND the schedule carries the medians (revenue 3h30m: the 8h night does not move it)
    const armed = createdInput();
    expect(armed.figures).toEqual({ runs: 10, seconds: { load_orders: 2400, load_events: 600, revenue: 12600, bi_import: 600, dashboards: 300 } });
    // AND the first look is when load_orders must start for bi_import at 04:30 UTC on those figures: 04:30 - 10m - 3h30m - 40m = 00:10
    expect(schedulerMock.commandCalls(CreateScheduleCommand)[0].args[0].input.ScheduleExpression).toBe('at(2019-03-12T00:11:00)');

    // WHEN the schedule fires at 01:30 UTC: load_orders took 1h20m, revenue began at 01:20
    const base = utc('00:00');
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: '{"date":"2019-03-12"}' });
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: EXECUTION }).resolves({ events: [...job('load_orders', base, 0, 80), ...job('load_events', base, 0, 10), ev('TaskStateEntered', base + 80 * 60_000, { stateEnteredEventDetails: { name: 'revenue' } })] });
    const result = await watchDeadlines(armed, deps(() => utc('01:30')));

    // THEN revenue's 3h30m puts bi_import at 05:00 UTC (06:00 Belgrade): behind, where its estimate (1h30m) would say 04:00, on time
    const text = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(text).toContain('job bi_import: expected 06:00 from the last 10 runs, deadline 05:30, behind: revenue (critical path left: revenue -> bi_import)');
    expect(text).toContain('durations from the last 10 runs');
    expect(result.alerts).toHaveLength(1);
    // AND the figures ride on to the next checkpoint
    expect(createdInput(1).figures).toEqual(armed.figures);
  });

  it('API calls per run: past runs are read once, at the arm; each checkpoint reads only the watched run', async () => {
    pastRuns();
    const base = utc('00:00');
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: EXECUTION }).resolves({ events: [...job('load_orders', base, 0, 40), ...job('load_events', base, 0, 10)] });
    // GIVEN a run armed at its start, then woken at every checkpoint it schedules until the watch ends
    await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps(() => base));
    let looks = 0;
    for (let n = 0; n < schedulerMock.commandCalls(CreateScheduleCommand).length && looks < 20; n++) {
      const request = createdInput(n);
      const at = Date.parse(`${schedulerMock.commandCalls(CreateScheduleCommand)[n].args[0].input.ScheduleExpression!.slice(3, -1)}Z`);
      await watchDeadlines(request, deps(() => at));
      looks++;
    }
    await watchDeadlines({ action: 'end', execution: EXECUTION }, deps(() => utc('05:10')));
    // THEN: one listing and ten past histories for the whole run, then one description and one history per look
    expect(looks).toBeGreaterThan(2);
    expect(sfnMock.commandCalls(ListExecutionsCommand)).toHaveLength(1);
    const histories = sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.executionArn);
    expect(histories.filter((a) => a !== EXECUTION)).toHaveLength(10);
    expect(histories.filter((a) => a === EXECUTION)).toHaveLength(looks);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(looks);
  });

  it('a job no past run shows at work keeps its estimate; no past run at all: the estimates alone, and the alert names no source', async () => {
    // GIVEN past runs that were replays of the loads only (revenue and the rest skipped)
    const base = utc('00:00', 11);
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: execution('2019-03-11'), stateMachineArn: MACHINE, name: 'x', status: 'SUCCEEDED', startDate: new Date(base) }] });
    sfnMock.on(GetExecutionHistoryCommand, { executionArn: execution('2019-03-11') }).resolves({ events: [...job('load_orders', base, 0, 100), ...job('load_events', base, 0, 10)] });
    await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps(() => utc('00:00')));
    expect(createdInput().figures).toEqual({ runs: 1, seconds: { load_orders: 6000, load_events: 600 } });
    // bi_import's latest start of load_orders on load_orders 1h40m and revenue's estimate 1h30m: 04:30 - 10m - 1h30m - 1h40m = 01:10
    expect(schedulerMock.commandCalls(CreateScheduleCommand)[0].args[0].input.ScheduleExpression).toBe('at(2019-03-12T01:11:00)');

    schedulerMock.resetHistory();
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps(() => utc('00:00')));
    expect(createdInput().figures).toBeUndefined();
    expect(schedulerMock.commandCalls(CreateScheduleCommand)[0].args[0].input.ScheduleExpression).toBe('at(2019-03-12T02:11:00)');
  });

  it('bounded by a time budget: past it, the runs read so far make the figures', async () => {
    pastRuns();
    // Each look at the clock is 5 s later: the budget starts at 5 s and ends at 22 s; the looks before runs at 10, 15 and 20 s read three.
    let t = utc('00:00');
    await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps(() => (t += 5000), { runs: 10, budgetMs: 17_000 }));
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(3);
    expect(createdInput().figures?.runs).toBe(3);
  });

  it('a listing Step Functions refuses leaves the estimates and does not fail the run it arms', async () => {
    sfnMock.on(ListExecutionsCommand).rejects(new Error('AccessDeniedException'));
    const result = await watchDeadlines({ action: 'arm', execution: EXECUTION, startTime: START, input: {} }, deps(() => utc('00:00')));
    expect(result.outcome).toBe('armed');
    expect(createdInput().figures).toBeUndefined();
  });
});

describe('figures that would not fit the schedule input', () => {
  it('keep the longest jobs (they decide the critical path) within the budget; the others keep their estimates', async () => {
    // GIVEN a plan of 600 jobs with long names, each seen in one past run taking its index in seconds
    const names = Array.from({ length: 600 }, (_, i) => `job_with_a_rather_long_descriptive_name_${String(i).padStart(3, '0')}`);
    const big = { timezone: 'UTC', run: { afterSeconds: 3600 }, jobs: names.map((name) => ({ name, needs: [], estimateSeconds: 60 })) };
    const base = utc('00:00', 11);
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: execution('2019-03-11'), stateMachineArn: MACHINE, name: 'x', status: 'SUCCEEDED', startDate: new Date(base) }] });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: names.flatMap((n, i) => [ev('TaskStateEntered', base, { stateEnteredEventDetails: { name: n } }), ev('TaskStateExited', base + (i + 1) * 1000, { stateExitedEventDetails: { name: n } })]) });
    const figures = await learnDurations(sfn, { workflow: 'bi-deadlines', plan: big, execution: EXECUTION, runs: 10, budgetMs: 20_000, now: () => base });
    const kept = Object.keys(figures!.seconds);
    expect(JSON.stringify(figures!.seconds).length).toBeLessThanOrEqual(FIGURES_BUDGET);
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.length).toBeLessThan(600);
    // the longest: the last jobs, down from 600 s
    expect(figures!.seconds[names[599]]).toBe(600);
    expect(Math.min(...Object.values(figures!.seconds))).toBe(600 - kept.length + 1);
  });
});
