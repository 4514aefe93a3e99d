// `run --local`: the emitted definition in real time, jobs running their local commands,
// markers in a directory or on s3rver, progress as plain lines, Ctrl-C stopping everything.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { S3MarkerStore } from '../../generator/local/s3-store.ts';

interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverServer;

const temp = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-run-'));

function compileOne(text: string): CompiledWorkflow {
  const result = compileTexts([{ file: 'local.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

/** An output that collects lines, like a pipe (no terminal: plain lines). */
function collector(): { write(text: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (text) => void lines.push(...text.split('\n').filter((l) => l !== '')) };
}

const PIPELINE = `
name: local-etl
defaults:
  retry: { attempts: 1, interval: 1s }
jobs:
  extract:
    lambda: fn-extract
    params: { source: games }
    local: { command: "echo extracting {source} for {date} attempt {attempt}; echo env $STEPGRAPH_JOB $STEPGRAPH_DATE $STEPGRAPH_PARAM_SOURCE $STEPGRAPH_PARAM_MODE; echo to stderr >&2" }
  ingest:
    lambda: fn-ingest
    estimate: 10m
  load:
    needs: [extract, ingest]
    lambda: fn-load
    local: { command: "echo loading {mode} {yyyy}/{mm}/{dd}, awk stays '{print $1}'" }
  report:
    needs: [extract]
    lambda: fn-report
`;

describe('runLocally', () => {
  it('runs each job once, after its needs, commands with templates and environment, output prefixed', async () => {
    // GIVEN a workflow with local commands and a directory store
    const compiled = compileOne(PIPELINE);
    const store = new DirectoryMarkerStore(temp());
    const output = collector();

    // WHEN it runs locally, with ingest taking 10m x 0.001 = 0.6s
    const report = await runLocally(compiled, { date: '2019-03-12', params: { mode: 'full' }, store, output, speed: 0.001 }).report;

    // THEN it succeeded, in dependency order, every job exactly once
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(report.mode).toBe('local');
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    for (const j of report.jobs) expect([j.name, j.status, j.attempts]).toEqual([j.name, 'succeeded', 1]);
    expect(jobs.get('load')!.startSeconds).toBeGreaterThanOrEqual(Math.max(jobs.get('extract')!.endSeconds!, jobs.get('ingest')!.endSeconds!));
    expect(jobs.get('ingest')!.endSeconds! - jobs.get('ingest')!.startSeconds!).toBeGreaterThanOrEqual(0.55);
    // AND the commands saw their templates and environment, their output prefixed with the job
    expect(output.lines).toContain('[extract] extracting games for 2019-03-12 attempt 1');
    expect(output.lines).toContain('[extract] env extract 2019-03-12 games full');
    expect(output.lines).toContain('[extract] to stderr');
    expect(output.lines).toContain("[load] loading full 2019/03/12, awk stays {print $1}");
    expect(output.lines.filter((l) => /^\+\d:\d\d:\d\d start {3}load$/.test(l))).toHaveLength(1);
    expect(output.lines.filter((l) => /^\+\d:\d\d:\d\d done {4}extract \(\d+\.\ds\)$/.test(l))).toHaveLength(1);
    // AND each job's marker is in the store, whole JSON with the job's own times
    const marker = JSON.parse((await store.get('stepgraph-local-etl-markers', 'done/load__20190312.done'))!);
    expect(marker).toMatchObject({ workflow: 'local-etl', job: 'load', date: '2019-03-12' });
    expect(Date.parse(marker.finishedAt)).toBeGreaterThanOrEqual(Date.parse(marker.startedAt));
    for (const job of ['extract', 'ingest', 'load', 'report']) expect(await store.get('stepgraph-local-etl-markers', `done/${job}__20190312.done`)).toBeDefined();
  });

  it('a failing command is retried, then fails the run; nothing downstream starts', async () => {
    const compiled = compileOne(PIPELINE.replace('echo to stderr >&2', 'echo broken >&2; exit 3'));
    const output = collector();
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output }).report;
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('extract');
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    expect(jobs.get('extract')).toMatchObject({ status: 'failed', attempts: 2, error: 'stepgraph.CommandFailed: the command exited with status 3' });
    expect(jobs.get('load')!.status).toBe('not_started');
    expect(jobs.get('report')!.status).toBe('not_started');
    expect(output.lines.filter((l) => l === '[extract] broken')).toHaveLength(2);
    expect(output.lines.some((l) => /retry {3}extract: attempt 1 failed \(exit 3\), retrying at once \(attempt 2 of 2\)/.test(l))).toBe(true);
  });

  it('--speed scales retry pauses too: a 10-minute retry interval at 0.001 pauses 0.6 s', async () => {
    // GIVEN a job whose command fails on its first attempt, retried after 10 minutes
    const compiled = compileOne(`name: flaky\ndefaults:\n  retry: { attempts: 1, interval: 10m }\njobs:\n  once:\n    lambda: fn\n    local: { command: "test {attempt} -gt 1" }\n`);
    const output = collector();
    // WHEN it runs at --speed 0.001
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output, speed: 0.001 }).report;
    // THEN the second attempt ran after the scaled pause, and the progress said so
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const job = report.jobs[0];
    expect(job.attempts).toBe(2);
    const pause = job.attemptStartSeconds[1] - job.attemptStartSeconds[0];
    expect(pause).toBeGreaterThanOrEqual(0.5);
    expect(pause).toBeLessThan(60);
    expect(output.lines.some((l) => /retry {3}once: attempt 1 failed \(exit 1\), retrying in 0\.6s \(attempt 2 of 2\)/.test(l))).toBe(true);
  });

  it("--speed scales Wait states that read their time from the input: a sweep's launch delays of 2 and 4 minutes take 0.12 and 0.24 s", async () => {
    // GIVEN a sweep job whose items launch 2 minutes apart (their delays are read from each item) and run 1 s
    const compiled = compileOne(
      'name: spaced\njobs:\n  train:\n    sweep:\n      launch_delay: 2m\n      max_concurrent: 3\n      lambda: train-fn\n      defaults: { ttl: 1s }\n      params:\n        - { name: a }\n        - { name: b }\n        - { name: c }\n',
    );
    // WHEN it runs at --speed 0.001
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: collector(), speed: 0.001 }).report;
    // THEN it succeeded with the delays scaled (unscaled, the last item would start after 4 minutes;
    // scaled, after 0.24 s, and the items' own second is scaled too)
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const job = report.jobs[0];
    expect(job.endSeconds! - job.startSeconds!).toBeGreaterThanOrEqual(0.24);
    expect(job.endSeconds! - job.startSeconds!).toBeLessThan(60);
  }, 90_000);

  it("--speed scales a sweep job's items: two items of the default 10 minutes at 0.001 run 0.6 s each", async () => {
    // GIVEN a sweep job whose Lambda-run items say nothing of their time (each runs the default 10 minutes)
    const compiled = compileOne('name: swept\njobs:\n  train:\n    sweep:\n      lambda: train-fn\n      params:\n        - { name: a }\n        - { name: b }\n');
    // WHEN it runs at --speed 0.001
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: collector(), speed: 0.001 }).report;
    // THEN the items ran their scaled time (unscaled, the test would time out after 90 s)
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const job = report.jobs[0];
    expect(job.endSeconds! - job.startSeconds!).toBeGreaterThanOrEqual(0.6);
    expect(job.endSeconds! - job.startSeconds!).toBeLessThan(60);
  }, 90_000);

  it('--speed scales a data pipeline: an hour-long pipeline at 0.001 completes in 3.6 s, released by its marker', async () => {
    const compiled = compileOne('name: piped\njobs:\n  entry:\n    data_pipeline: player-entry\n    estimate: 1h\n  after:\n    needs: [entry]\n    lambda: fn\n');
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: collector(), speed: 0.001 }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const entry = report.jobs.find((j) => j.name === 'entry')!;
    expect(entry.endSeconds! - entry.startSeconds!).toBeGreaterThanOrEqual(3.5);
    expect(entry.endSeconds! - entry.startSeconds!).toBeLessThan(60);
  }, 90_000);

  it('a wait says which marker file it needs', async () => {
    const dir = temp();
    const compiled = compileOne(`name: waiting\njobs:\n  load:\n    lambda: fn\n    waits_for: [{ marker: upstream, timeout: 2s }]\n`);
    const output = collector();
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(dir), output, waitExternal: true, speed: 0.001 }).report;
    expect(report.status).toBe('FAILED');
    expect(output.lines.some((l) => l.includes(`wait    load (for marker upstream: needs ${join(dir, 'stepgraph-waiting-markers', 'done', 'upstream__20190312.done')})`))).toBe(true);
  });

  it('runs a replay selection only', async () => {
    const compiled = compileOne(PIPELINE);
    const store = new DirectoryMarkerStore(temp());
    const report = await runLocally(compiled, { date: '2019-03-12', params: { mode: 'full' }, select: ['load'], store, output: collector() }).report;
    expect(report.jobs.map((j) => [j.name, j.status])).toEqual([
      ['extract', 'skipped'],
      ['ingest', 'skipped'],
      ['load', 'succeeded'],
      ['report', 'skipped'],
    ]);
    expect(await store.get('stepgraph-local-etl-markers', 'done/extract__20190312.done')).toBeUndefined();
  });
});

