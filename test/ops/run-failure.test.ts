// The contract's one reading of where a closed run broke (generator/contract/run-failure.ts),
// shared by `stepgraph status`, `stepgraph redrive` and the failure alert.
import { describe, expect, it } from 'vitest';
import { briefDuration, closedAt, runOutcome, waitTimedOutCause } from '../../generator/contract/run-failure.ts';
import { History } from './history-builder.ts';

describe('where a run failed', () => {
  it("takes the state whose final failure is the run's error, not a sibling's attempt that awaited its retry", () => {
    // GIVEN x's last attempt failed, and y's attempt failed just after (its retry never came)
    const h = new History();
    h.add('ExecutionStarted');
    const par = h.enter('Parallel (x, y)', 'Parallel');
    const y = h.scheduled(h.enter('y', 'Task', par));
    h.failingTask('x', 2, 'Lambda.Unknown', (i) => `x broke ${i}`, par);
    h.failed('States.TaskFailed', 'y is throttled', y);
    h.runFailed('Lambda.Unknown', 'x broke 2');

    const outcome = runOutcome(h.events);

    expect(outcome).toMatchObject({ end: 'ExecutionFailed', error: 'Lambda.Unknown', failed: { state: 'x', how: 'task', timedOut: false, error: 'Lambda.Unknown', cause: 'x broke 2' } });
  });

  it('does not take a failure a retry followed', () => {
    const h = new History();
    const a = h.enter('a');
    h.succeeded(h.scheduled(h.failed('Lambda.Unknown', 'once', h.scheduled(a))));
    h.exit('a');
    h.failingTask('b', 1, 'States.TaskFailed', () => 'b broke');
    h.runFailed('States.TaskFailed', 'b broke');

    expect(runOutcome(h.events)?.failed?.state).toBe('b');
  });

  it('reads a timed-out wait with its deadline from TaskScheduled', () => {
    const h = new History();
    h.timedOutWait('bi_import waits for payments', 10800);
    h.runFailed('States.Timeout');

    expect(runOutcome(h.events)?.failed).toMatchObject({ state: 'bi_import waits for payments', how: 'task', timedOut: true, error: 'States.Timeout', timeoutSeconds: 10800 });
  });

  it("takes a Fail state with the run's error: a sweep's count of failed items", () => {
    const h = new History();
    h.pass('score too many failures');
    h.enter('score failed', 'Fail');
    h.runFailed('stepgraph.SweepFailed', '2 of 2 items failed; 0 tolerated');

    expect(runOutcome(h.events)?.failed).toMatchObject({ state: 'score failed', how: 'fail', error: 'stepgraph.SweepFailed', cause: '2 of 2 items failed; 0 tolerated' });
  });

  it('follows the run end to a state that failed without a failure event of its own', () => {
    const h = new History();
    const read = h.enter('Read date', 'Pass');
    h.runFailed('States.Runtime', 'could not evaluate', read);

    expect(runOutcome(h.events)?.failed).toMatchObject({ state: 'Read date', how: 'other', error: 'States.Runtime' });
  });

  it('reads only the attempt that closed the run: before it, a redrive re-entered what had failed', () => {
    const h = new History();
    h.failingTask('a', 1, 'Lambda.Unknown', () => 'first');
    const first = h.runFailed('Lambda.Unknown', 'first');
    h.redriven();
    h.task('a');
    h.failingTask('b', 1, 'Lambda.Unknown', () => 'second');
    const end = h.runFailed('Lambda.Unknown', 'second');

    expect(closedAt(h.events, end - 1).failed).toMatchObject({ state: 'b', cause: 'second' });
    expect(closedAt(h.events, first - 1).failed).toMatchObject({ state: 'a', cause: 'first' });
  });

  it('is undefined while a redriven run runs and once a run succeeded', () => {
    const h = new History();
    h.failingTask('a', 1, 'Lambda.Unknown', () => 'x');
    h.runFailed('Lambda.Unknown', 'x');
    h.redriven();
    expect(runOutcome(h.events)).toBeUndefined();
    h.task('a');
    h.add('ExecutionSucceeded');
    expect(runOutcome(h.events)).toBeUndefined();
  });

  it('lists the states in flight when a run was aborted', () => {
    const h = new History();
    const par = h.enter('Parallel (a, b)', 'Parallel');
    h.scheduled(h.enter('a', 'Task', par));
    h.scheduled(h.enter('b waits for payments', 'Task', par), 600);
    h.add('ExecutionAborted');

    expect(runOutcome(h.events)).toMatchObject({ end: 'ExecutionAborted', inFlight: ['Parallel (a, b)', 'a', 'b waits for payments'] });
    expect(runOutcome(h.events)?.failed).toBeUndefined();
  });

  it('words a wait that timed out', () => {
    expect(waitTimedOutCause('payments', 'marker', 10800)).toBe("marker 'payments' was not written within the wait's deadline (3h)");
    expect(waitTimedOutCause('load', 'job')).toBe("job 'load' of this run did not finish within the wait's deadline");
    expect([45, 90, 600, 5400, 7200, 86400].map(briefDuration)).toStrictEqual(['45s', '90s', '10m', '1h 30m', '2h', '24h']);
  });
});
