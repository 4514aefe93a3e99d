// Backfill of a workflow whose jobs wait for its own past (ops/past-order.ts): a date starts only
// once the earlier dates it waits for have finished, whatever --max-concurrent allows, and a date
// whose earlier date failed is not started. Step Functions is mocked at the API boundary.
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { dateRange, parseRunDate } from '../../generator/dates.ts';
import { runBackfill } from '../../generator/ops/backfill.ts';
import { datesBefore, pastOffsets } from '../../generator/ops/past-order.ts';
import { SM_ARN, execArn, mocks, noSleep, testAws } from './support.ts';

const WF = 'events-rollup';
const { workflow } = compilePaths(['workflows/events-rollup.yaml']).compiled[0];
const days = (from: string, to: string) => dateRange(parseRunDate(from, 'daily'), parseRunDate(to, 'daily'), 'daily');

let sfn: ReturnType<typeof mocks>['sfn'];
beforeEach(() => {
  ({ sfn } = mocks());
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
});

/** Each run stays RUNNING for two polls, then ends as `outcome`; records the order of starts and ends. */
function fakeRuns(outcome: (name: string) => ExecutionStatus = () => 'SUCCEEDED') {
  const polls = new Map<string, number>();
  const log: string[] = [];
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    log.push(`start ${input.name.slice(WF.length + 1)}`);
    polls.set(execArn(input.name), 2);
    return { executionArn: execArn(input.name), startDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    const left = polls.get(input.executionArn)!;
    const name = input.executionArn.split(':').pop()!;
    polls.set(input.executionArn, left - 1);
    if (left > 0) return { executionArn: input.executionArn, status: 'RUNNING' };
    if (left === 0) log.push(`end ${name.slice(WF.length + 1)}`);
    return { executionArn: input.executionArn, status: outcome(name) };
  });
  return log;
}

describe('backfill: jobs that wait for their own past', () => {
  it('reads the offsets from the workflow: -1d and -7d of its own jobs, not other producers', () => {
    expect(pastOffsets(workflow)).toEqual([-24, -168]);
    expect(datesBefore(parseRunDate('2020-03-01', 'daily'), [-24, -168], 'daily')).toEqual(['2020-02-29', '2020-02-23']);
  });

  it('starts each date after the run of the day before has ended, even with room for more', async () => {
    const log = fakeRuns();
    const dates = days('2019-03-01', '2019-03-04');

    const results = await runBackfill({
      aws: await testAws(),
      stateMachineArn: SM_ARN,
      workflow: WF,
      dates,
      maxConcurrent: 4,
      pollMs: 1000,
      sleep: noSleep,
      dependsOn: (d) => datesBefore(d, pastOffsets(workflow), 'daily'),
    });

    expect(results.map((r) => r.outcome)).toEqual(Array(4).fill('succeeded'));
    expect(log).toEqual(['start 2019-03-01', 'end 2019-03-01', 'start 2019-03-02', 'end 2019-03-02', 'start 2019-03-03', 'end 2019-03-03', 'start 2019-03-04', 'end 2019-03-04']);
  });

  it('runs dates that do not depend on each other side by side (a -7d chain)', async () => {
    const log = fakeRuns();
    await runBackfill({ aws: await testAws(), stateMachineArn: SM_ARN, workflow: WF, dates: days('2019-03-01', '2019-03-09'), maxConcurrent: 7, pollMs: 1000, sleep: noSleep, dependsOn: (d) => datesBefore(d, [-168], 'daily') });

    // THEN the first seven start at once; the 8th and 9th wait for the 1st and 2nd
    expect(log.slice(0, 7)).toEqual(days('2019-03-01', '2019-03-07').map((d) => `start ${d.text}`));
    expect(log.indexOf('start 2019-03-08')).toBeGreaterThan(log.indexOf('end 2019-03-01'));
    expect(log.indexOf('start 2019-03-09')).toBeGreaterThan(log.indexOf('end 2019-03-02'));
  });

  it('does not start the dates after a failed one; their waits could only time out', async () => {
    const log = fakeRuns((name) => (name.endsWith('2019-03-02') ? 'FAILED' : 'SUCCEEDED'));
    const results = await runBackfill({ aws: await testAws(), stateMachineArn: SM_ARN, workflow: WF, dates: days('2019-03-01', '2019-03-04'), maxConcurrent: 2, pollMs: 1000, sleep: noSleep, dependsOn: (d) => datesBefore(d, [-24], 'daily') });

    expect(results.map((r) => `${r.date} ${r.outcome}`)).toEqual(['2019-03-01 succeeded', '2019-03-02 failed', '2019-03-03 skipped: an earlier date failed', '2019-03-04 skipped: an earlier date failed']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start 2019-03-01', 'start 2019-03-02']);
  });
});