describe('run --local against s3rver', () => {
  let server: S3rverServer;
  let endpoint: string;
  beforeAll(async () => {
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: temp() });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  });
  afterAll(() => server.close());

  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('keeps the markers on the endpoint (buckets created, external markers written first)', async () => {
    const code = await main(['run', 'workflows/player-analytics.yaml', '--local', '--date', '2019-03-12', '--s3-endpoint', endpoint, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.status).toBe('SUCCEEDED');
    const store = new S3MarkerStore(endpoint);
    const body = await store.client.send(new GetObjectCommand({ Bucket: 'acme-job-markers', Key: 'done/bi_import__20190312.done' }));
    expect(JSON.parse(await body.Body!.transformToString())).toMatchObject({ workflow: 'player-analytics', job: 'bi_import', date: '2019-03-12' });
    expect(await store.get('acme-job-markers', 'done/payments__20190312.done')).toContain('stepgraph run --local');
    // Data pipelines write their own marker when they are done.
    expect(await store.get('acme-job-markers', 'done/purchases__20190312.done')).toContain('data pipeline (local)');
    store.close();
  });

  it('an unreachable endpoint is one clear line and exit 1', async () => {
    const code = await main(['run', 'player-analytics', '--local', '--s3-endpoint', 'http://127.0.0.1:9']);
    expect(code).toBe(1);
    expect(err).toEqual(['stepgraph run: --s3-endpoint: cannot reach the S3 endpoint http://127.0.0.1:9: ECONNREFUSED']);
  });
});

