// The platform's rules checked at validate, and the deploy's limits the compiler estimates:
// each problem a diagnostic with its code, at the line it concerns, with a hint.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { checkWorkflow } from '../../generator/check/workflow.ts';
import { scheduleTimingProblems, transitions } from '../../generator/check/schedule-timing.ts';
import { cronProblem } from '../../generator/check/values.ts';
import { readSource } from '../../generator/source.ts';

const NOW = new Date('2026-11-29T12:00:00Z');

function check(text: string) {
  const { source } = readSource('w.yaml', text);
  const { diagnostics } = checkWorkflow(source, { now: NOW });
  return diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: source.lines.position(d.start).line, message: d.message, hint: d.hint }));
}

describe('jobs that cannot run as estimated', () => {
  it('GIVEN a lambda job estimated past 15 minutes and past its timeout WHEN checked THEN SG4005 and SG4006 at its estimate, with hints', () => {
    const found = check('name: w\njobs:\n  a:\n    lambda: fn\n    timeout: 10m\n    estimate: 20m\n  b:\n    lambda: fn\n    estimate: 15m\n');
    expect(found.map((d) => [d.code, d.severity, d.line])).toEqual([
      ['SG4005', 'warning', 6],
      ['SG4006', 'warning', 6],
    ]);
    expect(found[0].hint).toMatch(/state_machine|task/);
    expect(found[1].message).toMatch(/20m.*timeout of 10m/);
  });

  it('GIVEN a state_machine job estimated at 3h within its timeout WHEN checked THEN nothing', () => {
    expect(check('name: w\njobs:\n  a:\n    state_machine: arn:aws:states:eu-west-1:123456789012:stateMachine:x\n    timeout: 4h\n    estimate: 3h\n')).toEqual([]);
  });
});

describe('cron fields', () => {
  it('GIVEN day fields out of range WHEN checked THEN each is reported; valid L, W and # forms pass', () => {
    for (const bad of ['0 2 ? * 9L *', '0 2 ? * 8#1 *', '0 2 ? * XYZ#2 *', '0 2 45W * ? *', '0 2 0W * ? *']) expect(cronProblem(bad)?.message).toMatch(/is not a valid day-of-(week|month) value/);
    for (const good of ['0 2 ? * 6L *', '0 2 ? * FRIL *', '0 2 ? * FRI#2 *', '0 2 15W * ? *', '0 2 L * ? *', '0 2 LW * ? *']) expect(cronProblem(good)).toBeUndefined();
  });
});

