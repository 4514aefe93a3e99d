import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../generator/ops/history.ts';
import { redriveEligibility, replayCommandFor, type RedriveFacts } from '../../generator/ops/redrive.ts';
import { workflow } from './support.ts';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2019, 2, 20);

function facts(execution: Partial<DescribeExecutionOutput>, changes: Partial<Omit<RedriveFacts, 'execution'>> = {}): RedriveFacts {
  return {
    execution: {
      executionArn: 'arn:x',
      stateMachineArn: 'arn:sm',
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

  it("refuses a run that ended in stepgraph's own Fail state, where a redrive would fail again at once", () => {
    const result = redriveEligibility(facts({ error: 'stepgraph.JobFailed', cause: "job 'revenue' failed after 3 attempts" }));
    expect(result).toStrictEqual({
      ok: false,
      reasons: ["the run failed with stepgraph.JobFailed (job 'revenue' failed after 3 attempts); a redrive restarts at that Fail state and fails again at once"],
    });
    expect(redriveEligibility(facts({ error: 'States.TaskFailed', cause: 'S3 write failed' }))).toStrictEqual({ ok: true });
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
