import { describe, expect, it } from 'vitest';
import { assess, checkpoints, deadlineAt, deadlineTargets, describeVerdict, latestStarts, newAlerts, nextCheckpoint, type DeadlinePlan } from '../../generator/contract/deadlines.ts';
import { jobProgress } from '../../generator/contract/job-progress.ts';

const at = (iso: string): number => Date.parse(iso);
const MIN = 60_000;

// ingest (30m) -> revenue (40m) -> bi_import (20m); sessions (10m) beside ingest, needed by revenue.
const plan = (over: Partial<DeadlinePlan> = {}): DeadlinePlan => ({
  run: { clock: '06:00', timezone: 'Europe/Belgrade' },
  timezone: 'Europe/Belgrade',
  jobs: [
    { name: 'ingest', needs: [], estimateSeconds: 1800 },
    { name: 'sessions', needs: [], estimateSeconds: 600 },
    { name: 'revenue', needs: ['ingest', 'sessions'], estimateSeconds: 2400 },
    { name: 'bi_import', needs: ['revenue'], estimateSeconds: 1200 },
  ],
  ...over,
});

// 02:00 in Belgrade on 2019-03-12 (winter time, UTC+1).
const START = at('2019-03-12T01:00:00Z');

describe('deadline instants', () => {
  it('a clock time is the first one after the start on the schedule wall clock', () => {
    expect(deadlineAt({ clock: '06:00', timezone: 'Europe/Belgrade' }, START)).toBe(at('2019-03-12T05:00:00Z'));
    // 01:30 is before the 02:00 start: the next day's.
    expect(deadlineAt({ clock: '01:30', timezone: 'Europe/Belgrade' }, START)).toBe(at('2019-03-13T00:30:00Z'));
    // Summer time (UTC+2) after the change on 2019-03-31.
    expect(deadlineAt({ clock: '06:00', timezone: 'Europe/Belgrade' }, at('2019-04-01T00:00:00Z'))).toBe(at('2019-04-01T04:00:00Z'));
  });

  it('a duration counts from the start', () => {
    expect(deadlineAt({ afterSeconds: 4 * 3600 }, START)).toBe(START + 4 * 3600_000);
  });

  it('a clock time inside a DST gap falls on the change, not a day later', () => {
    // 02:30 does not happen on 2019-03-31 in Belgrade (02:00 -> 03:00).
    const t = deadlineAt({ clock: '02:30', timezone: 'Europe/Belgrade' }, at('2019-03-30T23:00:00Z'));
    expect(t).toBeGreaterThan(at('2019-03-30T23:00:00Z'));
    expect(t).toBeLessThanOrEqual(at('2019-03-31T01:30:00Z'));
  });
});

describe('latest starts and checkpoints', () => {
  it('each job must start early enough for the longest estimated path after it', () => {
    const [run] = deadlineTargets(plan(), START);
    const latest = latestStarts(plan(), run);
    const d = at('2019-03-12T05:00:00Z');
    expect(latest.get('bi_import')).toBe(d - 20 * MIN);
    expect(latest.get('revenue')).toBe(d - 60 * MIN);
    expect(latest.get('ingest')).toBe(d - 90 * MIN);
    expect(latest.get('sessions')).toBe(d - 70 * MIN);
  });

  it('checkpoints are whole minutes just past each latest start, and the deadline itself', () => {
    const d = at('2019-03-12T05:00:00Z');
    expect(checkpoints(plan(), START)).toEqual([d - 89 * MIN, d - 69 * MIN, d - 59 * MIN, d - 19 * MIN, d]);
  });

  it('a job deadline covers its upstream only', () => {
    const p = plan({ run: undefined, jobs: plan().jobs.map((j) => (j.name === 'revenue' ? { ...j, deadline: { afterSeconds: 7200 } } : j)) });
    const [t] = deadlineTargets(p, START);
    expect(t.owner).toBe('revenue');
    expect(t.scope).toEqual(['ingest', 'sessions', 'revenue']);
    expect([...latestStarts(p, t).keys()].sort()).toEqual(['ingest', 'revenue', 'sessions']);
  });
});

