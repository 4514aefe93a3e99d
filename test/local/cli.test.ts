// The simulate and demo commands as a user runs them: output, exit codes, bad input.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRICE_PER_INVOCATION } from '../../generator/local/counts.ts';
import { describe, expect, it } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { captureConsole } from '../support/console.ts';

const { out, err } = captureConsole();

describe('stepgraph simulate', () => {
  it('--json prints the documented shape', async () => {
    const code = await main(['simulate', 'player-analytics', '--date', '2019-03-12', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(Object.keys(report).slice(0, 8)).toEqual(['status', 'error', 'makespanSeconds', 'criticalPathSeconds', 'jobs', 'stateTransitions', 'historyEvents', 'costUsd']);
    expect(report).toMatchObject({ status: 'SUCCEEDED', error: null, makespanSeconds: 5400, criticalPathSeconds: 5400 });
    expect(report.jobs[0]).toMatchObject({ name: 'player_entry', status: 'succeeded', startSeconds: 0, endSeconds: 2400 });
    expect(report.costUsd).toBeCloseTo(report.stateTransitions * 0.000025 + report.lambdaInvocations * PRICE_PER_INVOCATION, 6);
  });

  it('prints the timeline, critical path, lateness and counts; exit 3 when the run fails', async () => {
    const code = await main(['simulate', 'workflows/player-analytics.yaml', '--date', '2019-03-12', '--late', 'payments=2h', '--fail', 'sessions']);
    expect(code).toBe(3);
    const text = out.join('\n');
    expect(text).toContain("outcome: FAILED: job 'sessions' failed in state 'sessions' (stepgraph.SimulatedFailure");
    expect(text).toContain('failing job: sessions (stepgraph.SimulatedFailure');
    expect(text).toMatch(/timeline \(one column = \d+m; █ running, ░ waiting for a marker or signal; times h:mm:ss from the start\)/);
    expect(text).toMatch(/ {2}sessions +█+ +0:00:00 +1:18:00 +FAILED, 3 attempts/);
    expect(text).toContain('critical path: purchases -> revenue -> bi_import = 1h30m (55m + 20m + 15m)');
    expect(text).toMatch(/history events: [\d,]+ of the 25,000 one execution may have/);
    expect(text).toMatch(/cost: \$0\.\d{6} per run/);
  });

  it('explains lateness with --durations and --late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgraph-durations-'));
    writeFileSync(join(dir, 'durations.yaml'), 'purchases: 55m30s\n');
    const code = await main(['simulate', 'player-analytics', '--date', '2019-03-12', '--durations', join(dir, 'durations.yaml'), '--late', 'revenue=1m']);
    expect(code).toBe(0);
    const text = out.join('\n');
    // The pipeline's marker releases its Task the instant it is written: only the --late job adds time.
    expect(text).toContain('makespan: 1h31m30s, 1m later than the critical path; the run ended with purchases -> revenue -> bi_import, delayed by:');
    expect(text).not.toContain('polling');
    expect(text).toContain('  - revenue: ran 21m instead of 20m (--late 1m)');
    expect(text).toContain(`note: durations from ${join(dir, 'durations.yaml')}`);
  });

  it.each([
    [['--fail', 'revenu'], "stepgraph simulate: --fail revenu: workflow 'player-analytics' has no job 'revenu'; did you mean 'revenue'?"],
    [['--late', 'revenu=1m'], "stepgraph simulate: --late revenu: workflow 'player-analytics' has no job or external marker 'revenu'; did you mean 'revenue'?"],
    [['--late', 'revenue'], "stepgraph simulate: --late 'revenue' must be JOB=DURATION, e.g. --late sessions=20m"],
    [['--durations', 'nope.yaml'], 'stepgraph simulate: --durations nope.yaml: no such file'],
    [['--date', '2019-3-12'], "stepgraph simulate: --date '2019-3-12' is not a date; a daily workflow takes YYYY-MM-DD, e.g. 2019-03-12"],
  ])('bad input %j: one clear line, exit 1', async (args, message) => {
    const code = await main(['simulate', 'player-analytics', ...args]);
    expect(code).toBe(1);
    expect(err).toEqual([message]);
  });

  it('a malformed durations file is reported at file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgraph-durations-'));
    const file = join(dir, 'durations.yaml');
    writeFileSync(file, 'sessions: 20m\nrevenue: soon\n');
    expect(await main(['simulate', 'player-analytics', '--durations', file])).toBe(1);
    expect(err).toEqual([`stepgraph simulate: ${file}:2:10: 'soon' is not a duration for 'revenue'; write a duration as a number and a unit, largest first: '30s', '15m', '2h', '1h30m', '1d'`]);
  });
});

describe('stepgraph demo (npm start)', () => {
  it('compiles every workflow into the output folder and simulates the flagship', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgraph-demo-'));
    const code = await main(['demo', '--out', dir, '--date', '2019-03-12']);
    expect(code).toBe(0);
    for (const name of ['ad-attribution', 'finance-close', 'player-analytics']) {
      expect(existsSync(join(dir, `${name}.asl.json`))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, `${name}.manifest.json`), 'utf8')).workflow).toBe(name);
    }
    // and every sweep file beside them, as `stepgraph compile` writes it
    expect(JSON.parse(readFileSync(join(dir, 'quickstart.asl.json'), 'utf8')).States).toBeDefined();
    const text = out.join('\n');
    expect(text).toMatch(new RegExp(`compiled ${readdirSync('workflows').filter((f) => f.endsWith('.yaml')).length} workflows and \\d+ sweeps from workflows/`));
    expect(text).toContain('player-analytics 2019-03-12, simulated on a virtual clock');
    expect(text).toContain('outcome: SUCCEEDED');
    expect(text).toContain('critical path: purchases -> revenue -> bi_import = 1h30m');
  });
});
