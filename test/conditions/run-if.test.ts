// when and run_if on aws-local-stepfunctions, through simulate (the same ASL the stack deploys):
// a job skipped by its condition counts as done and writes no marker; a rule runs its job when
// its needs ended as it says; a failure a rule waits for is handed on, the rule's job runs, and
// the run still fails, naming the job that failed first; any other failure stays in place.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { simulate, type SimulationReport } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { validateAsl } from '../support/asl-validate.ts';

const YAML = `name: nightly-load
jobs:
  extract:
    lambda: extract
    estimate: 10m
  side:
    lambda: side
    estimate: 5m
  load:
    needs: [extract]
    lambda: load
    estimate: 14m
  publish:
    needs: [load]
    when: { param: mode, equals: full }
    lambda: publish
    estimate: 2m
  announce:
    needs: [publish]
    lambda: announce
    estimate: 1m
  cleanup:
    needs: [load, side]
    run_if: all_done
    lambda: drop-temp
    estimate: 3m
  alert:
    needs: [load]
    run_if: one_failed
    lambda: alert
    estimate: 1m
  rescue:
    needs: [extract, side]
    run_if: all_failed
    lambda: rescue
    estimate: 1m
  unrelated:
    lambda: unrelated
    estimate: 50m
`;

function compile(text = YAML) {
  const result = compileTexts([{ file: 'nightly-load.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

async function run(options: { params?: Record<string, unknown>; fail?: string[] } = {}, text = YAML): Promise<{ report: SimulationReport; store: MemoryMarkerStore; status: (job: string) => string }> {
  const store = new MemoryMarkerStore();
  const report = await simulate(compile(text), { date: '2019-03-12', store, ...options });
  const status = (job: string): string => report.jobs.find((j) => j.name === job)!.status;
  return { report, store, status };
}

const marker = (store: MemoryMarkerStore, job: string): boolean => store.keys().some((k) => k.endsWith(`/${job}__20190312.done`));
const job = (report: SimulationReport, name: string) => report.jobs.find((j) => j.name === name)!;

describe('when and run_if on the local engine', () => {
  it('emit a definition both validators accept', async () => {
    expect(await validateAsl(compile().definitions[0].definition)).toEqual([]);
  });

  it('run everything by rule when nothing fails: one_failed and all_failed jobs do not run', async () => {
    // GIVEN mode=full WHEN the run goes well
    const { report, store, status } = await run({ params: { mode: 'full' } });
    // THEN every all_success and all_done job runs, the failure rules' jobs do not, the run succeeds
    expect(report.status).toBe('SUCCEEDED');
    for (const name of ['extract', 'side', 'load', 'publish', 'announce', 'cleanup', 'unrelated']) expect(status(name), name).toBe('succeeded');
    expect(status('alert')).toBe('not_run');
    expect(status('rescue')).toBe('not_run');
    expect(marker(store, 'alert')).toBe(false);
    // cleanup starts the instant the last of its needs ended
    expect(job(report, 'cleanup').startSeconds).toBe(Math.max(job(report, 'load').endSeconds!, job(report, 'side').endSeconds!));
  });

  it('skips a job whose condition is false: it counts as done for its dependents and writes no marker', async () => {
    const { report, store, status } = await run({ params: { mode: 'partial' } });
    expect(report.status).toBe('SUCCEEDED');
    expect(status('publish')).toBe('skipped_by_condition');
    expect(marker(store, 'publish')).toBe(false);
    expect(status('announce')).toBe('succeeded');
    expect(marker(store, 'announce')).toBe(true);
    // Skipped at once: announce starts when load ends.
    expect(job(report, 'announce').startSeconds).toBe(job(report, 'load').endSeconds);
  });

  it('hands a failure on to the rules waiting for it, then fails the run naming that job', async () => {
    // GIVEN load fails after its retries
    const { report, store, status } = await run({ params: { mode: 'full' }, fail: ['load'] });
    // THEN its all_success dependents do not run, its all_done and one_failed dependents do
    expect(status('load')).toBe('failed');
    expect(marker(store, 'load')).toBe(false);
    expect(status('publish')).toBe('not_run');
    expect(status('announce')).toBe('not_run');
    expect(status('cleanup')).toBe('succeeded');
    expect(status('alert')).toBe('succeeded');
    expect(marker(store, 'cleanup')).toBe(true);
    expect(job(report, 'alert').startSeconds).toBe(job(report, 'load').endSeconds);
    // side is a need of cleanup: it is not stopped; nor is the unrelated branch, still running
    expect(status('side')).toBe('succeeded');
    expect(status('unrelated')).toBe('succeeded');
    // AND the run still fails, and names load
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('load');
    expect(report.error).toContain('load');
  });

  it('names the job that failed first when several failures are handed on', async () => {
    // side ends at 5m, extract at 10m: side failed first
    const { report, status } = await run({ fail: ['extract', 'side'] });
    expect(status('rescue')).toBe('succeeded');
    expect(status('load')).toBe('not_run');
    expect(status('cleanup')).toBe('succeeded');
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('side');
  });

  it('runs all_failed only when every need failed', async () => {
    const { status } = await run({ fail: ['extract'] });
    expect(status('rescue')).toBe('not_run');
    expect(status('cleanup')).toBe('succeeded');
  });

  it('keeps a failure no rule waits for in place: the run stops there', async () => {
    // GIVEN a job that no run_if job waits for fails (announce follows publish, nobody's rule follows it)
    const { report, status } = await run({ params: { mode: 'full' }, fail: ['announce'] });
    // THEN the run fails in announce's own state, and nothing recorded it as handed on
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('announce');
    expect(report.error).not.toContain('stepgraph.JobFailed');
    expect(status('announce')).toBe('failed');
    // fail-fast: the unrelated 50-minute branch was stopped
    expect(status('unrelated')).toBe('cancelled');
  });
});
