// Deadlines on the virtual clock: the emitted watch states pass both validators and run on the
// local engine, and simulate says when each alert would have fired, exactly as the deadline
// handler would (contract/deadlines.ts), for a run on time, a late job and a failed run.
import { describe, expect, it } from 'vitest';
import { compilePaths, compileTexts } from '../../generator/compile.ts';
import { DEADLINE_STATES } from '../../generator/contract/deadline-watch.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { formatReport } from '../../generator/local/report.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { readFileSync } from 'node:fs';
import type { SimulationReport } from '../../generator/local/simulate.ts';

/** Belgrade wall-clock time (UTC+1 in March) of a moment seconds after the run's start. */
const clock = (report: SimulationReport, seconds: number): string => new Date(Date.parse(report.deadlines!.start) + 3600_000 + seconds * 1000).toISOString().slice(11, 16);

const compiled = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0];

describe('the watch states', () => {
  it('arm after Prepare run, end after the last job, and pass both validators', async () => {
    const states = compiled.definitions[0].definition.States as Record<string, { Next?: string; End?: boolean; Parameters?: { Payload?: Record<string, unknown> } }>;
    expect(states['Prepare run'].Next).toBe(DEADLINE_STATES.watch);
    expect(states[DEADLINE_STATES.watch].Parameters!.Payload).toMatchObject({ action: 'arm', 'startTime.$': '$$.Execution.StartTime' });
    expect(states['dashboards done'].Next).toBe(DEADLINE_STATES.end);
    expect(states[DEADLINE_STATES.end]).toMatchObject({ End: true, Parameters: { Payload: { action: 'end' } } });
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
  });

  it('a workflow without deadlines has neither state', () => {
    const plain = compileTexts([{ file: 'w.yaml', text: 'name: w\njobs:\n  a:\n    lambda: fn\n' }]).compiled[0];
    expect(Object.keys(plain.definitions[0].definition.States)).not.toContain(DEADLINE_STATES.watch);
    expect(plain.manifest.deadlines).toBeUndefined();
  });
});

describe('simulate reports deadlines', () => {
  it('a run on time meets both deadlines and alerts nobody', async () => {
    const report = await simulate(compiled, { date: '2019-03-12' });
    expect(report.status).toBe('SUCCEEDED');
    // 01:00 Belgrade (UTC+1) on the run's date: the schedule's fire time.
    expect(report.deadlines!.start).toBe('2019-03-12T00:00:00.000Z');
    expect(report.deadlines!.deadlines.map((d) => [d.owner, d.status])).toEqual([
      [null, 'met'],
      ['bi_import', 'met'],
    ]);
    expect(report.deadlines!.alerts).toEqual([]);
  });

  it('a job running long alerts as behind the minute the path left cannot make it, then as missed', async () => {
    // GIVEN tighter deadlines: the run by 04:00, bi_import by 03:45 (the run starts at 01:00)
    const text = readFileSync('workflows/bi-deadlines.yaml', 'utf8').replace('deadline: "06:00"', 'deadline: "04:00"').replace('deadline: "05:30"', 'deadline: "03:45"');
    const tight = compileTexts([{ file: 'bi-deadlines.yaml', text }]).compiled[0];
    // WHEN revenue (estimate 1h30m) runs 1h25m late: it runs 01:40-04:35 (--late: tonight's run, not what the watch expects)
    const report = await simulate(tight, { date: '2019-03-12', late: { revenue: 85 * 60 } });
    // THEN bi_import is behind at 03:36 (revenue still running: 03:37 + 10m > 03:45); at 03:45 it is
    // missed and the run is behind (03:46 + 10m + 5m > 04:00); the run is missed at 04:00
    expect(report.status).toBe('SUCCEEDED');
    const alerts = report.deadlines!.alerts.map((a) => [clock(report, a.atSeconds), a.text.split(':')[0], /behind|missed/.exec(a.text)![0]]);
    expect(alerts).toEqual([
      ['03:36', 'job bi_import', 'behind'],
      ['03:45', 'run', 'behind'],
      ['03:45', 'job bi_import', 'missed'],
      ['04:00', 'run', 'missed'],
    ]);
    expect(report.deadlines!.alerts[0].text).toBe('job bi_import: expected 03:47, deadline 03:45, behind: revenue (critical path left: revenue -> bi_import)');
    expect(report.deadlines!.deadlines.map((d) => d.status)).toEqual(['missed', 'missed']);
  });

  it('a failed run is still watched: behind before each deadline, then missed, naming what is not done', async () => {
    const report = await simulate(compiled, { date: '2019-03-12', fail: ['revenue'] });
    expect(report.status).toBe('FAILED');
    const alerts = report.deadlines!.alerts.map((a) => [clock(report, a.atSeconds), a.text.split(':')[0], /behind|missed/.exec(a.text)![0]]);
    // revenue failed at 03:10 (2h10m); a redrive would need 1h30m + 10m: bi_import is behind once 05:30 - 1h40m = 03:50 passes.
    expect(alerts).toEqual([
      ['03:51', 'job bi_import', 'behind'],
      ['04:16', 'run', 'behind'],
      ['05:30', 'job bi_import', 'missed'],
      ['06:00', 'run', 'missed'],
    ]);
    expect(report.deadlines!.alerts[2].text).toMatch(/not done: revenue, bi_import \(critical path left: revenue -> bi_import\)/);
    expect(formatReport(report)).toMatch(/alert at 03:51 \(2h51m after the start\): job bi_import: expected 05:31, deadline 05:30, behind: revenue/);
  });
});
