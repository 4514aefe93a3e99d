// Outputs, conditions on them and trigger rules together, on the local engine: the upstream jobs
// run side by side in a Parallel, so its end must merge both the outputs and the outcome records
// back into the run's state, where the condition and the rule read them.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { validateAsl } from '../support/asl-validate.ts';

const YAML = `name: data-and-rules
jobs:
  count:
    lambda: count-rows
    estimate: 5m
    outputs: { rows: $.Payload.rows }
  side:
    lambda: side-feed
    estimate: 7m
  publish:
    needs: [count, side]
    when: { output: count.rows, greater_than: 0 }
    lambda: publish
    estimate: 2m
  cleanup:
    needs: [count, side]
    run_if: all_done
    lambda: drop-temp
    estimate: 1m
`;

const compiled = compileTexts([{ file: 'data-and-rules.yaml', text: YAML }]);
const workflow = compiled.compiled[0];

async function run(outputs: string[], fail: string[] = []) {
  const report = await simulate(workflow, { date: '2019-03-12', store: new MemoryMarkerStore(), outputValues: parseOutputFlags(workflow.workflow, outputs), fail });
  const status = (job: string): string => report.jobs.find((j) => j.name === job)!.status;
  return { report, status };
}

describe('outputs with conditions and trigger rules', () => {
  it('compile without errors to a definition both validators accept, whose Parallel merges outputs and outcomes', async () => {
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(await validateAsl(workflow.definitions[0].definition)).toEqual([]);
    const text = workflow.definitions[0].text;
    expect(text).toContain('outputs');
    expect(text).toContain('outcomes');
  });

  it('run the conditional job when the upstream output says so, after the Parallel of its needs', async () => {
    const { report, status } = await run(['count.rows=5']);
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(status('publish')).toBe('succeeded');
    expect(status('cleanup')).toBe('succeeded');
  });

  it('skip it when the output says no, and still run the cleanup', async () => {
    const { report, status } = await run(['count.rows=0']);
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(status('publish')).toBe('skipped_by_condition');
    expect(status('cleanup')).toBe('succeeded');
  });

  it('hand a failure of one need on to the cleanup, and fail the run naming it', async () => {
    const { report, status } = await run(['count.rows=5'], ['side']);
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('side');
    expect(status('side')).toBe('failed');
    expect(status('cleanup')).toBe('succeeded');
    expect(status('publish')).not.toBe('succeeded');
  });
});
