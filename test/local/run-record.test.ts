// `run --local` and the processes it leaves: a catchable signal stops the commands' process
// groups with the run; after SIGKILL (which stepgraph cannot catch) the next run of the same
// workflow and date finds the commands still running and refuses, or stops them with
// --kill-stale; a record whose processes are gone is cleared and the run goes on.
// Real processes throughout (a `sleep` in its own process group); no timing is asserted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alive, recordPath, type RunRecordData } from '../../generator/local/run-record.ts';

const CLI = resolve('bin/stepgraph.mjs');
const WORKFLOW = ['name: stale', 'jobs:', '  slow:', '    lambda: fn-slow', '    local: { command: "sleep {secs}" }', '  after:', '    needs: [slow]', '    lambda: fn-after', ''].join('\n');

/** Process groups a test started, stopped whatever happens. */
const groups: number[] = [];
afterEach(() => {
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function setup(): { dir: string; file: string; markers: string; record: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stepgraph-record-'));
  const file = join(dir, 'stale.yaml');
  writeFileSync(file, WORKFLOW);
  const markers = join(dir, 'markers');
  return { dir, file, markers, record: recordPath(markers, 'stale', '20190312') };
}

const args = (file: string, markers: string, secs: number, ...more: string[]): string[] => [CLI, 'run', file, '--local', '--date', '2019-03-12', '--markers', markers, '--param', `secs=${secs}`, ...more];

/** Starts `run --local` whose job sleeps; resolves once the record names the sleep's process group. */
async function startSleeping(file: string, markers: string, record: string) {
  const child = spawn(process.execPath, args(file, markers, 600), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let pgid = 0;
  await vi.waitFor(
    () => {
      const data = JSON.parse(readFileSync(record, 'utf8')) as RunRecordData;
      expect(data.commands).toHaveLength(1);
      pgid = data.commands[0].pgid;
    },
    { timeout: 60_000, interval: 50 },
  );
  groups.push(pgid);
  return { child, exited, pgid, output: () => output };
}

describe('run --local after SIGKILL', () => {
  it('refuses while the killed run\'s command still runs, naming it; --kill-stale stops it and runs', async () => {
    // GIVEN a run killed with SIGKILL while its command sleeps
    const { file, markers, record } = setup();
    const first = await startSleeping(file, markers, record);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ pid: first.child.pid, workflow: 'stale', date: '2019-03-12', commands: [{ job: 'slow', command: 'sleep 600' }] });
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(-first.pgid)).toBe(true);

    // WHEN the same workflow and date run again
    const refused = spawnSync(process.execPath, args(file, markers, 0), { encoding: 'utf8' });

    // THEN it is refused with exit 1, naming the live command and how to stop it; nothing ran
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('a previous run --local of stale for 2019-03-12');
    expect(refused.stderr).toContain(`job 'slow' (process group ${first.pgid}: sleep 600)`);
    expect(refused.stderr).toContain(`kill -TERM -- -${first.pgid}`);
    expect(refused.stderr).toContain('--kill-stale');
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(alive(-first.pgid)).toBe(true);
    expect(existsSync(join(markers, 'stepgraph-stale-markers', 'done', 'slow__20190312.done'))).toBe(false);

    // WHEN it runs again with --kill-stale
    const again = spawnSync(process.execPath, args(file, markers, 0, '--kill-stale'), { encoding: 'utf8' });

    // THEN the old command is stopped, the run goes on and succeeds, and no record is left
    expect(again.stderr + again.stdout).toContain('--kill-stale: stopping the previous run --local of stale');
    expect(again.status).toBe(0);
    expect(alive(-first.pgid)).toBe(false);
    expect(existsSync(join(markers, 'stepgraph-stale-markers', 'done', 'slow__20190312.done'))).toBe(true);
    expect(existsSync(record)).toBe(false);
  });

  it('clears a record whose processes are gone and runs (the unfinished jobs run again)', () => {
    // GIVEN a record left by a run whose stepgraph and command have both ended
    const { file, markers, record } = setup();
    const gone = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
    const pid = Number(gone.stdout.trim());
    expect(alive(pid)).toBe(false);
    mkdirSync(join(record, '..'), { recursive: true });
    writeFileSync(record, JSON.stringify({ pid, workflow: 'stale', date: '2019-03-12', startedAt: '2019-03-12T00:00:00.000Z', commands: [{ job: 'slow', pgid: pid, command: 'sleep 600' }] }));

    // WHEN the workflow runs for that date
    const run = spawnSync(process.execPath, args(file, markers, 0), { encoding: 'utf8' });

    // THEN it says so, runs every job, and removes the record
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ended without finishing');
    expect(run.stdout).toMatch(/ {2}slow .* succeeded/);
    expect(existsSync(record)).toBe(false);
  });
});

describe('run --local stopped by a catchable signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s stops the command\'s whole process group and removes the record', async (signal, exitCode) => {
    // GIVEN a run whose command sleeps in its own process group
    const { file, markers, record } = setup();
    const run = await startSleeping(file, markers, record);
    expect(alive(-run.pgid)).toBe(true);

    // WHEN the signal arrives
    run.child.kill(signal);
    const code = await run.exited;

    // THEN the run ends with 128 + the signal, its command's group is gone and nothing is left to find
    expect(code).toBe(exitCode);
    await vi.waitFor(() => expect(alive(-run.pgid)).toBe(false), { timeout: 30_000, interval: 50 });
    expect(existsSync(record)).toBe(false);
    expect(run.output()).toContain('outcome: ABORTED');
  });
});

describe('run --local stopped while a sweep job runs', () => {
  it("SIGINT ends the process, not just the run: the items' 10-minute clocks stop with it", async () => {
    // GIVEN a sweep job whose Lambda-run items take the default 10 minutes, run in real time
    const dir = mkdtempSync(join(tmpdir(), 'stepgraph-sweep-stop-'));
    const file = join(dir, 'swept.yaml');
    writeFileSync(file, ['name: swept', 'jobs:', '  train:', '    sweep:', '      lambda: train-fn', '      params:', '        - { name: a }', '        - { name: b }', ''].join('\n'));
    const child = spawn(process.execPath, [CLI, 'run', file, '--local', '--date', '2019-03-12', '--markers', join(dir, 'markers'), '--speed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await vi.waitFor(() => expect(output).toContain('start   train'), { timeout: 60_000, interval: 50 });

    // WHEN Ctrl-C arrives once
    child.kill('SIGINT');

    // THEN the process exits as stopped by SIGINT (before the fix it lived on until the items' timers ended)
    expect(await exited).toBe(130);
    expect(output).toContain('stopping the run (SIGINT');
  }, 120_000);
});
