import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchHistory, jobsInHistory, jobStatuses } from '../../generator/ops/history.ts';
import { mocks, taskFailed, testAws } from './support.ts';

/** Writes a history the way Step Functions does: ids in order, each event pointing at its cause. */
class History {
  readonly events: HistoryEvent[] = [];
  private minute = 0;

  add(type: string, details: Partial<HistoryEvent> = {}, previous?: number): number {
    const id = this.events.length + 1;
    const previousEventId = previous ?? (id > 1 ? id - 1 : 0);
    this.events.push({ id, previousEventId, type: type as HistoryEvent['type'], timestamp: new Date(Date.UTC(2019, 2, 13, 2, this.minute++)), ...details });
    return id;
  }
  enter(name: string, type = 'Task', previous?: number): number {
    return this.add(`${type}StateEntered`, { stateEnteredEventDetails: { name } }, previous);
  }
  exit(name: string, type = 'Task', previous?: number): number {
    return this.add(`${type}StateExited`, { stateExitedEventDetails: { name } }, previous);
  }
  /** A Task state that succeeds after `failures` failed attempts. */
  task(name: string, failures = 0, previous?: number): number {
    let last = this.enter(name, 'Task', previous);
    for (let i = 0; i < failures; i++) {
      last = this.add('TaskScheduled', {}, last);
      last = this.add('TaskFailed', taskFailed('Lambda.Unknown', `attempt ${i + 1} broke`), last);
    }
    last = this.add('TaskScheduled', {}, last);
    last = this.add('TaskSucceeded', {}, last);
    return this.exit(name, 'Task', last);
  }
}

describe('job status from history', () => {
  it('reads a successful run: attempts across retries, skipped jobs, times and durations', () => {
    // GIVEN a run where a retried once, b was not selected, c waited for a marker
    const h = new History();
    h.add('ExecutionStarted');
    h.enter('a selected?', 'Choice');
    h.exit('a selected?', 'Choice');
    h.task('a', 1);
    h.enter('b selected?', 'Choice');
    h.enter('b skipped', 'Pass');
    h.exit('b skipped', 'Pass');
    h.enter('c waits for payments');
    h.add('TaskScheduled');
    h.add('TaskFailed', taskFailed('S3.NoSuchKeyException'));
    h.add('TaskScheduled');
    h.add('TaskSucceeded');
    h.exit('c waits for payments');
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
    const a = jobs[0];
    expect(a.start).toStrictEqual(new Date(Date.UTC(2019, 2, 13, 2, 3)));
    expect(a.durationMs).toBe(5 * 60_000);
    // A retried attempt's error does not stick to a job that then succeeded.
    expect(a.error).toBeUndefined();
  });

  it('reads a failed run: the failing job with its Task error, a parallel job cancelled, a later one not run', () => {
    // GIVEN x fails twice and its Catch goes to `x failed`, while y runs in a parallel branch
    const h = new History();
    h.add('ExecutionStarted');
    const par = h.add('ParallelStateEntered', { stateEnteredEventDetails: { name: 'Parallel (x, y)' } });
    const yEntered = h.enter('y', 'Task', par);
    h.add('TaskScheduled', {}, yEntered);
    let last = h.enter('x', 'Task', par);
    for (let i = 0; i < 2; i++) {
      last = h.add('TaskScheduled', {}, last);
      last = h.add('TaskFailed', taskFailed('Lambda.Unknown', `boom ${i + 1}`), last);
    }
    last = h.exit('x', 'Task', last);
    h.add('FailStateEntered', { stateEnteredEventDetails: { name: 'x failed' } }, last);
    h.add('ExecutionFailed', { executionFailedEventDetails: { error: 'stepgraph.JobFailed' } });

    // WHEN
    const jobs = jobStatuses(h.events, ['x', 'y', 'z']);

    // THEN
    expect(jobs.map((j) => [j.job, j.status, j.attempts, j.error ?? null, j.cause ?? null])).toStrictEqual([
      ['x', 'failed', 2, 'Lambda.Unknown', 'boom 2'],
      ['y', 'cancelled', 1, null, null],
      ['z', 'not run', 0, null, null],
    ]);
  });

  it('reads a wait that gave up: the job failed with WaitTimedOut, naming what it waited for', () => {
    const h = new History();
    h.enter('bi_import waits for payments');
    h.add('TaskScheduled');
    h.add('TaskFailed', taskFailed('S3.NoSuchKeyException'));
    h.add('FailStateEntered', { stateEnteredEventDetails: { name: 'bi_import wait for payments failed' } });
    h.add('ExecutionFailed');

    const [job] = jobStatuses(h.events, ['bi_import']);

    expect(job.status).toBe('failed');
    expect(job.error).toBe('stepgraph.WaitTimedOut');
    expect(job.cause).toContain("'payments' did not arrive");
    expect(job.attempts).toBe(0);
  });

  it("ends a data pipeline job when its `finishes` step has seen the pipeline's marker", () => {
    // GIVEN the activation Task returns at once and the pipeline writes its marker 3 polls later
    const h = new History();
    h.enter('p clears marker');
    h.add('TaskScheduled');
    h.add('TaskSucceeded');
    h.exit('p clears marker');
    h.task('p');
    const midway = jobStatuses(h.events, ['p'], new Set(['p']))[0];
    h.enter('p finishes');
    for (let i = 0; i < 3; i++) {
      h.add('TaskScheduled');
      h.add('TaskFailed', taskFailed('S3.NoSuchKeyException'));
    }
    h.add('TaskScheduled');
    h.add('TaskSucceeded');
    const end = h.exit('p finishes');

    const [job] = jobStatuses(h.events, ['p'], new Set(['p']));

    expect(midway.status).toBe('running');
    expect(job.status).toBe('succeeded');
    expect(job.end).toStrictEqual(h.events[end - 1].timestamp);
    expect(job.attempts).toBe(1);
    expect(job.error).toBeUndefined();
  });

  it('shows a waiting job of a running execution and what it waits for', () => {
    const h = new History();
    h.enter('cohorts waits for installs');
    h.add('TaskScheduled');

    const [job] = jobStatuses(h.events, ['cohorts', 'publish']);

    expect(job).toMatchObject({ status: 'waiting', waitingFor: 'installs' });
  });

  it('lets a redriven execution rerun a failed job', () => {
    // GIVEN x failed, the run was redriven and x succeeded the second time
    const h = new History();
    let last = h.enter('x');
    last = h.add('TaskScheduled', {}, last);
    last = h.add('TaskFailed', taskFailed('Lambda.Unknown'), last);
    h.exit('x', 'Task', last);
    h.add('FailStateEntered', { stateEnteredEventDetails: { name: 'x failed' } });
    h.add('ExecutionFailed');
    h.add('ExecutionRedriven');
    h.task('x');
    h.add('ExecutionSucceeded');

    const [job] = jobStatuses(h.events, ['x']);

    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(job.error).toBeUndefined();
  });

  it('finds the jobs in a history when the workflow file is not at hand', () => {
    const h = new History();
    h.enter('Check input', 'Choice');
    h.enter('Parallel (a, b)', 'Parallel');
    h.enter('a selected?', 'Choice');
    h.enter('b selected?', 'Choice');
    h.task('a');
    h.enter('b waits for a');
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
