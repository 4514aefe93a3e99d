// Per-job status from histories written the way Step Functions writes them under the runtime
// contract: a job fails in its own Task after its retries, a wait past its deadline in its wait
// state (States.Timeout), a redrive enters the unsuccessful states again.
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchHistory, jobsInHistory, jobStatuses } from '../../generator/ops/history.ts';
import { History, minute } from './history-builder.ts';
import { mocks, testAws } from './support.ts';

const row = (j: { job: string; status: string; attempts: number; error?: string; cause?: string; failedIn?: string }) => [j.job, j.status, j.attempts, j.error ?? null, j.cause ?? null, j.failedIn ?? null];

describe('job status from history', () => {
  it('reads a successful run: attempts across retries, skipped jobs, a released wait, times and durations', () => {
    // GIVEN a run where a retried once, b was not selected, c waited for a marker the router released
    const h = new History();
    h.add('ExecutionStarted');
    h.pass('a selected?', 'Choice');
    const a = h.enter('a');
    h.succeeded(h.scheduled(h.failed('Lambda.Unknown', 'attempt 1 broke', h.scheduled(a))));
    h.exit('a');
    h.pass('b selected?', 'Choice');
    h.pass('b skipped');
    h.releasedWait('c waits for payments', 10800);
    h.task('c');
    h.add('ExecutionSucceeded');

    // WHEN
    const jobs = jobStatuses(h.events, ['a', 'b', 'c']);

    // THEN
    expect(jobs.map((j) => [j.job, j.status, j.attempts])).toStrictEqual([
      ['a', 'succeeded', 2],
      ['b', 'skipped', 0],
      ['c', 'succeeded', 1],
    ]);
    expect(jobs[0].start).toStrictEqual(minute(3));
    expect(jobs[0].durationMs).toBe(7 * 60_000);
    // A retried attempt's error does not stick to a job that then succeeded.
    expect(jobs[0].error).toBeUndefined();
  });

  it('GIVEN a job failing after its retries in its own Task WHEN read THEN it failed there with its error, a sibling is cancelled, a later job not run', () => {
    // GIVEN x fails 3 times in one Parallel branch while y, in the other, waits for its own retry
    const h = new History();
    h.add('ExecutionStarted');
    const par = h.enter('Parallel (x, y)', 'Parallel');
    const y = h.failingTask('y', 1, 'Lambda.TooManyRequestsException', () => 'rate exceeded', par);
    h.failingTask('x', 3, 'Lambda.Unknown', (i) => `boom ${i}`, par);
    const fail = h.runFailed('Lambda.Unknown', 'boom 3');

    // WHEN
    const jobs = jobStatuses(h.events, ['x', 'y', 'z']);

    // THEN x failed in its own state with its last attempt's error, at the moment it failed
    expect(jobs.map(row)).toStrictEqual([
      ['x', 'failed', 3, 'Lambda.Unknown', 'boom 3', 'x'],
      ['y', 'cancelled', 1, 'Lambda.TooManyRequestsException', 'rate exceeded', null],
      ['z', 'not run', 0, null, null, null],
    ]);
    expect(jobs[0].end).toStrictEqual(h.events[fail - 2].timestamp);
    expect(y).toBeGreaterThan(par);
  });

  it('GIVEN a wait for a marker past its deadline WHEN read THEN its job failed with WaitTimedOut naming the marker and the deadline', () => {
    const h = new History();
    h.add('ExecutionStarted');
    h.pass('bi_import selected?', 'Choice');
    h.timedOutWait('bi_import waits for payments', 10800);
    h.runFailed('States.Timeout');

    const [job] = jobStatuses(h.events, ['bi_import']);

    expect(row(job)).toStrictEqual(['bi_import', 'failed', 0, 'stepgraph.WaitTimedOut', "marker 'payments' was not written within the wait's deadline (3h)", 'bi_import waits for payments']);
    expect(job.waitingFor).toBeUndefined();
    expect(job.start).toStrictEqual(minute(3));
  });

  it('names the job of this run an in-run wait waited for', () => {
    const h = new History();
    h.timedOutWait('report waits for revenue', 5400);
    h.runFailed('States.Timeout');

    const report = jobStatuses(h.events, ['revenue', 'report'])[1];

    expect(report).toMatchObject({ status: 'failed', error: 'stepgraph.WaitTimedOut', cause: "job 'revenue' of this run did not finish within the wait's deadline (1h 30m)" });
  });

  it("says a data pipeline's Task timed out because its pipeline wrote no marker", () => {
    const h = new History();
    const entered = h.enter('player_entry');
    h.timedOut(h.submitted(h.scheduled(entered, 3600)));
    h.runFailed('States.Timeout');

    const [job] = jobStatuses(h.events, ['player_entry'], new Set(['player_entry']));

    expect(row(job)).toStrictEqual(['player_entry', 'failed', 1, 'States.Timeout', "the pipeline did not write the job's marker within the job's timeout (1h)", 'player_entry']);
  });

  it("GIVEN a job's marker write failing after its retries WHEN read THEN the job failed, its work done", () => {
    const h = new History();
    h.task('sessions');
    h.failingTask('sessions done', 4, 'S3.S3Exception', () => 'Slow Down');
    h.runFailed('S3.S3Exception', 'Slow Down');

    const [job] = jobStatuses(h.events, ['sessions']);

    expect(row(job)).toStrictEqual(['sessions', 'failed', 1, 'S3.S3Exception', 'the job succeeded but its marker could not be written: Slow Down', 'sessions done']);
  });

  it('GIVEN a failed run redriven that then succeeded WHEN read THEN every job shows its latest outcome', () => {
    // GIVEN x failed twice while y ran beside it; the redrive entered x and y again and both succeeded, then z ran
    const h = new History();
    h.add('ExecutionStarted');
    const par = h.enter('Parallel (x, y)', 'Parallel');
    h.scheduled(h.enter('y', 'Task', par));
    h.failingTask('x', 2, 'Lambda.Unknown', (i) => `boom ${i}`, par);
    h.runFailed('Lambda.Unknown', 'boom 2');
    const before = jobStatuses(h.events, ['x', 'y', 'z']);
    h.redriven();
    h.task('x');
    h.task('y');
    h.exit('Parallel (x, y)', 'Parallel');
    h.task('z');
    h.add('ExecutionSucceeded');

    // WHEN
    const after = jobStatuses(h.events, ['x', 'y', 'z']);

    // THEN
    expect(before.map((j) => j.status)).toStrictEqual(['failed', 'cancelled', 'not run']);
    expect(after.map(row)).toStrictEqual([
      ['x', 'succeeded', 3, null, null, null],
      ['y', 'succeeded', 2, null, null, null],
      ['z', 'succeeded', 1, null, null, null],
    ]);
  });

  it('shows a redriven wait waiting again, then its job running', () => {
    const h = new History();
    h.timedOutWait('bi_import waits for payments', 10800);
    h.runFailed('States.Timeout');
    h.redriven();
    const wait = h.enter('bi_import waits for payments');
    h.submitted(h.scheduled(wait, 10800));

    const waiting = jobStatuses(h.events, ['bi_import'])[0];
    h.succeeded();
    h.exit('bi_import waits for payments');
    h.enter('bi_import');
    h.scheduled();
    const running = jobStatuses(h.events, ['bi_import'])[0];

    expect(row(waiting)).toStrictEqual(['bi_import', 'waiting', 0, null, null, null]);
    expect(waiting.waitingFor).toBe('payments');
    expect(running).toMatchObject({ status: 'running', attempts: 1 });
  });

  it('GIVEN an aborted run WHEN read THEN what ran or waited was aborted and the rest never ran', () => {
    const h = new History();
    const par = h.enter('Parallel (a, b)', 'Parallel');
    h.scheduled(h.enter('a', 'Task', par));
    h.scheduled(h.enter('b waits for payments', 'Task', par), 10800);
    h.add('ExecutionAborted');

    const jobs = jobStatuses(h.events, ['a', 'b', 'c']);

    expect(jobs.map((j) => [j.job, j.status])).toStrictEqual([
      ['a', 'aborted'],
      ['b', 'aborted'],
      ['c', 'not run'],
    ]);
  });

  it("GIVEN a distributed sweep job past its tolerated failures WHEN read by name THEN the sweep job failed in its Map", () => {
    const h = new History();
    h.pass('train started');
    h.pass('train settings');
    const map = h.enter('train', 'Map');
    h.add('MapStateStarted', {}, map);
    h.add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: 'arn:mr' } });
    h.add('MapRunFailed', { mapRunFailedEventDetails: { error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded' } });
    h.add('MapStateFailed');
    h.runFailed('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');

    const [train] = jobStatuses(h.events, ['train']);

    expect(row(train)).toStrictEqual(['train', 'failed', 1, 'States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded', 'train']);
  });

  it('shows a waiting job of a running execution and what it waits for', () => {
    const h = new History();
    h.submitted(h.scheduled(h.enter('cohorts waits for installs'), 3600));

    const [job] = jobStatuses(h.events, ['cohorts', 'publish']);

    expect(job).toMatchObject({ status: 'waiting', waitingFor: 'installs' });
  });

  it('finds the jobs in a history when the workflow file is not at hand', () => {
    const h = new History();
    h.enter('Check input', 'Choice');
    h.enter('Read date', 'Pass');
    h.enter('Parallel (a, b)', 'Parallel');
    h.enter('a selected?', 'Choice');
    h.enter('b selected?', 'Choice');
    h.task('a');
    h.enter('b waits for a');
    h.enter('Invalid input', 'Fail');
    expect(jobsInHistory(h.events)).toStrictEqual(['a', 'b']);
  });
});

describe('fetching history', () => {
  const { sfn } = mocks();
  beforeEach(() => sfn.reset());

  it('reads every page', async () => {
    // GIVEN three pages
    const h = new History();
    for (let i = 0; i < 5; i++) h.task(`j${i}`);
    const events = h.events;
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: events.slice(0, 7), nextToken: 't1' })
      .resolvesOnce({ events: events.slice(7, 14), nextToken: 't2' })
      .resolvesOnce({ events: events.slice(14) });

    // WHEN
    const all = await fetchHistory(await testAws(), 'arn:x');

    // THEN
    expect(all).toHaveLength(events.length);
    const calls = sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken);
    expect(calls).toStrictEqual([undefined, 't1', 't2']);
    expect(jobStatuses(all, ['j0', 'j4']).map((j) => j.status)).toStrictEqual(['succeeded', 'succeeded']);
  });
});