describe('assessing a run', () => {
  const d = at('2019-03-12T05:00:00Z');

  it('is on time while every job keeps to its latest start', () => {
    const now = START + 20 * MIN;
    const [v] = assess(plan(), START, now, { done: new Map([['sessions', START + 10 * MIN]]), running: new Map([['ingest', START]]) });
    expect(v.status).toBe('on time');
    expect(v.expected).toBe(START + 90 * MIN);
  });

  it('is behind when a job overruns so the critical path left ends past the deadline', () => {
    // ingest started on time but is still running 3h15m later (estimate 30m).
    const now = START + 195 * MIN;
    const [v] = assess(plan(), START, now, { done: new Map([['sessions', START + 10 * MIN]]), running: new Map([['ingest', START]]) });
    expect(v.status).toBe('behind');
    expect(v.expected).toBe(now + MIN + 60 * MIN);
    expect(v.pathLeft).toEqual(['ingest', 'revenue', 'bi_import']);
    expect(describeVerdict(v, 'Europe/Belgrade')).toBe('run: expected 06:16, deadline 06:00, behind: ingest (critical path left: ingest -> revenue -> bi_import)');
  });

  it('is missed at the deadline with jobs not done, naming them', () => {
    const done = new Map([
      ['sessions', START + 10 * MIN],
      ['ingest', START + 30 * MIN],
    ]);
    const [v] = assess(plan(), START, d, { done, running: new Map([['revenue', START + 30 * MIN]]) });
    expect(v.status).toBe('missed');
    expect(v.notDone).toEqual(['revenue', 'bi_import']);
    expect(describeVerdict(v, 'Europe/Belgrade')).toMatch(/^run: deadline 06:00 missed, not done: revenue, bi_import \(critical path left: revenue -> bi_import\)/);
  });

  it('a failed run is still judged: its unfinished job restarts no earlier than now', () => {
    const events = [
      { type: 'TaskStateEntered', timestamp: new Date(START), stateEnteredEventDetails: { name: 'ingest' } },
      { type: 'TaskStateExited', timestamp: new Date(START + 30 * MIN), stateExitedEventDetails: { name: 'ingest' } },
      { type: 'TaskStateEntered', timestamp: new Date(START + 30 * MIN), stateEnteredEventDetails: { name: 'ingest done' } },
      { type: 'TaskStateExited', timestamp: new Date(START + 31 * MIN), stateExitedEventDetails: { name: 'ingest done' } },
      { type: 'TaskStateEntered', timestamp: new Date(START), stateEnteredEventDetails: { name: 'sessions' } },
      { type: 'TaskStateExited', timestamp: new Date(START + 10 * MIN), stateExitedEventDetails: { name: 'sessions' } },
      { type: 'TaskStateEntered', timestamp: new Date(START + 10 * MIN), stateEnteredEventDetails: { name: 'sessions done' } },
      { type: 'TaskStateExited', timestamp: new Date(START + 10 * MIN), stateExitedEventDetails: { name: 'sessions done' } },
      { type: 'TaskStateEntered', timestamp: new Date(START + 31 * MIN), stateEnteredEventDetails: { name: 'revenue' } },
      { type: 'TaskFailed', timestamp: new Date(START + 50 * MIN) },
      { type: 'ExecutionFailed', timestamp: new Date(START + 50 * MIN) },
    ];
    const progress = jobProgress(events, ['ingest', 'sessions', 'revenue', 'bi_import'], true);
    expect([...progress.done.keys()].sort()).toEqual(['ingest', 'sessions']);
    expect(progress.running.size).toBe(0);
    const now = d - 59 * MIN;
    const [v] = assess(plan(), START, now, progress);
    expect(v.status).toBe('behind');
    expect(v.expected).toBe(now + 60 * MIN);
    expect(v.pathLeft).toEqual(['revenue', 'bi_import']);
  });

  it('a job between its Task and its marker write is running, not pending', () => {
    const events = [
      { type: 'TaskStateEntered', timestamp: new Date(START), stateEnteredEventDetails: { name: 'ingest' } },
      { type: 'TaskStateExited', timestamp: new Date(START + 30 * MIN), stateExitedEventDetails: { name: 'ingest' } },
      { type: 'TaskStateEntered', timestamp: new Date(START + 30 * MIN), stateEnteredEventDetails: { name: 'ingest done' } },
    ];
    const progress = jobProgress(events, ['ingest'], false);
    expect(progress.done.has('ingest')).toBe(false);
    expect(progress.running.get('ingest')).toBe(START);
  });

  it('alerts once per deadline and status, and stops waking once every deadline is settled', () => {
    const done = new Map([
      ['sessions', START + 10 * MIN],
      ['ingest', START + 30 * MIN],
    ]);
    // revenue (40m from 02:30) still runs at 05:45: 05:46 + 20m of bi_import is past 06:00.
    const behind = assess(plan(), START, d - 15 * MIN, { done, running: new Map([['revenue', START + 30 * MIN]]) });
    expect(newAlerts(behind, []).map((v) => v.status)).toEqual(['behind']);
    expect(newAlerts(behind, ['run behind'])).toEqual([]);
    expect(nextCheckpoint(plan(), START, d - 15 * MIN, behind)).toBe(d);
    const all = new Map([...done, ['revenue', d - 10 * MIN], ['bi_import', d + 10 * MIN]]);
    const late = assess(plan(), START, d + 10 * MIN, { done: all, running: new Map() });
    expect(late[0].status).toBe('missed');
    expect(nextCheckpoint(plan(), START, d + 10 * MIN, late)).toBeUndefined();
  });

  it('a run done before its deadline is met', () => {
    const done = new Map(plan().jobs.map((j, i) => [j.name, START + (i + 1) * 10 * MIN]));
    const [v] = assess(plan(), START, START + 50 * MIN, { done, running: new Map() });
    expect(v.status).toBe('met');
    expect(newAlerts([v], [])).toEqual([]);
  });
});
