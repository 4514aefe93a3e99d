import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../generator/ops/history.ts';
import { failStateOf, partExecutionArn, redriveEligibility, replayCommandFor, type RedriveFacts } from '../../generator/ops/redrive.ts';
import { History } from './history-builder.ts';
import { workflow } from './support.ts';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2019, 2, 20);

function facts(execution: Partial<DescribeExecutionOutput>, changes: Partial<Omit<RedriveFacts, 'execution'>> = {}): RedriveFacts {
  return {
    execution: {
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
      name: 'player-analytics-2019-03-12',
      status: 'FAILED',
      startDate: new Date(NOW - 2 * DAY),
      stopDate: new Date(NOW - 2 * DAY + 3_600_000),
      redriveStatus: 'REDRIVABLE',
      ...execution,
    } as DescribeExecutionOutput,
    current: { type: 'STANDARD', revisionId: 'r1', definition: '{}' },
    used: { revisionId: 'r1', definition: '{}' },
    now: NOW,
    ...changes,
  };
}

describe('redrive eligibility', () => {
  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)('allows a recent %s run of an unchanged STANDARD machine', (status) => {
    expect(redriveEligibility(facts({ status }))).toStrictEqual({ ok: true });
  });

  it('allows a run that failed in a job\'s Task or timed out in a wait: a redrive continues right there', () => {
    expect(redriveEligibility(facts({ error: 'Lambda.Unknown', cause: 'out of memory' }))).toStrictEqual({ ok: true });
    expect(redriveEligibility(facts({ error: 'States.Timeout' }))).toStrictEqual({ ok: true });
  });

  it("refuses a run that failed in a sweep job's Fail state and points to the job's replay", () => {
    const failState = { state: 'score failed', kind: 'sweep' as const, owner: 'score', error: 'stepgraph.SweepFailed', cause: '2 of 2 items failed; 0 tolerated' };
    const result = redriveEligibility(facts({ error: 'stepgraph.SweepFailed' }, { failState }));
    expect(result).toStrictEqual({
      ok: false,
      reasons: [
        "sweep job 'score' had more items fail than it tolerates (2 of 2 items failed; 0 tolerated): the run failed in its Fail state 'score failed', and a redrive would enter that state again and fail at once; replaying the job runs the sweep again",
      ],
      instead: { command: 'npx stepgraph replay player-analytics --date 2019-03-12 --from score', does: 'replay the sweep job and what depends on it', replay: true },
    });
  });

  it("refuses a sweep's own run that failed its count and points to `sweep resume`", () => {
    const failState = { state: 'nightly failed', kind: 'sweep' as const, owner: 'nightly', standalone: true, cause: '3 of 10 items failed; 1 tolerated' };
    const result = redriveEligibility(facts({ name: 'nightly-20260116-020000' }, { failState }));
    expect(result).toMatchObject({
      ok: false,
      reasons: [expect.stringContaining("it failed in its Fail state 'nightly failed', and a redrive would enter that state again")],
      instead: { command: 'npx stepgraph sweep resume --sweep-id nightly-20260116-020000', replay: false },
    });
  });

  it('refuses a run whose input was refused, a part of a split graph, or an older Fail state', () => {
    const input = redriveEligibility(facts({}, { failState: { state: 'Invalid input', kind: 'input', error: 'stepgraph.InvalidInput', cause: 'the input needs "date"' } }));
    expect(input).toMatchObject({ ok: false, reasons: [expect.stringContaining('a redrive keeps the input and would fail again')], instead: { command: 'npx stepgraph start player-analytics --date <date>' } });
    const part = redriveEligibility(facts({}, { failState: { state: 'Part 2 failed', kind: 'part', error: 'stepgraph.PartFailed' } }));
    expect(part).toMatchObject({ ok: false, reasons: [expect.stringContaining("a part of the split graph failed and the run failed in 'Part 2 failed'")] });
    const old = redriveEligibility(facts({}, { failState: { state: 'revenue failed', kind: 'other', owner: 'revenue', error: 'stepgraph.JobFailed' } }));
    expect(old).toStrictEqual({ ok: false, reasons: ["the run failed in its Fail state 'revenue failed' (stepgraph.JobFailed); a redrive would enter that state again and fail at once"] });
  });

  it('refuses a run that closed more than 14 days ago', () => {
    const result = redriveEligibility(facts({ stopDate: new Date(NOW - 15 * DAY) }));
    expect(result).toStrictEqual({ ok: false, reasons: ['it closed 15 days ago; Step Functions redrives only executions closed in the last 14 days'] });
  });

  it('refuses a succeeded or still running run', () => {
    expect(redriveEligibility(facts({ status: 'SUCCEEDED' }))).toMatchObject({ ok: false, reasons: ['the execution SUCCEEDED; to run jobs again, replay them'] });
    expect(redriveEligibility(facts({ status: 'RUNNING', stopDate: undefined }))).toMatchObject({
      ok: false,
      reasons: [expect.stringContaining('the execution is RUNNING')],
    });
  });

  it('refuses an EXPRESS machine', () => {
    const result = redriveEligibility(facts({}, { current: { type: 'EXPRESS', revisionId: 'r1' } }));
    expect(result).toMatchObject({ ok: false, reasons: ['the state machine is EXPRESS; only STANDARD workflows can be redriven'] });
  });

  it('refuses when the definition was redeployed since the run started (by revision, else by text)', () => {
    expect(redriveEligibility(facts({}, { used: { revisionId: 'r0' } }))).toMatchObject({
      ok: false,
      reasons: [expect.stringContaining('redeployed since this run started')],
    });
    const byText = facts({}, { current: { type: 'STANDARD', definition: '{"StartAt":"b"}' }, used: { definition: '{ "StartAt": "a" }' } });
    expect(redriveEligibility(byText).ok).toBe(false);
    const sameText = facts({}, { current: { type: 'STANDARD', definition: '{"StartAt":"a"}' }, used: { definition: '{ "StartAt": "a" }' } });
    expect(redriveEligibility(sameText).ok).toBe(true);
  });

  it("passes on Step Functions' own verdict when nothing else explains it", () => {
    const result = redriveEligibility(facts({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution history event limit exceeded' }));
    expect(result).toStrictEqual({ ok: false, reasons: ['Step Functions says it is not redrivable: Execution history event limit exceeded'] });
  });
});

describe('the Fail state a run ended in, from its history', () => {
  const sweepy = workflow('model-training', { features: {}, score: { needs: ['features'] } });
  sweepy.jobs[1].kind = { type: 'sweep', sweep: {} as never };

  it('is none when a job failed in its own Task or a wait timed out: a redrive helps there', () => {
    const task = new History();
    task.failingTask('revenue', 3, 'Lambda.Unknown', () => 'locked');
    task.runFailed('Lambda.Unknown', 'locked');
    const wait = new History();
    wait.timedOutWait('bi_import waits for payments', 10800);
    wait.runFailed('States.Timeout');
    const aborted = new History();
    aborted.scheduled(aborted.enter('revenue'));
    aborted.add('ExecutionAborted');

    for (const h of [task, wait, aborted]) expect(failStateOf(h.events, 'player-analytics')).toBeUndefined();
  });

  it("names a sweep job's Fail state, with or without the workflow at hand", () => {
    const h = new History();
    h.pass('score too many failures');
    h.enter('score failed', 'Fail');
    h.runFailed('stepgraph.SweepFailed', '2 of 2 items failed; 0 tolerated');

    expect(failStateOf(h.events, 'model-training', sweepy)).toStrictEqual({ state: 'score failed', kind: 'sweep', owner: 'score', error: 'stepgraph.SweepFailed', cause: '2 of 2 items failed; 0 tolerated' });
    expect(failStateOf(h.events, 'model-training')).toMatchObject({ kind: 'sweep', owner: 'score' });
    expect(failStateOf(h.events, 'score')).toMatchObject({ kind: 'sweep', owner: 'score', standalone: true });
  });

  it('names the input check and a part of a split graph', () => {
    const input = new History();
    input.enter('Invalid input', 'Fail');
    input.runFailed('stepgraph.InvalidInput', 'the input needs "date"');
    const part = new History();
    part.failed('States.TaskFailed', '{"ExecutionArn":"arn:child"}', part.scheduled(part.enter('Part 2 (j400, +399 more)')));
    part.exit('Part 2 (j400, +399 more)');
    part.enter('Part 2 failed', 'Fail');
    part.runFailed('stepgraph.PartFailed');

    expect(failStateOf(input.events, 'player-analytics')).toMatchObject({ state: 'Invalid input', kind: 'input' });
    expect(failStateOf(part.events, 'player-analytics')).toMatchObject({ state: 'Part 2 failed', kind: 'part' });
  });
});

describe('the replay offered instead', () => {
  const pa = workflow('player-analytics', {
    player_entry: {},
    sessions: {},
    daily_kpis: { needs: ['player_entry', 'sessions'] },
    revenue: {},
    bi_import: { needs: ['daily_kpis', 'revenue'] },
  });
  const status = (entries: Record<string, JobStatus['status']>): JobStatus[] =>
    Object.entries(entries).map(([job, s]) => ({ job, status: s, attempts: 0 }));

  it('replays from the first unfinished jobs', () => {
    const jobs = status({ player_entry: 'succeeded', sessions: 'failed', daily_kpis: 'not run', revenue: 'cancelled', bi_import: 'not run' });
    expect(replayCommandFor(pa, '2019-03-12', jobs, false)).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --from sessions --from revenue');
  });

  it('keeps to exactly the unfinished jobs when the run was a partial replay', () => {
    const jobs = status({ player_entry: 'skipped', sessions: 'skipped', daily_kpis: 'failed', revenue: 'skipped', bi_import: 'not run' });
    expect(replayCommandFor(pa, '2019-03-12', jobs, true)).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --only daily_kpis --only bi_import');
  });
});

describe('a split run', () => {
  it("finds the child execution a parent's part Task started: the part's machine, the parent's name with -part-<n>", () => {
    expect(partExecutionArn('arn:aws:states:eu-west-1:123456789012:execution:big:big-2019-03-12-replay-1', 2)).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:big-part-2:big-2019-03-12-replay-1-part-2',
    );
  });
});
