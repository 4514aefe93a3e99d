// `stepgraph status` shows a for_each job's items from its run's history: how many the Map has,
// started, succeeded, failed (an item caught under tolerated_failures counts as failed), running,
// and what the job tolerates; a job past its tolerance failed in `J failed` with the count's cause.
// The histories are written with the event types and details of the Step Functions API reference
// (MapStateStarted.length; MapIteration{Started,Succeeded,Failed,Aborted} with the Map's name and
// the item's index; an inline Map's iteration states in the same history).
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { renderStatus, runStatusOf } from '../../generator/ops/status.ts';
import { failStateOf, redriveEligibility } from '../../generator/ops/redrive.ts';
import { History } from '../ops/history-builder.ts';

const { workflow } = compilePaths(['workflows/store-exports.yaml']).compiled[0];
const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:store-exports:store-exports-2019-03-12';

/** The run up to export_store's Map, then its items as `items` says (ok, caught, failing task, running). */
function history(items: ('ok' | 'caught' | 'running')[], length = items.length): History {
  const h = new History();
  h.add('ExecutionStarted');
  h.job('list_stores');
  h.enter('Parallel (export_store, refresh_thumbnails)', 'Parallel');
  h.pass('export_store selected?', 'Choice');
  h.pass('export_store has items?', 'Choice');
  h.enter('export_store', 'Map');
  h.add('MapStateStarted', { mapStateStartedEventDetails: { length } });
  items.forEach((what, index) => {
    h.add('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'export_store', index } });
    if (what === 'ok') h.task('export_store item');
    else if (what === 'caught') {
      // Its two attempts fail; the Catch after the Retry hands the item to `export_store item failed`.
      const last = h.failingTask('export_store item', 2, 'Lambda.Unknown', (n) => `attempt ${n}`);
      h.add('TaskStateExited', { stateExitedEventDetails: { name: 'export_store item' } }, last);
      h.pass('export_store item failed');
    } else h.enter('export_store item');
    if (what !== 'running') h.add('MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: 'export_store', index } });
  });
  return h;
}
const status = (h: History, execution: Partial<DescribeExecutionOutput>) =>
  runStatusOf({ executionArn: ARN, stateMachineArn: 'arn:sm', startDate: new Date(0), status: 'RUNNING', ...execution } as DescribeExecutionOutput, [{ executionArn: ARN, events: h.events }], workflow, 'eu-west-1', 3_600_000);

describe('status of a for_each job', () => {
  it('shows the items of a running Map: succeeded, failed (caught), running, not started, and the tolerance', () => {
    const run = status(history(['ok', 'caught', 'running'], 4), {});
    const exports = run.jobs.find((j) => j.job === 'export_store')!;
    expect(exports.status).toBe('running');
    expect(exports.items).toEqual({ items: 4, started: 3, succeeded: 1, failed: 1, running: 1, tolerated: '10%' });
    expect(renderStatus(run).some((l) => l.includes('running (4 items: 1 succeeded, 1 failed, 1 running, 1 not started (10% tolerated))'))).toBe(true);
  });

  it('shows a job that failed past its tolerance in its own Fail state, with the count as the cause', () => {
    const h = history(['ok', 'caught', 'ok', 'caught']);
    h.add('MapStateSucceeded');
    h.exit('export_store', 'Map');
    h.pass('export_store failed count');
    h.pass('export_store any succeeded?', 'Choice');
    h.pass('export_store within tolerance?', 'Choice');
    h.pass('export_store too many failures');
    const error = { Error: 'stepgraph.ForEachFailed', Cause: '2 of 4 items of job export_store failed; 10% tolerated' };
    h.enter('export_store failed', 'Fail', { job: { startedAt: '2019-03-13T02:00:00Z', error } });
    h.runFailed(error.Error, error.Cause);
    const run = status(h, { status: 'FAILED', stopDate: new Date(60_000), error: error.Error, cause: error.Cause });
    const exports = run.jobs.find((j) => j.job === 'export_store')!;
    expect(exports).toMatchObject({ status: 'failed', failedIn: 'export_store failed', error: 'stepgraph.ForEachFailed', cause: error.Cause });
    expect(exports.items).toEqual({ items: 4, started: 4, succeeded: 2, failed: 2, running: 0, tolerated: '10%' });
    expect(renderStatus(run)).toContain("failed: export_store (in 'export_store failed'): stepgraph.ForEachFailed: 2 of 4 items of job export_store failed; 10% tolerated");
  });

  it('counts an iteration that failed the Map (no tolerance) as failed and the ones it cut short as not running', () => {
    const h = new History();
    h.add('ExecutionStarted');
    h.enter('refresh_thumbnails', 'Map');
    h.add('MapStateStarted', { mapStateStartedEventDetails: { length: 3 } });
    for (const index of [0, 1, 2]) h.add('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'refresh_thumbnails', index } });
    h.add('MapIterationFailed', { mapIterationFailedEventDetails: { name: 'refresh_thumbnails', index: 1 } });
    h.add('MapIterationAborted', { mapIterationAbortedEventDetails: { name: 'refresh_thumbnails', index: 0 } });
    h.add('MapIterationAborted', { mapIterationAbortedEventDetails: { name: 'refresh_thumbnails', index: 2 } });
    const run = status(h, {});
    expect(run.jobs.find((j) => j.job === 'refresh_thumbnails')!.items).toEqual({ items: 3, started: 3, succeeded: 0, failed: 1, running: 0, tolerated: '2' });
  });

  it('refuses a redrive of a run failed in J failed and offers the replay of the job', () => {
    const h = new History();
    h.pass('export_store too many failures');
    h.enter('export_store failed', 'Fail');
    h.runFailed('stepgraph.ForEachFailed', '2 of 4 items of job export_store failed; 10% tolerated');
    const failState = failStateOf(h.events, 'store-exports', workflow)!;
    expect(failState).toStrictEqual({ state: 'export_store failed', kind: 'items', owner: 'export_store', error: 'stepgraph.ForEachFailed', cause: '2 of 4 items of job export_store failed; 10% tolerated' });
    const execution = { executionArn: ARN, stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:store-exports', name: 'store-exports-2019-03-12', status: 'FAILED', startDate: new Date(0), stopDate: new Date(1), redriveStatus: 'REDRIVABLE' } as DescribeExecutionOutput;
    const verdict = redriveEligibility({ execution, current: { type: 'STANDARD', revisionId: 'r1', definition: '{}' }, used: { revisionId: 'r1', definition: '{}' }, now: 2, failState });
    expect(verdict).toMatchObject({ ok: false, instead: { command: 'npx stepgraph replay store-exports --date 2019-03-12 --from export_store', replay: true } });
    expect(JSON.stringify(verdict)).toContain("for_each job 'export_store' had more items fail than it tolerates");
  });
});
