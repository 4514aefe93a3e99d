import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatDuration, progressBar, table } from '../../generator/terminal/format.ts';
import { watchStep } from '../../generator/ops/status.ts';
import { execArn, mocks, testAws, workflow } from './support.ts';

describe('status --watch, one refresh', () => {
  const { sfn } = mocks();
  const wf = workflow('player-analytics', { a: {}, b: { needs: ['a'] } });
  const arn = execArn('player-analytics-2019-03-12');
  beforeEach(() => sfn.reset());

  it('renders the run and keeps watching while it runs, stops once it has closed', async () => {
    // GIVEN a running run, then the same run succeeded
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'RUNNING', startDate: new Date(0) })
      .resolvesOnce({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'SUCCEEDED', startDate: new Date(0), stopDate: new Date(60_000) });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const aws = await testAws();

    // WHEN two refreshes
    const first = await watchStep(aws, arn, wf, false, 30_000);
    const second = await watchStep(aws, arn, wf, true, 90_000);

    // THEN
    expect(first.done).toBe(false);
    expect(first.text).toContain('running for 30s');
    expect(first.text).toContain('jobs: 2 not started');
    expect(second.done).toBe(true);
    expect(JSON.parse(second.text)).toMatchObject({ status: 'SUCCEEDED', durationMs: 60_000, jobs: [{ job: 'a', status: 'not run' }, { job: 'b', status: 'not run' }] });
  });
});

describe('formatting', () => {
  it('writes durations compactly', () => {
    expect([45_000, 125_000, 3_720_000, 50 * 3_600_000].map(formatDuration)).toStrictEqual(['45s', '2m 05s', '1h 02m', '2d 02h']);
  });

  it('aligns tables without trailing spaces', () => {
    expect(table(['job', 'status', 'error'], [['a', 'succeeded', ''], ['long_name', 'failed', 'boom']])).toStrictEqual([
      'job        status     error',
      'a          succeeded',
      'long_name  failed     boom',
    ]);
  });

  it('draws a progress bar', () => {
    expect(progressBar(5, 20, 8)).toBe('[##......] 5/20');
  });
});
