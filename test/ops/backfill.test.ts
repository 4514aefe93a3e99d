import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  StartExecutionCommand,
  type ExecutionListItem,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { planBackfill, runBackfill, type BackfillEvent } from '../../generator/ops/backfill.ts';
import { dateRange, parseRunDate } from '../../generator/dates.ts';
import { SM_ARN, execArn, mocks, noSleep, testAws } from './support.ts';

const WF = 'player-analytics';
const days = (from: string, to: string) => dateRange(parseRunDate(from, 'daily'), parseRunDate(to, 'daily'), 'daily');
const item = (name: string, status: ExecutionStatus, startDay = 1): ExecutionListItem => ({
  name,
  status,
  executionArn: execArn(name),
  stateMachineArn: SM_ARN,
  startDate: new Date(Date.UTC(2019, 3, startDay)),
});

/**
 * A fake Step Functions: each started run stays RUNNING for a number of DescribeExecution polls
 * that depends on its date, then ends as `outcome(name)`. It records how many ran at once.
 */
function simulate(sfn: ReturnType<typeof mocks>['sfn'], outcome: (name: string) => ExecutionStatus = () => 'SUCCEEDED') {
  const pollsLeft = new Map<string, number>();
  const state = { running: 0, maxRunning: 0, started: [] as string[] };
  sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
    state.started.push(input.name);
    pollsLeft.set(execArn(input.name), 1 + (Number(input.name.slice(-2)) % 3));
    state.running += 1;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    return { executionArn: execArn(input.name), startDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    const left = pollsLeft.get(input.executionArn)!;
    if (left > 0) {
      pollsLeft.set(input.executionArn, left - 1);
      return { executionArn: input.executionArn, status: 'RUNNING' };
    }
    if (left === 0) {
      pollsLeft.set(input.executionArn, -1);
      state.running -= 1;
    }
    return { executionArn: input.executionArn, status: outcome(input.executionArn.split(':').pop()!) };
  });
  return state;
}

describe('backfill plan', () => {
  it('starts new dates, leaves succeeded and running ones, reports failed ones', () => {
    const existing = [
      item(`${WF}-2019-03-02`, 'SUCCEEDED'),
      item(`${WF}-2019-03-03`, 'FAILED', 1),
      item(`${WF}-2019-03-03-replay-1`, 'SUCCEEDED', 2),
      item(`${WF}-2019-03-04`, 'RUNNING'),
      item(`${WF}-2019-03-05`, 'FAILED'),
    ];
    const plan = planBackfill(WF, days('2019-03-01', '2019-03-06'), existing, false);
    expect(plan.runs).toStrictEqual([
      { date: '2019-03-01', name: `${WF}-2019-03-01` },
      { date: '2019-03-06', name: `${WF}-2019-03-06` },
    ]);
    expect(plan.skipped.map((s) => [s.date, s.outcome])).toStrictEqual([
      ['2019-03-02', 'skipped: already succeeded'],
      ['2019-03-03', 'skipped: already succeeded'],
      ['2019-03-04', 'skipped: already running'],
      ['2019-03-05', 'skipped: failed earlier'],
    ]);
  });

  it('with --rerun-failed, reruns a failed date as its next replay (a closed name cannot be reused)', () => {
    const existing = [item(`${WF}-2019-03-05`, 'FAILED', 1), item(`${WF}-2019-03-05-replay-2`, 'ABORTED', 2)];
    const plan = planBackfill(WF, days('2019-03-05', '2019-03-05'), existing, true);
    expect(plan.runs).toStrictEqual([{ date: '2019-03-05', name: `${WF}-2019-03-05-replay-3` }]);
  });
});

describe('backfill run', () => {
  const { sfn } = mocks();
  beforeEach(() => sfn.reset());

  it.each([1, 2, 4])('never has more than %i running at once, and runs every date', async (maxConcurrent) => {
    // GIVEN 10 days, none run yet
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const state = simulate(sfn);

    // WHEN
    const results = await runBackfill({
      aws: await testAws(),
      stateMachineArn: SM_ARN,
      workflow: WF,
      dates: days('2019-03-01', '2019-03-10'),
      maxConcurrent,
      pollMs: 1000,
      sleep: noSleep,
    });

    // THEN
    expect(state.maxRunning).toBe(maxConcurrent);
    expect(state.started).toHaveLength(10);
    expect(results.map((r) => r.outcome)).toStrictEqual(Array(10).fill('succeeded'));
    expect(results.map((r) => r.date)).toStrictEqual(days('2019-03-01', '2019-03-10').map((d) => d.text));
  });

  it('starts runs with the date (and params) as input, skips dates already succeeded, reads every page of the listing', async () => {
    // GIVEN the 2nd succeeded earlier, listed on the second page
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [item('hand-made', 'SUCCEEDED')], nextToken: 'page2' })
      .resolvesOnce({ executions: [item(`${WF}-2019-03-02`, 'SUCCEEDED')] });
    const state = simulate(sfn);
    const events: BackfillEvent[] = [];

    // WHEN
    const results = await runBackfill({
      aws: await testAws(),
      stateMachineArn: SM_ARN,
      workflow: WF,
      dates: days('2019-03-01', '2019-03-03'),
      maxConcurrent: 5,
      pollMs: 1000,
      params: { mode: 'full' },
      sleep: noSleep,
      onEvent: (e) => events.push(e),
    });

    // THEN
    expect(state.started).toStrictEqual([`${WF}-2019-03-01`, `${WF}-2019-03-03`]);
    const inputs = sfn.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input!));
    expect(inputs).toStrictEqual([
      { date: '2019-03-01', params: { mode: 'full' } },
      { date: '2019-03-03', params: { mode: 'full' } },
    ]);
    expect(results.map((r) => `${r.date} ${r.outcome}`)).toStrictEqual([
      '2019-03-01 succeeded',
      '2019-03-02 skipped: already succeeded',
      '2019-03-03 succeeded',
    ]);
    expect(events[0]).toMatchObject({ type: 'skipped' });
    expect(events.filter((e) => e.type === 'started')).toHaveLength(2);
  });

  it('reports failed runs and carries on with the other dates', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    simulate(sfn, (name) => (name.endsWith('03-02') ? 'FAILED' : 'SUCCEEDED'));

    const results = await runBackfill({ aws: await testAws(), stateMachineArn: SM_ARN, workflow: WF, dates: days('2019-03-01', '2019-03-03'), maxConcurrent: 1, pollMs: 1, sleep: noSleep });

    expect(results.map((r) => r.outcome)).toStrictEqual(['succeeded', 'failed', 'succeeded']);
  });

  it('leaves a date alone when someone starts it between the listing and the start', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const results = await runBackfill({ aws: await testAws(), stateMachineArn: SM_ARN, workflow: WF, dates: days('2019-03-01', '2019-03-01'), maxConcurrent: 1, pollMs: 1, sleep: noSleep });

    expect(results).toStrictEqual([{ date: '2019-03-01', name: `${WF}-2019-03-01`, outcome: 'skipped: already running', executionArn: execArn(`${WF}-2019-03-01`) }]);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });
});
