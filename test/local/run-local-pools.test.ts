// `run --local --dates ... --parallel N` honours pools: several dates' runs at once in real time,
// real commands that record when they start and end, one slot. The log must read start, end,
// start, end...: never two loads at once, whatever the order; and every slot comes back, after
// a failing command too, and when the process is stopped with SIGINT or SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocallyDates } from '../../generator/local/local-runs.ts';

const temp = () => mkdtempSync(join(tmpdir(), 'run-local-pools-'));

/** Loads take the one slot of `warehouse`; a date named in `fail` fails its load (no retries). */
function workflowText(log: string, load: string, fail = 'none'): string {
  return [
    'name: pooled',
    'pools:',
    '  warehouse: { slots: 1 }',
    'jobs:',
    '  extract:',
    '    lambda: fn-extract',
    '    local: { command: "true" }',
    '  load:',
    '    needs: [extract]',
    '    lambda: fn-load',
    '    pool: warehouse',
    '    retry: { attempts: 0 }',
    `    local: { command: 'echo "start $STEPGRAPH_DATE" >> ${log}; ${load}; test "$STEPGRAPH_DATE" != ${fail} || exit 1; echo "end $STEPGRAPH_DATE" >> ${log}' }`,
    '',
  ].join('\n');
}

/** The log's lines as [event, date] pairs. */
const events = (log: string): [string, string][] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]) : []);

/** With one slot, the lines alternate: each start is followed by the end of the same date before the next start. */
function expectOneAtATime(lines: [string, string][], failed: readonly string[] = []): void {
  let open: string | undefined;
  for (const [event, date] of lines) {
    if (event === 'start') {
      expect(open, `a load of ${date} started while ${open}'s ran`).toBeUndefined();
      if (!failed.includes(date)) open = date;
    } else {
      expect(date).toBe(open);
      open = undefined;
    }
  }
}

const sink = { write: () => undefined };

describe('run --local --dates honours pools', () => {
  it('three dates, three at once, one slot: the loads never overlap and the slot comes back', async () => {
    const dir = temp();
    const log = join(dir, 'loads.log');
    const compiled = compileTexts([{ file: 'pooled.yaml', text: workflowText(log, 'sleep 0.2') }]).compiled[0];
    const { runs, notStarted, pools } = await runLocallyDates(compiled, { dates: ['2019-03-10', '2019-03-11', '2019-03-12'], parallel: 3, store: new DirectoryMarkerStore(join(dir, 'markers')), output: sink }).result;
    expect(runs.map((r) => [r.date, r.status])).toEqual([
      ['2019-03-10', 'SUCCEEDED'],
      ['2019-03-11', 'SUCCEEDED'],
      ['2019-03-12', 'SUCCEEDED'],
    ]);
    expect(notStarted).toEqual([]);
    const lines = events(log);
    expect(lines).toHaveLength(6);
    expectOneAtATime(lines);
    expect(pools).toEqual([{ pool: 'warehouse', slots: 1, peak: 1, heldAtEnd: 0 }]);
  });

  it('a failing load fails its date only: its run ends, the slot comes back, the other dates load', async () => {
    const dir = temp();
    const log = join(dir, 'loads.log');
    const compiled = compileTexts([{ file: 'pooled.yaml', text: workflowText(log, 'sleep 0.1', '2019-03-11') }]).compiled[0];
    const { runs, pools } = await runLocallyDates(compiled, { dates: ['2019-03-10', '2019-03-11', '2019-03-12'], parallel: 3, store: new DirectoryMarkerStore(join(dir, 'markers')), output: sink }).result;
    expect(runs.map((r) => [r.date, r.status])).toEqual([
      ['2019-03-10', 'SUCCEEDED'],
      ['2019-03-11', 'FAILED'],
      ['2019-03-12', 'SUCCEEDED'],
    ]);
    expect(runs[1].failedJob).toBe('load');
    const lines = events(log);
    expect(lines.filter(([e]) => e === 'start').map(([, d]) => d).sort()).toEqual(['2019-03-10', '2019-03-11', '2019-03-12']);
    expectOneAtATime(lines, ['2019-03-11']);
    expect(pools).toEqual([{ pool: 'warehouse', slots: 1, peak: 1, heldAtEnd: 0 }]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops every run: exit 128 + the signal, the held slot comes back, the waiting dates never load', async (signal, exitCode) => {
    const dir = temp();
    const log = join(dir, 'loads.log');
    writeFileSync(join(dir, 'pooled.yaml'), workflowText(log, 'sleep 20'));
    const child = spawn(process.execPath, [resolve('bin/stepgraph.mjs'), 'run', join(dir, 'pooled.yaml'), '--local', '--dates', '2019-03-10..2019-03-12', '--parallel', '3', '--json', '--markers', join(dir, 'markers')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));

    await vi.waitFor(() => expect(events(log)).toHaveLength(1), { timeout: 30_000, interval: 50 });
    child.kill(signal);
    const code = await exited;

    expect(code, stderr).toBe(exitCode);
    expect(stderr).toContain('stopping the runs');
    const out = JSON.parse(stdout) as { runs: { date: string; status: string }[]; pools: unknown[] };
    expect(out.runs.map((r) => r.status)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    expect(out.pools).toEqual([{ pool: 'warehouse', slots: 1, peak: 1, heldAtEnd: 0 }]);
    // One load started (the slot's holder), was stopped before its end; no other load started.
    await new Promise((r) => setTimeout(r, 300));
    expect(events(log).map(([e]) => e)).toEqual(['start']);
  }, 60_000);

  it('--parallel needs --dates, and --dates refuses --date (exit 1)', async () => {
    const { run } = await import('../../generator/cli/commands/run.ts');
    const file = join(temp(), 'pooled.yaml');
    writeFileSync(file, workflowText('/dev/null', 'true'));
    await expect(run([file, '--local', '--parallel', '2'])).rejects.toThrow(/needs --dates/);
    await expect(run([file, '--local', '--dates', '2019-03-10..2019-03-11', '--date', '2019-03-10'])).rejects.toThrow(/without --date/);
    await expect(run([file, '--local', '--dates', '2019-03-10..2019-03-11', '--parallel', '0'])).rejects.toThrow(/whole number/);
  });
});
