// Property: any DAG compiles to a definition that asl-validator accepts, in which every job
// runs exactly once, after all of its needs, and never waits for a job it does not depend on.
import aslValidator from 'asl-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { Codes } from '../../generator/messages.ts';
import { jobOrder } from '../support/asl-order.ts';
import { ancestors, dagYaml, jobName, randomDag } from '../support/dag-arbitrary.ts';

describe('random DAGs', () => {
  it('compile to valid definitions with exact dependency order', () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const result = compileTexts([{ file: 'random.yaml', text: dagYaml(dag) }]);
        // Estimates are drawn up to 60 minutes for lambda jobs: only the warnings about estimates
        // (past Lambda's 15 minutes, past the default timeout) may stand.
        expect(result.diagnostics.filter((d) => d.code !== Codes.lambdaTooLong && d.code !== Codes.estimateOverTimeout)).toEqual([]);
        const { definition } = result.compiled[0].definitions[0];
        expect(aslValidator(definition, { checkPaths: true, checkArn: true }).isValid).toBe(true);

        const names = dag.needs.map((_, i) => jobName(i));
        const { before, tasks } = jobOrder(definition, names);
        expect([...tasks].sort()).toEqual([...names].sort());
        const allAncestors = ancestors(dag);
        dag.needs.forEach((needs, v) => {
          const done = before.get(jobName(v))!;
          for (const u of needs) expect(done.has(jobName(u)), `${jobName(v)} starts before its need ${jobName(u)}`).toBe(true);
          for (const d of done) expect(allAncestors[v].has(d), `${jobName(v)} waits for unrelated ${d}`).toBe(true);
        });
        // Every in-run wait is one of the graph's own edges.
        for (const s of result.compiled[0].plan.sync) expect(dag.needs[Number(s.job.slice(1))]).toContain(Number(s.after.slice(1)));
      }),
      { seed: 20190312, numRuns: 300 },
    );
    // 300 compiles take about a minute alone and over two on a loaded machine: the limit guards
    // against a hang, not a speed.
  }, 600_000);
});
