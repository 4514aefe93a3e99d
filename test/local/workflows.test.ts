// Every workflow in workflows/ runs on the embedded engine, as emitted (the engine validates
// each definition first), and succeeds: every job once, after its needs, no sooner than the
// critical path allows.
import { PRICE_PER_INVOCATION } from '../../generator/local/counts.ts';
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { simulate } from '../../generator/local/simulate.ts';

const result = compilePaths(['workflows']);

describe('every workflow in workflows/', () => {
  it('compiles without errors', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.compiled.length).toBeGreaterThanOrEqual(3);
  });

  for (const compiled of result.compiled) {
    it(`${compiled.workflow.name} simulates successfully`, async () => {
      // Prepare
      const date = compiled.workflow.partition === 'hourly' ? '2019-03-12T05' : '2019-03-12';

      // Act
      const report = await simulate(compiled, { date, validate: true });

      // Assess
      expect(report.status, report.error ?? '').toBe('SUCCEEDED');
      // Every job succeeded once, but those a condition or a trigger rule keeps from running without params or failures.
      const keptOut = (j: (typeof compiled.workflow.jobs)[number]): boolean => j.when !== undefined || (j.runIf !== undefined && j.runIf !== 'all_success' && j.runIf !== 'all_done');
      expect(report.jobs.filter((j) => j.status === 'succeeded').map((j) => [j.name, j.attempts])).toEqual(compiled.workflow.jobs.filter((j) => !keptOut(j) || report.jobs.find((r) => r.name === j.name)!.status === 'succeeded').map((j) => [j.name, 1]));
      expect(report.jobs.every((j) => ['succeeded', 'skipped_by_condition', 'not_run'].includes(j.status))).toBe(true);
      const byName = new Map(report.jobs.map((j) => [j.name, j]));
      for (const job of compiled.workflow.jobs) {
        for (const need of job.needs) if (byName.get(job.name)!.startSeconds !== null && byName.get(need)!.endSeconds !== null) expect(byName.get(job.name)!.startSeconds).toBeGreaterThanOrEqual(byName.get(need)!.endSeconds!);
      }
      // Waits are released by events: the run takes exactly its critical path.
      expect(report.makespanSeconds).toBe(report.criticalPathSeconds);
      expect(report.stateTransitions).toBeGreaterThan(0);
      expect(report.historyEvents).toBeLessThan(report.historyEventLimit);
      expect(report.costUsd).toBeCloseTo(report.stateTransitions * 0.000025 + report.lambdaInvocations * PRICE_PER_INVOCATION, 6);
    });
  }

  it('the flagship runs on its critical path: purchases -> revenue -> bi_import, 1h30m', async () => {
    const flagship = result.compiled.find((c) => c.workflow.name === 'player-analytics')!;
    const report = await simulate(flagship, { date: '2019-03-12' });
    expect(report.criticalPath).toEqual(['purchases', 'revenue', 'bi_import']);
    expect(report.criticalPathSeconds).toBe(90 * 60);
    expect(report.makespanSeconds).toBe(90 * 60);
  });
});
