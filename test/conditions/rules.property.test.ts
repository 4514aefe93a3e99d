// Property: on the local engine, with random conditions, trigger rules and failing jobs, a job runs
// exactly when its rule and its condition say, never before its needs ended, and the instant the
// last of them did; a run with a failure fails, naming the job that failed first. A failure no rule
// waits for stops the run where it happened (fail-fast), so then only the order and the failure
// are checked. The same holds when the graph is split into parts (child state machines): the
// outcome records cross them.
import aslValidator from 'asl-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import type { TriggerRule } from '../../generator/conditions.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { jobName, randomDag, type RandomDag } from '../support/dag-arbitrary.ts';
import { forceSplit } from '../support/force-split.ts';
import type { CompiledWorkflow } from '../../generator/compile.ts';

type Outcome = 'succeeded' | 'failed' | 'upstream_failed' | 'rule_unmet' | 'condition_false';

interface Case {
  dag: RandomDag;
  rules: TriggerRule[];
  /** The param each job's `when` reads (`p<k>` equals 'on'), or -1 for none. */
  when: number[];
  params: boolean[];
  fail: boolean[];
  seconds: number[];
}

const PARAMS = 3;
const RULES: TriggerRule[] = ['all_success', 'all_done', 'one_failed', 'all_failed'];

const cases: fc.Arbitrary<Case> = randomDag.chain((dag) => {
  const n = dag.needs.length;
  const per = <T,>(arb: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(arb, { minLength: n, maxLength: n });
  return fc.record({
    dag: fc.constant(dag),
    rules: per(fc.constantFrom(...RULES, 'all_success', 'all_success')),
    when: per(fc.integer({ min: -3, max: PARAMS - 1 })),
    params: fc.array(fc.boolean(), { minLength: PARAMS, maxLength: PARAMS }),
    fail: per(fc.integer({ min: 0, max: 5 }).map((k) => k === 0)),
    seconds: per(fc.integer({ min: 1, max: 3600 })),
  });
});

function yaml(c: Case): string {
  const lines = ['name: random-rules', 'jobs:'];
  c.dag.needs.forEach((needs, i) => {
    lines.push(`  ${jobName(i)}:`, `    lambda: fn-${i}`);
    if (needs.length > 0) lines.push(`    needs: [${needs.map(jobName).join(', ')}]`);
    if (needs.length > 0 && c.rules[i] !== 'all_success') lines.push(`    run_if: ${c.rules[i]}`);
    if (c.when[i] >= 0) lines.push(`    when: { param: p${c.when[i]}, equals: on }`);
  });
  return `${lines.join('\n')}\n`;
}

/** What each job should do, in the order of the jobs (indices are topological). */
function oracle(c: Case): Outcome[] {
  const out: Outcome[] = [];
  const failedLike = (o: Outcome): boolean => o === 'failed' || o === 'upstream_failed';
  c.dag.needs.forEach((needs, i) => {
    const rule = needs.length > 0 ? c.rules[i] : 'all_success';
    const failed = needs.filter((n) => failedLike(out[n])).length;
    if (rule === 'all_success' && failed > 0) out.push('upstream_failed');
    else if (rule === 'one_failed' && failed === 0) out.push('rule_unmet');
    else if (rule === 'all_failed' && failed < needs.length) out.push('rule_unmet');
    else if (c.when[i] >= 0 && !c.params[c.when[i]]) out.push('condition_false');
    else out.push(c.fail[i] ? 'failed' : 'succeeded');
  });
  return out;
}

/** The jobs whose failure a rule waits for: every job upstream of a job with a rule other than all_success. */
function guarded(c: Case): Set<number> {
  const out = new Set<number>();
  const visit = (i: number): void => {
    for (const n of c.dag.needs[i]) if (!out.has(n)) (out.add(n), visit(n));
  };
  c.dag.needs.forEach((needs, i) => needs.length > 0 && c.rules[i] !== 'all_success' && visit(i));
  return out;
}

const STATUS: Record<Outcome, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  upstream_failed: 'not_run',
  rule_unmet: 'not_run',
  condition_false: 'skipped_by_condition',
};

