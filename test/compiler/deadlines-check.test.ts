// Deadlines at validate: the format, a clock time without a schedule, a deadline that means the
// next day, one the estimates cannot meet, and jobs without estimates before a deadline.
import { describe, expect, it } from 'vitest';
import { checkWorkflow } from '../../generator/check/workflow.ts';
import { readSource } from '../../generator/source.ts';

const NOW = new Date('2026-11-29T12:00:00Z');

function check(text: string) {
  const { source } = readSource('w.yaml', text);
  const { diagnostics, workflow } = checkWorkflow(source, { now: NOW });
  // The 02:00 Belgrade schedule's own DST notes (SG4007) are not the subject here.
  return { workflow, found: diagnostics.filter((d) => d.code !== 'SG4007').map((d) => ({ code: d.code, severity: d.severity, line: source.lines.position(d.start).line, message: d.message, hint: d.hint })) };
}

const SCHEDULE = 'schedule:\n  cron: "0 2 * * ? *"\n  timezone: Europe/Belgrade\n';
const JOBS = 'jobs:\n  revenue:\n    lambda: fn\n    estimate: 10m\n  bi_import:\n    needs: [revenue]\n    lambda: fn\n    estimate: 5m\n';

describe('deadline values', () => {
  it('GIVEN a clock time and a duration WHEN checked THEN the model holds them and nothing is reported', () => {
    const { found, workflow } = check(`name: w\n${SCHEDULE}deadline: "06:00"\n${JOBS}    deadline: 4h\n`);
    expect(found).toEqual([]);
    expect(workflow!.deadline).toEqual({ clock: '06:00' });
    expect(workflow!.jobs.find((j) => j.name === 'bi_import')!.deadline).toEqual({ afterSeconds: 4 * 3600 });
  });

  it('GIVEN an unquoted 06:00, 25:00 and a word WHEN checked THEN the first is a clock time, SG3025 at the others, with a hint', () => {
    // YAML 1.2 reads an unquoted 06:00 as a string (1.1 would have read 360).
    const unquoted = check(`name: w\n${SCHEDULE}deadline: 06:00\n${JOBS}`);
    expect(unquoted.found).toEqual([]);
    expect(unquoted.workflow!.deadline).toEqual({ clock: '06:00' });
    const bad = check(`name: w\n${SCHEDULE}deadline: "25:00"\n${JOBS}    deadline: soon\n`).found;
    expect(bad.map((d) => [d.code, d.line])).toEqual([
      ['SG3025', 5],
      ['SG3025', 14],
    ]);
    expect(bad[1].hint).toMatch(/06:00.*duration/);
  });

  it('GIVEN a clock deadline in a workflow without a schedule WHEN checked THEN SG3026 says to use a duration', () => {
    const { found } = check(`name: w\ndeadline: "06:00"\n${JOBS}`);
    expect(found.map((d) => [d.code, d.severity, d.line])).toEqual([['SG3026', 'error', 2]]);
    expect(found[0].hint).toMatch(/duration/);
    expect(check(`name: w\ndeadline: 4h\n${JOBS}`).found).toEqual([]);
  });
});

describe('deadlines against the schedule and the estimates', () => {
  it('GIVEN a deadline earlier on the clock than the 02:00 start WHEN checked THEN SG3028: it means the next day', () => {
    const { found } = check(`name: w\n${SCHEDULE}deadline: "01:30"\n${JOBS}`);
    expect(found.map((d) => d.code)).toEqual(['SG3028']);
    expect(found[0].message).toMatch(/01:30 the next day, 23h30m after the start/);
    expect(found[0].hint).toMatch(/'23h30m'/);
  });

  it('GIVEN a 23:00 start and a 00:30 deadline WHEN checked THEN nothing: 1h30m after the start is plainly meant', () => {
    const { found } = check(`name: w\nschedule:\n  cron: "0 23 * * ? *"\ndeadline: "00:30"\n${JOBS}`);
    expect(found).toEqual([]);
  });

  it('GIVEN a deadline shorter than the critical path on estimates WHEN checked THEN SG3027 with both durations', () => {
    const { found } = check(`name: w\n${SCHEDULE}deadline: "02:10"\n${JOBS}`);
    expect(found.map((d) => d.code)).toEqual(['SG3027']);
    expect(found[0].message).toMatch(/takes 15m, the deadline leaves 10m/);
    const job = check(`name: w\n${JOBS}    deadline: 12m\n`).found;
    expect(job.map((d) => [d.code, d.line])).toEqual([['SG3027', 10]]);
  });

  it('GIVEN jobs without estimates before a job deadline WHEN checked THEN SG3029 names only those upstream of it', () => {
    const { found } = check('name: w\njobs:\n  a:\n    lambda: fn\n  b:\n    lambda: fn\n  c:\n    needs: [a]\n    lambda: fn\n    estimate: 5m\n    deadline: 1h\n');
    expect(found.map((d) => d.code)).toEqual(['SG3029']);
    expect(found[0].message).toMatch(/1 job\(s\).*\(a\)/);
  });
});
