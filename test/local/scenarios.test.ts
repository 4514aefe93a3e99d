// What simulate makes happen on purpose: a failing job, a late or missing external marker, a
// replay selection, two runs of one date in one store.
import { describe, expect, it } from 'vitest';
import { randomWorkflow } from '../../bench/graphs.ts';
import { compilePaths, compileTexts, compileWorkflow, type CompiledWorkflow } from '../../generator/compile.ts';
import { downstreamClosure } from '../../generator/model.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';

const workflows = new Map(compilePaths(['workflows']).compiled.map((c) => [c.workflow.name, c]));
const get = (name: string): CompiledWorkflow => workflows.get(name)!;

function compileOne(text: string): CompiledWorkflow {
  const result = compileTexts([{ file: 'test.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

describe('--fail', () => {
  it('fails the run fast: nothing that needs the failed job starts, and the error names it', async () => {
    // GIVEN player-analytics, whose revenue job is retried twice (1m, then 2m)
    const compiled = get('player-analytics');

    // WHEN revenue fails on every attempt
    const report = await simulate(compiled, { date: '2019-03-12', fail: ['revenue'] });

    // THEN the run failed with revenue named, after its three attempts and the retry pauses
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('revenue');
    expect(report.error).toContain("job 'revenue' failed in state 'revenue' (stepgraph.SimulatedFailure");
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    expect(jobs.get('revenue')).toMatchObject({ status: 'failed', attempts: 3, startSeconds: 55 * 60 });
    expect(jobs.get('revenue')!.endSeconds).toBe(55 * 60 + 3 * 20 * 60 + 60 + 120);
    expect(report.makespanSeconds).toBe(jobs.get('revenue')!.endSeconds);
    // AND no job downstream of revenue started
    for (const name of downstreamClosure(compiled.workflow, ['revenue']).filter((n) => n !== 'revenue')) {
      expect(jobs.get(name)).toMatchObject({ status: 'not_started', startSeconds: null });
    }
  });

  it('a data pipeline whose activation fails fails the run the same way', async () => {
    const report = await simulate(get('player-analytics'), { date: '2019-03-12', fail: ['purchases'] });
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('purchases');
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    expect(jobs.get('purchases')).toMatchObject({ status: 'failed', attempts: 3 });
    expect(jobs.get('revenue')!.status).toBe('not_started');
    // The activation fails at once, so the run ends after the two retry pauses (1m + 2m).
    expect(report.makespanSeconds).toBe(180);
  });
});

describe('a workflow split into child state machines', () => {
  it('a job failing inside a child fails the run, names the job, and nothing after it starts', async () => {
    // GIVEN a 1,000-job chain, too big for one state machine
    const { compiled } = compileWorkflow(randomWorkflow('chain', 1000, 7));
    expect(compiled.definitions.map((d) => d.id)).toEqual(['main', 'part-1', 'part-2']);

    // WHEN j900, which runs in a child, fails
    const report = await simulate(compiled, { date: '2019-03-12', fail: ['j900'] });

    // THEN the parent failed because the child did, and the report names the job
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('j900');
    // (the parent fails in its Task that ran the part, in place: no Fail state to redrive into)
    expect(report.error).toMatch(/^job 'j900' failed in state 'j900' \(States\.TaskFailed: .*stepgraph\.SimulatedFailure.*job 'j900' failed/);
    const later = downstreamClosure(compiled.workflow, ['j900']).filter((j) => j !== 'j900');
    expect(later.length).toBeGreaterThan(0);
    for (const name of later) expect(report.jobs.find((j) => j.name === name)!.status).toBe('not_started');
  });
});

describe('external markers', () => {
  it('a missing marker fails the run at its deadline, not earlier, not later', async () => {
    // GIVEN finance-close's ledger waits up to 6h for payments
    const compiled = get('finance-close');
    const deadline = compiled.workflow.jobs[0].waitsFor.find((w) => w.marker === 'payments')!.timeoutSeconds;
    expect(deadline).toBe(6 * 3600);

    // WHEN payments never appears
    const report = await simulate(compiled, { date: '2019-03-12', missing: ['payments'] });

    // THEN the run fails exactly at the deadline, in the wait's own state (a redrive waits again)
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe("job 'ledger' failed in state 'ledger waits for payments' (States.Timeout: waited for marker 'payments' until the deadline; it never appeared)");
    expect(report.makespanSeconds).toBe(deadline);
    const ledger = report.jobs.find((j) => j.name === 'ledger')!;
    expect(ledger.status).toBe('wait_timed_out');
    const wait = ledger.waits.find((w) => w.what === 'payments')!;
    expect(wait.toSeconds).toBe(deadline);
    expect(report.jobs.filter((j) => j.startSeconds !== null)).toEqual([]);
  });

  it('a late marker releases its wait the instant it appears', async () => {
    const compiled = get('finance-close');
    const report = await simulate(compiled, { date: '2019-03-12', late: { payments: 5000 } });
    expect(report.status).toBe('SUCCEEDED');
    const ledger = report.jobs.find((j) => j.name === 'ledger')!;
    expect(ledger.startSeconds).toBe(5000);
    expect(report.lateness.delays.map((d) => d.kind)).toEqual(['external-wait']);
    expect(report.lateness.delays[0].text).toContain("marker 'payments'");
  });
});

describe('replay (select)', () => {
  it('runs only the selected jobs and writes only their markers', async () => {
    // GIVEN a replay of daily_kpis and everything downstream of it
    const compiled = get('player-analytics');
    const select = downstreamClosure(compiled.workflow, ['daily_kpis']);
    expect(select).toEqual(['daily_kpis', 'bi_import']);
    const store = new MemoryMarkerStore();

    // WHEN it is simulated
    const report = await simulate(compiled, { date: '2019-03-12', select, store });

    // THEN only those jobs ran, the others were skipped, and only their markers exist
    expect(report.status).toBe('SUCCEEDED');
    const ran = report.jobs.filter((j) => j.status === 'succeeded').map((j) => j.name);
    expect(ran).toEqual(select);
    expect(report.jobs.filter((j) => j.status === 'skipped').map((j) => j.name)).toEqual(['player_entry', 'sessions', 'purchases', 'revenue']);
    const jobMarkers = store.keys().filter((k) => k.startsWith('acme-job-markers/done/') && !k.includes('payments'));
    expect(jobMarkers).toEqual(['acme-job-markers/done/bi_import__20190312.done', 'acme-job-markers/done/daily_kpis__20190312.done']);
    expect(report.makespanSeconds).toBe(30 * 60 + 15 * 60);
  });
});

describe('two runs of one date in one store', () => {
  it("the second run's in-run waits are not released by the first run's signals", async () => {
    // GIVEN ad-attribution, where attribution waits inside the run for installs, and one store
    // of markers and one of waiters and signals shared by two runs (as the stack's table is)
    const compiled = get('ad-attribution');
    expect(compiled.plan.sync).toEqual([{ after: 'installs', job: 'attribution' }]);
    const store = new MemoryMarkerStore();
    const waiters = new MemoryWaiterStore();
    const first = await simulate(compiled, { date: '2019-03-12T05', store, waiters, executionName: 'ad-attribution-2019-03-12T05' });
    expect(first.status).toBe('SUCCEEDED');
    expect(await waiters.isSignalled('run://ad-attribution-2019-03-12T05/installs')).toBe(true);
    expect(waiters.size).toBe(0);

    // WHEN the same date runs again (a new execution) with installs 15 minutes late
    const second = await simulate(compiled, { date: '2019-03-12T05', store, waiters, executionName: 'ad-attribution-2019-03-12T05-replay-1', late: { installs: 900 } });

    // THEN attribution started the instant installs of the second run ended, not before
    expect(second.status).toBe('SUCCEEDED');
    const jobs = new Map(second.jobs.map((j) => [j.name, j]));
    expect(jobs.get('installs')!.endSeconds).toBe(8 * 60 + 900);
    expect(jobs.get('attribution')!.startSeconds).toBe(jobs.get('installs')!.endSeconds!);
    const wait = jobs.get('attribution')!.waits.find((w) => w.what === 'installs')!;
    expect(wait.toSeconds! - wait.fromSeconds).toBeGreaterThan(0);
    expect(waiters.size).toBe(0);
  });
});

describe('durations and defaults', () => {
  it('takes durations over estimates, and a minute (with a note) for a job with neither', async () => {
    const compiled = compileOne('name: t\njobs:\n  a:\n    lambda: fn-a\n    estimate: 10m\n  b:\n    needs: [a]\n    lambda: fn-b\n');
    const report = await simulate(compiled, { date: '2019-03-12', durations: { a: 120 } });
    expect(report.jobs.map((j) => [j.name, j.startSeconds, j.endSeconds])).toEqual([
      ['a', 0, 120],
      ['b', 120, 180],
    ]);
    expect(report.notes).toEqual(['no estimate, so 1 minute each: b']);
  });

  it('a job that outlives its timeout fails with States.Timeout after its retries', async () => {
    const compiled = compileOne('name: t\njobs:\n  a:\n    lambda: fn-a\n    estimate: 10m\n    timeout: 5m\n    retry: { attempts: 1, interval: 30s }\n');
    const report = await simulate(compiled, { date: '2019-03-12' });
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('a');
    expect(report.jobs[0]).toMatchObject({ status: 'failed', attempts: 2, endSeconds: 300 + 30 + 300 });
    expect(report.jobs[0].error).toContain('timed out after 300s');
  });
});

describe('bad input', () => {
  it('names an unknown job or marker with a did-you-mean', async () => {
    const compiled = get('player-analytics');
    await expect(simulate(compiled, { fail: ['revenu'] })).rejects.toThrow("--fail revenu: workflow 'player-analytics' has no job 'revenu'; did you mean 'revenue'?");
    await expect(simulate(compiled, { late: { paymnts: 60 } })).rejects.toThrow("did you mean 'payments'?");
    await expect(simulate(compiled, { missing: ['sessions'] })).rejects.toThrow("does not wait for a marker 'sessions'");
    await expect(simulate(compiled, { date: '2019-02-30' })).rejects.toThrow('February 2019 has no day 30');
  });
});
