// The local engine resolves waits across dates with the router's own key computation
// (contract/marker-dates.ts): a daily run waits for the 24 hourly markers of its date, and a job
// waiting for its own past is released by the marker the run of the day before wrote in the
// same store; the first date of the chain (`since`) waits for nothing.
import { describe, expect, it } from 'vitest';
import { compilePaths, compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { waitTarget } from '../../generator/local/wait-target.ts';

const rollup = compilePaths(['workflows/events-rollup.yaml']).compiled[0];

function compileOne(text: string): CompiledWorkflow {
  const result = compileTexts([{ file: 'test.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

const chain = compileOne(`
name: chain
partition: daily
markers: { bucket: acme-job-markers }
jobs:
  balance:
    lambda: balance
    estimate: 10m
    waits_for:
      - marker: balance
        date: -1d
        since: "2020-02-28"
        timeout: 1h
`);

describe('simulate: waits across dates', () => {
  it('seeds the 24 hourly markers and the earlier dates, and the run succeeds', async () => {
    const store = new MemoryMarkerStore();
    const report = await simulate(rollup, { date: '2020-03-01', store });
    expect(report.status).toBe('SUCCEEDED');
    for (let h = 0; h < 24; h++) expect(await store.get('acme-job-markers', `done/events__20200301${String(h).padStart(2, '0')}.done`)).toBeDefined();
    expect(await store.get('acme-job-markers', 'done/daily_rollup__20200229.done')).toBeDefined();
    expect(await store.get('acme-job-markers', 'done/daily_rollup__20200223.done')).toBeDefined();
  });

  it('late hourly markers: the report says how long the job waited for them', async () => {
    const report = await simulate(rollup, { date: '2020-03-01', late: { events: 7200 } });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.jobs.find((j) => j.name === 'daily_rollup')!.startSeconds).toBe(7200);
    expect(report.lateness.delays).toContainEqual(expect.objectContaining({ job: 'daily_rollup', kind: 'external-wait', text: "daily_rollup: waited 2h for marker 'events (hourly)' (it appeared at 2:00:00)" }));
  });

  it('an hourly marker that never comes fails the run in the wait, at its deadline', async () => {
    const report = await simulate(rollup, { date: '2020-03-01', missing: ['events'] });
    expect(report.status).toBe('FAILED');
    expect(report.error).toContain("failed in state 'daily_rollup waits for events (hourly)'");
  });

  it("a chain on its own past: each date is released by the previous date's run, the first by since", async () => {
    // GIVEN one store and one waiter table for every run, and no marker seeded for the chain
    const store = new MemoryMarkerStore();
    const waiters = new MemoryWaiterStore();
    const run = (date: string) => simulate(chain, { date, store, waiters, missing: ['balance'] });

    // THEN the first date waits for nothing (before since), the next ones for the day before
    expect((await run('2020-02-28')).status).toBe('SUCCEEDED');
    expect((await run('2020-02-29')).status).toBe('SUCCEEDED');
    expect((await run('2020-03-01')).status).toBe('SUCCEEDED');
    // AND a date whose previous day never ran waits until its deadline and fails there
    const gap = await run('2020-03-03');
    expect(gap.status).toBe('FAILED');
    expect(gap.error).toContain("failed in state 'balance waits for balance -1d'");
    expect(gap.makespanSeconds).toBe(3600);
  });

  it("an hourly run waits for the day's marker of its hour, moved by -1h across midnight", async () => {
    const hourly = compileOne(`
name: hourly-loads
partition: hourly
markers: { bucket: acme-job-markers }
jobs:
  load:
    lambda: load
    waits_for:
      - marker: dimensions
        partition: daily
        date: -1h
        timeout: 30m
`);
    const store = new MemoryMarkerStore();
    // GIVEN only the day before's daily marker exists (the run of hour 00 needs it)
    const seeded = await simulate(hourly, { date: '2020-03-01T00', store: new MemoryMarkerStore() });
    expect(seeded.status).toBe('SUCCEEDED');
    await store.put('acme-job-markers', 'done/dimensions__20200229.done', '{}');
    expect((await simulate(hourly, { date: '2020-03-01T00', store, missing: ['dimensions'] })).status).toBe('SUCCEEDED');
    // WHEN hour 01 runs, its day's (2020-03-01) marker is missing: it waits until its deadline
    const later = await simulate(hourly, { date: '2020-03-01T01', store, missing: ['dimensions'] });
    expect(later.status).toBe('FAILED');
    expect(later.error).toContain("'load waits for dimensions -1h (daily)'");
  });

  it('run --local names every marker file a dated wait needs', () => {
    const ctx = { workflow: rollup.workflow, bucket: 'acme-job-markers', datekey: '20200301', executionName: 'x', locate: (b: string, k: string) => `.stepgraph/markers/${b}/${k}` };
    expect(waitTarget(ctx, 'daily_rollup', 'external', 'daily_rollup -1d')).toBe('.stepgraph/markers/acme-job-markers/done/daily_rollup__20200229.done');
    expect(waitTarget(ctx, 'daily_rollup', 'external', 'events (hourly)')).toBe(
      '.stepgraph/markers/acme-job-markers/done/events__2020030100.done (+23 more: 24 markers, to .stepgraph/markers/acme-job-markers/done/events__2020030123.done)',
    );
  });
});