// Issue 12, item 11: every catchable signal stops the commands too (they run in their own process group).
describe('Ctrl-C, SIGTERM and SIGHUP', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s stops the run and its commands, and says what ran', async (signal, exitCode) => {
    // GIVEN a run whose second job sleeps, then would write a file
    const dir = temp();
    const flag = join(dir, 'slow-finished');
    writeFileSync(
      join(dir, 'slow.yaml'),
      [
        'name: slow',
        'jobs:',
        '  quick:',
        '    lambda: fn-quick',
        '    local: { command: "echo quick" }',
        '  slow:',
        '    needs: [quick]',
        '    lambda: fn-slow',
        `    local: { command: "echo slow start; sleep 20; touch ${flag}" }`,
        '  after:',
        '    needs: [slow]',
        '    lambda: fn-after',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [resolve('bin/stepgraph.mjs'), 'run', join(dir, 'slow.yaml'), '--local', '--date', '2019-03-12', '--markers', join(dir, 'markers')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));

    // WHEN the signal arrives while slow runs
    await vi.waitFor(() => expect(output).toContain('[slow] slow start'), { timeout: 30_000, interval: 50 });
    child.kill(signal);
    const code = await exited;

    // THEN the run stopped with exit 128 + the signal, saying what ran; the command was stopped with it
    expect(code).toBe(exitCode);
    expect(output).toContain('stopping the run');
    expect(output).toContain('outcome: ABORTED');
    expect(output).toMatch(/ {2}quick .* succeeded/);
    expect(output).toMatch(/ {2}slow .* cancelled/);
    expect(output).toMatch(/ {2}after .* not started/);
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(flag)).toBe(false);
    expect(readdirSync(join(dir, 'markers', 'stepgraph-slow-markers', 'done')).sort()).toEqual(['quick__20190312.done']);
    expect(readFileSync(join(dir, 'markers', 'stepgraph-slow-markers', 'done', 'quick__20190312.done'), 'utf8')).toContain('"job":"quick"');
  });
});

describe('progress on a terminal', () => {
  it('keeps a redrawn status line of running, waiting and done jobs below the log lines', async () => {
    const compiled = compileOne(PIPELINE);
    const writes: string[] = [];
    const report = await runLocally(compiled, { date: '2019-03-12', params: { mode: 'full' }, store: new DirectoryMarkerStore(temp()), output: { isTTY: true, write: (t) => void writes.push(t) } }).report;
    expect(report.status).toBe('SUCCEEDED');
    // Each line clears the status line, prints, then redraws the status line after it.
    expect(writes.every((w) => w.startsWith('\r\x1b[2K'))).toBe(true);
    expect(writes.some((w) => /\nrunning: [a-z, ]+ \| waiting: [-a-z, ]+ \| done \d\/4$/.test(w))).toBe(true);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });
});
