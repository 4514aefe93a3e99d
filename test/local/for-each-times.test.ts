// simulate of a for_each job: `--items N` says how many elements, and each element takes the job's
// own time (a durations file, else its estimate), at most max_concurrent at a time: the job lasts
// ceil(N / max_concurrent) of its times. Also when several dates run at once (`--dates`).
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { simulate, simulateRuns } from '../../generator/local/simulate.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import type { RunReport } from '../../generator/local/summary.ts';

// partition-loads: load_partition runs over list_partitions.partitions, 4 at a time, estimate 10m.
const loads = compilePaths(['workflows/partition-loads.yaml']).compiled[0];
const span = (report: RunReport, job: string): number => {
  const j = report.jobs.find((x) => x.name === job)!;
  return j.endSeconds! - j.startSeconds!;
};

describe('simulate: per-item times of a for_each job', () => {
  it.each([
    [1, 600],
    [4, 600],
    [5, 1200],
    [9, 1800],
  ])('--items %i with the estimate (10m, 4 at a time) lasts %is', async (items, seconds) => {
    const report = await simulate(loads, { date: '2019-03-12', outputValues: parseOutputFlags(loads.workflow, [], items) });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(span(report, 'load_partition')).toBe(seconds);
  });

  it('takes each item time from the durations, not the estimate', async () => {
    const report = await simulate(loads, { date: '2019-03-12', durations: { load_partition: 100 }, outputValues: parseOutputFlags(loads.workflow, [], 7) });
    expect(span(report, 'load_partition')).toBe(200);
  });

  it('runs no item, taking no time, over an empty list', async () => {
    const report = await simulate(loads, { date: '2019-03-12', outputValues: parseOutputFlags(loads.workflow, [], 0) });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(span(report, 'load_partition')).toBe(0);
  });

  it('uses --items for every date of simulate --dates', async () => {
    const { runs } = await simulateRuns(loads, ['2019-03-12', '2019-03-13'], { outputValues: parseOutputFlags(loads.workflow, [], 9) });
    expect(runs.map((r) => [r.status, span(r, 'load_partition')])).toEqual([
      ['SUCCEEDED', 1800],
      ['SUCCEEDED', 1800],
    ]);
  });
});
