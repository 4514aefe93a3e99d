// `status` of a run that waits across dates names the marker objects of the run's real date:
// yesterday's own marker, or the 24 hourly markers (first .. last). Step Functions is mocked.
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { renderStatus, runStatus } from '../../generator/ops/status.ts';
import { History, serveHistories } from './history-builder.ts';
import { execArn, mocks, testAws } from './support.ts';

const { workflow } = compilePaths(['workflows/events-rollup.yaml']).compiled[0];

describe('status: waits across dates', () => {
  const { sfn } = mocks();

  async function statusWaitingIn(state: string) {
    sfn.reset();
    const arn = execArn('events-rollup-2020-03-01');
    const h = new History();
    h.add('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify({ date: '2020-03-01' }) } });
    h.pass('daily_rollup selected?', 'Choice');
    h.enter(state);
    h.scheduled(undefined, 21_600);
    h.submitted();
    serveHistories(sfn, new Map([[arn, h.events]]));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: 'arn:sm', name: 'events-rollup-2020-03-01', status: 'RUNNING', startDate: new Date(0), input: JSON.stringify({ date: '2020-03-01' }) });
    return runStatus(await testAws(), arn, workflow, 60_000);
  }

  it("names yesterday's marker of the job itself, across the leap day", async () => {
    const run = await statusWaitingIn('daily_rollup waits for daily_rollup -1d');
    const job = run.jobs.find((j) => j.job === 'daily_rollup')!;
    expect(job).toMatchObject({ status: 'waiting', waitingFor: 'daily_rollup -1d', waitingKeys: ['s3://acme-job-markers/done/daily_rollup__20200229.done'] });
    expect(renderStatus(run).join('\n')).toContain('waiting (daily_rollup -1d: s3://acme-job-markers/done/daily_rollup__20200229.done)');
  });

  it("names the 24 hourly markers of the run's date", async () => {
    const run = await statusWaitingIn('daily_rollup waits for events (hourly)');
    const job = run.jobs.find((j) => j.job === 'daily_rollup')!;
    expect(job.waitingKeys).toHaveLength(24);
    expect(renderStatus(run).join('\n')).toContain('waiting (events (hourly): s3://acme-job-markers/done/events__2020030100.done .. s3://acme-job-markers/done/events__2020030123.done, 24 markers)');
  });
});