/** How a run went, as the property counts it. */
type Kind = 'handed on' | 'in place' | 'succeeded';

/** Runs `c` on `compiled` (whole or split) and checks every job against the oracle. */
async function check(c: Case, compiled: CompiledWorkflow): Promise<Kind> {
  const names = c.dag.needs.map((_, i) => jobName(i));
  const report = await simulate(compiled, {
    date: '2019-03-12',
    params: Object.fromEntries(c.params.map((on, k) => [`p${k}`, on ? 'on' : 'off'])),
    durations: new Map(names.map((name, i) => [name, c.seconds[i]])),
    fail: names.filter((_, i) => c.fail[i]),
  });
  const jobs = new Map(report.jobs.map((j) => [j.name, j]));
  const expected = oracle(c);
  const safe = guarded(c);
  const failing = expected.flatMap((o, i) => (o === 'failed' ? [i] : []));

  // When a job is resolved (ran, or was found not to run): its end, or its needs' resolution.
  const resolved: number[] = [];
  c.dag.needs.forEach((needs, i) => {
    const j = jobs.get(names[i])!;
    const ready = Math.max(0, ...needs.map((n) => resolved[n]));
    if (j.startSeconds !== null && j.startSeconds !== undefined) {
      // Never before its needs ended, and with no latency.
      expect(j.startSeconds, `${names[i]} starts before its needs ended`).toBe(ready);
    }
    resolved.push(j.endSeconds ?? ready);
  });

  if (failing.some((i) => !safe.has(i))) {
    // A failure nobody's rule waits for: fail-fast, in place.
    expect(report.status).toBe('FAILED');
    expect(failing.map((i) => names[i])).toContain(report.failedJob);
    return 'in place';
  }
  expected.forEach((o, i) => expect(jobs.get(names[i])!.status, `${names[i]} should be ${o}`).toBe(STATUS[o]));
  if (failing.length === 0) {
    expect(report.status).toBe('SUCCEEDED');
    return 'succeeded';
  }
  expect(report.status).toBe('FAILED');
  const first = Math.min(...failing.map((i) => jobs.get(names[i])!.endSeconds!));
  expect(failing.filter((i) => jobs.get(names[i])!.endSeconds === first).map((i) => names[i])).toContain(report.failedJob);
  return 'handed on';
}

function compileCase(c: Case): CompiledWorkflow {
  const result = compileTexts([{ file: 'random-rules.yaml', text: yaml(c) }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

describe('conditions and trigger rules on the local engine', () => {
  it('run a job exactly when its rule and condition say, never before its needs ended', async () => {
    const kinds: Kind[] = [];
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const compiled = compileCase(c);
        expect(aslValidator(compiled.definitions[0].definition as never, { checkPaths: true, checkArn: true }).isValid).toBe(true);
        kinds.push(await check(c, compiled));
      }),
      { seed: 20190312, numRuns: 200 },
    );
    // The generator must exercise both kinds of failure.
    expect(kinds.filter((k) => k === 'handed on').length).toBeGreaterThan(10);
    expect(kinds.filter((k) => k === 'in place').length).toBeGreaterThan(10);
  }, 600_000);

  it('do the same when the graph is split into parts (child state machines of one to three jobs)', async () => {
    const kinds: Kind[] = [];
    let parts = 0;
    await fc.assert(
      fc.asyncProperty(cases, fc.integer({ min: 1, max: 3 }), async (c, jobsPerMachine) => {
        const split = forceSplit(compileCase(c), jobsPerMachine);
        for (const d of split.definitions) expect(aslValidator(d.definition as never, { checkPaths: true, checkArn: true }).isValid).toBe(true);
        parts += split.definitions.length - 1;
        kinds.push(await check(c, split));
      }),
      { seed: 20191231, numRuns: 15 },
    );
    expect(parts).toBeGreaterThan(15);
    expect(kinds.filter((k) => k === 'handed on').length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === 'in place').length).toBeGreaterThanOrEqual(2);
  }, 600_000);
});
