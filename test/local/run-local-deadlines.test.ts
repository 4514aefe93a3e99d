// `run --local` reports deadlines as simulate does, on the run's real clock: met or missed, and
// when the watch's alerts would have fired. A command that sleeps briefly against a deadline the
// run certainly misses (1s) or certainly meets (1h); no assertion on wall-clock times.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { formatReport } from '../../generator/local/report.ts';

const workflow = (runDeadline: string, jobDeadline: string): string => `
name: quick-deadlines
deadline: ${runDeadline}
defaults:
  retry: { attempts: 1, interval: 1s }
jobs:
  load:
    lambda: fn-load
    estimate: 1s
    local: { command: "sleep 1.5" }
  publish:
    needs: [load]
    lambda: fn-publish
    deadline: ${jobDeadline}
`;

const compileOne = (text: string) => compileTexts([{ file: 'quick.yaml', text }]).compiled[0];
const output = { write: () => undefined };
const store = () => new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'sg-deadlines-')));

describe('run --local deadlines', () => {
  it('a run that takes longer than its deadline: missed; one well inside it: met', async () => {
    const report = await runLocally(compileOne(workflow('1s', '1h')), { date: '2019-03-12', store: store(), output }).report;
    expect(report.status).toBe('SUCCEEDED');
    expect(report.deadlines!.deadlines.map((d) => [d.owner, d.status])).toEqual([
      [null, 'missed'],
      ['publish', 'met'],
    ]);
    expect(report.deadlines!.deadlines[0].text).toMatch(/^run: done \d\d:\d\d, deadline \d\d:\d\d missed$/);
    // The report prints them like simulate's
    expect(String(formatReport(report))).toContain('deadlines (from the run');
  });

  it('--scheduled-at: the deadlines count from the given start and the run is laid on it', async () => {
    const scheduledAt = Date.parse('2019-03-12T01:00:00Z');
    const report = await runLocally(compileOne(workflow('1h', '2h')), { date: '2019-03-12', store: store(), output, scheduledAt }).report;
    expect(report.deadlines!.start).toBe('2019-03-12T01:00:00.000Z');
    // The run's jobs count from 01:00:00: it ends a few seconds after, inside both deadlines
    expect(report.deadlines!.deadlines.map((d) => d.status)).toEqual(['met', 'met']);
    expect(report.deadlines!.deadlines[0].at).toBe('2019-03-12T02:00:00.000Z');
  });

  it('a failed run keeps its watch: the report says when the alert would have fired and what it would have said', async () => {
    const text = workflow('1s', '1h').replace('command: "sleep 1.5"', 'command: "exit 3"');
    const report = await runLocally(compileOne(text), { date: '2019-03-12', store: store(), output }).report;
    expect(report.status).toBe('FAILED');
    // The deadline 1s after the start falls in its first minute: Scheduler's whole-minute checkpoint wakes the watch then
    const [alert] = report.deadlines!.alerts;
    expect(alert.atSeconds).toBeGreaterThan(0);
    expect(alert.atSeconds).toBeLessThanOrEqual(60);
    expect(alert.text).toMatch(/^run: deadline \d\d:\d\d missed, not done: load, publish/);
  });

  it('a replay (--select) is not watched', async () => {
    const report = await runLocally(compileOne(workflow('1s', '1h')), { date: '2019-03-12', store: store(), output, select: ['load'] }).report;
    expect(report.deadlines).toBeUndefined();
  });

  it('--scheduled-at without an offset is refused with exit code 1, before anything runs', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    try {
      const code = await main(['run', 'workflows/bi-deadlines.yaml', '--local', '--scheduled-at', '2019-03-12T01:00']);
      expect(code).toBe(1);
      expect(err.join('\n')).toContain("--scheduled-at '2019-03-12T01:00' is not an instant with its offset");
    } finally {
      spy.mockRestore();
    }
  });
});
