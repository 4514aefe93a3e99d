// `stepgraph status` for a for_each job run as a Distributed Map: its items are its Map Run's
// child executions, absent from the run's history, so the counts come from DescribeMapRun's
// itemCounts (the SFN client mocked at the API boundary), the Map Run found by the ARN in the
// history's MapRunStarted (`...:mapRun:<machine>/<label>:<id>`, the label being the job's name).
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, DescribeMapRunCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { compilePaths } from '../../generator/compile.ts';
import { mapRunsOf } from '../../generator/ops/map-run-progress.ts';
import { renderStatus, runStatus } from '../../generator/ops/status.ts';
import { History } from '../ops/history-builder.ts';
import { mocks, testAws } from '../ops/support.ts';

const { workflow } = compilePaths(['workflows/object-scans.yaml']).compiled[0];
const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:object-scans:object-scans-2019-03-12';
const MAP_RUN = 'arn:aws:states:eu-west-1:123456789012:mapRun:object-scans/scan_object:4f1e2d3c-0000-4000-8000-000000000001';
const OTHER_RUN = 'arn:aws:states:eu-west-1:123456789012:mapRun:object-scans/reindex_prefix:4f1e2d3c-0000-4000-8000-000000000002';

function history(end?: 'MapRunFailed'): History {
  const h = new History();
  h.add('ExecutionStarted');
  h.job('list_objects');
  h.enter('Parallel (scan_object, reindex_prefix)', 'Parallel');
  h.pass('scan_object selected?', 'Choice');
  h.pass('scan_object has items?', 'Choice');
  h.enter('scan_object', 'Map');
  h.add('MapStateStarted', { mapStateStartedEventDetails: { length: 0 } });
  h.add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: MAP_RUN } });
  h.pass('reindex_prefix selected?', 'Choice');
  h.enter('reindex_prefix', 'Map');
  h.add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: OTHER_RUN } });
  if (end) h.add(end, { mapRunFailedEventDetails: { error: 'States.ExceedToleratedFailureThreshold' } });
  return h;
}

const { sfn } = mocks();
afterEach(() => sfn.reset());

describe('status of a distributed for_each job', () => {
  it('finds each job’s Map Run by the label in its ARN', () => {
    expect([...mapRunsOf(history().events, workflow)]).toEqual([
      ['scan_object', MAP_RUN],
      ['reindex_prefix', OTHER_RUN],
    ]);
  });

  it("shows the Map Run's item counts: succeeded, failed (timed out included), running, not started, and the tolerance", async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: ARN, stateMachineArn: 'arn:sm', status: 'RUNNING', startDate: new Date(0) });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history().events });
    sfn
      .on(DescribeMapRunCommand, { mapRunArn: MAP_RUN })
      .resolves({ itemCounts: { pending: 1000, running: 200, succeeded: 3790, failed: 8, timedOut: 2, aborted: 0, total: 5000, resultsWritten: 0 } } as never)
      .on(DescribeMapRunCommand, { mapRunArn: OTHER_RUN })
      .resolves({ itemCounts: { pending: 0, running: 1, succeeded: 1, failed: 0, timedOut: 0, aborted: 0, total: 2, resultsWritten: 0 } } as never);
    const run = await runStatus(await testAws(), ARN, workflow);
    const scan = run.jobs.find((j) => j.job === 'scan_object')!;
    expect(scan.items).toEqual({ items: 5000, started: 4000, succeeded: 3790, failed: 10, running: 200, tolerated: '1%' });
    expect(run.jobs.find((j) => j.job === 'reindex_prefix')!.items).toEqual({ items: 2, started: 2, succeeded: 1, failed: 0, running: 1 });
    expect(renderStatus(run).some((l) => l.includes('5000 items: 3790 succeeded, 10 failed, 200 running, 1000 not started (1% tolerated)'))).toBe(true);
    expect(sfn.commandCalls(DescribeMapRunCommand)).toHaveLength(2);
  });

  it('reads no Map Run for a run with none', async () => {
    const h = new History();
    h.add('ExecutionStarted');
    h.job('list_objects');
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: ARN, stateMachineArn: 'arn:sm', status: 'RUNNING', startDate: new Date(0) });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });
    const run = await runStatus(await testAws(), ARN, workflow);
    expect(run.jobs.find((j) => j.job === 'scan_object')!.items).toBeUndefined();
    expect(sfn.commandCalls(DescribeMapRunCommand)).toHaveLength(0);
  });
});
