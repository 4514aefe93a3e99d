// The local report of a workflow with sweep jobs: a sweep job has no Task named after it (its Map
// stands there), and it still shows in the report from its first state to its last, and as failed
// when the sweep fails.
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compilePaths } from '../../generator/compile.ts';
import { simulate } from '../../generator/local/simulate.ts';

const file = 'test/fixtures/sweep-job/workflow.yaml';
const [compiled] = compilePaths([file]).compiled;

describe('simulate, a workflow with sweep jobs', () => {
  it('GIVEN features -> (train sweep, score sweep) -> pick_best WHEN simulated THEN each sweep spans from its first state to its last', async () => {
    // WHEN
    const report = await simulate(compiled, { date: '2026-01-16' });

    // THEN
    expect(report.status).toBe('SUCCEEDED');
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    const features = jobs.get('features')!;
    for (const name of ['train', 'score']) {
      expect(jobs.get(name), name).toMatchObject({ status: 'succeeded', attempts: 1, startSeconds: features.endSeconds });
    }
    // train: 3 runs of 30m, 2 at a time = two waves; score: 2 calls of 10m at once.
    const train = jobs.get('train')!;
    const score = jobs.get('score')!;
    expect(train.endSeconds! - train.startSeconds!).toBeGreaterThanOrEqual(2 * 30 * 60);
    expect(score.endSeconds! - score.startSeconds!).toBeGreaterThanOrEqual(10 * 60);
    expect(score.endSeconds).toBeLessThan(train.endSeconds!);
    // pick_best starts the moment the later sweep (train) is done.
    expect(jobs.get('pick_best')!.startSeconds).toBe(train.endSeconds);
    expect(report.makespanSeconds).toBe(jobs.get('pick_best')!.endSeconds);
  });

  it('GIVEN --fail on a sweep job WHEN simulated THEN every item fails, the sweep fails the run, and the report names it', async () => {
    // WHEN
    const report = await simulate(compiled, { date: '2026-01-16', fail: ['train'] });

    // THEN
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('train');
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    expect(jobs.get('train')).toMatchObject({ status: 'failed', startSeconds: 60 });
    expect(jobs.get('train')!.error).toContain("every item of sweep job 'train' fails");
    expect(jobs.get('train')!.endSeconds).toBe(report.makespanSeconds);
    // score was still running in the other branch when train failed the run.
    expect(jobs.get('score')!.status).toBe('cancelled');
    expect(jobs.get('pick_best')).toMatchObject({ status: 'not_started', startSeconds: null });
  });

  it('prints the sweep jobs on the timeline, not as "not started"', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await main(['simulate', file, '--date', '2026-01-16'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const text = out.join('\n');
    expect(text).toMatch(/^ {2}train +█+ +0:01:00 +1:01:00 +succeeded$/m);
    expect(text).toMatch(/^ {2}score +█+ +0:01:00 +0:11:00 +succeeded$/m);
    expect(text).not.toContain('not started');
  });
});