describe('schedules and daylight saving time', () => {
  it("GIVEN Europe/Belgrade WHEN its transitions after 2026-11-29 are listed THEN March 28 skips 02:00-03:00 and October 31 repeats it", () => {
    expect(transitions('Europe/Belgrade', NOW).map((t) => [t.date, t.kind, t.startMinute, t.minutes])).toEqual([
      ['2027-03-28', 'gap', 120, 60],
      ['2027-10-31', 'repeat', 120, 60],
    ]);
  });

  it('GIVEN zones with half-hour, southern-hemisphere and no changes WHEN transitions are listed THEN they match an hour-by-hour scan of the offsets', () => {
    const offset = (zone: string, t: number): number => {
      const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
      return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(t / 60_000) * 60_000) / 60_000;
    };
    for (const zone of ['Australia/Lord_Howe', 'America/Santiago', 'Pacific/Auckland', 'America/New_York', 'Asia/Tokyo']) {
      const hour = 3_600_000;
      const start = Math.floor(NOW.getTime() / hour) * hour;
      let changes = 0;
      for (let t = start + hour; t <= start + 366 * 24 * hour; t += hour) if (offset(zone, t) !== offset(zone, t - hour)) changes++;
      const found = transitions(zone, NOW);
      expect(found.length, zone).toBe(changes);
      for (const t of found) expect(t.minutes, zone).toBe(zone === 'Australia/Lord_Howe' ? 30 : 60);
    }
  });

  it('GIVEN a daily 02:30 in Europe/Belgrade WHEN checked THEN SG4007 twice at the cron line: the skipped day and the repeated hour', () => {
    const found = check('name: w\nschedule:\n  cron: "30 2 * * ? *"\n  timezone: Europe/Belgrade\njobs:\n  a: { lambda: fn }\n');
    expect(found.map((d) => [d.code, d.line])).toEqual([
      ['SG4007', 3],
      ['SG4007', 3],
    ]);
    expect(found[0].message).toMatch(/02:30 does not exist on 2027-03-28.*skipped/);
    expect(found[1].message).toMatch(/twice on 2027-10-31/);
  });

  it('GIVEN times outside the changes, UTC, or a weekday the change never falls on WHEN checked THEN nothing', () => {
    for (const [expression, timezone] of [['cron(0 3 * * ? *)', 'Europe/Belgrade'], ['cron(30 2 * * ? *)', 'UTC'], ['cron(30 2 ? * MON *)', 'Europe/Belgrade'], ['rate(1 hour)', 'Europe/Belgrade']]) {
      expect(scheduleTimingProblems({ expression, timezone }, NOW)).toEqual([]);
    }
  });

  it('GIVEN an at in the past or a cron whose years are over WHEN checked THEN SG4008; a future at passes', () => {
    const past = check('name: w\nschedule:\n  at: 2026-01-01T02:00:00\njobs:\n  a: { lambda: fn }\n');
    expect(past.map((d) => [d.code, d.line])).toEqual([['SG4008', 3]]);
    expect(check('name: w\nschedule: "cron(0 2 * * ? 2020-2025)"\njobs:\n  a: { lambda: fn }\n').map((d) => [d.code, d.line])).toEqual([['SG4008', 2]]);
    expect(check('name: w\nschedule:\n  at: 2027-01-01T02:00:00\njobs:\n  a: { lambda: fn }\n')).toEqual([]);
  });
});

describe('names across workflows', () => {
  it("GIVEN a workflow named like another's child machine WHEN compiled together THEN SG2013 at its name, and only the other compiles", () => {
    const result = compileTexts([
      { file: 'big.yaml', text: 'name: big\njobs:\n  a: { lambda: fn }\n' },
      { file: 'child.yaml', text: '# mine\nname: big-part-2\njobs:\n  a: { lambda: fn }\n' },
    ]);
    const d = result.diagnostics.find((x) => x.code === 'SG2013')!;
    expect(d).toMatchObject({ file: 'child.yaml', severity: 'error' });
    expect(result.lineMaps('child.yaml')!.position(d.start).line).toBe(2);
    expect(d.hint).toMatch(/big-part-/);
    expect(result.compiled.map((c) => c.workflow.name)).toEqual(['big']);
  });
});

describe('deploy limits the compiler estimates', () => {
  it('GIVEN on_markers triggers whose list outgrows the router environment WHEN compiled THEN SG4004 with the figure at the jobs key', () => {
    const markers = Array.from({ length: 120 }, (_, i) => `some_rather_long_marker_name_${i}`);
    const text = `name: w\njobs:\n  a: { lambda: fn }\ntriggers:\n${markers.map((m) => `  - on_markers: [${m}]`).join('\n')}\n`;
    const result = compileTexts([{ file: 'w.yaml', text }]);
    const codes = result.diagnostics.filter((d) => d.code === 'SG4004');
    expect(codes.map((d) => d.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/router's environment is about [\d,]+ bytes \(\d+% of the 4,096-byte limit\)/), expect.stringMatching(/event rule pattern/)]),
    );
    expect(result.lineMaps('w.yaml')!.position(codes[0].start).line).toBe(2);
  });

  it('GIVEN an ordinary workflow WHEN compiled THEN no deploy diagnostics', () => {
    const result = compileTexts([{ file: 'w.yaml', text: 'name: w\njobs:\n  a: { lambda: fn }\n  b: { lambda: fn, needs: [a] }\n' }]);
    expect(result.diagnostics.filter((d) => /^SG400[3-9]$/.test(d.code))).toEqual([]);
  });
});
