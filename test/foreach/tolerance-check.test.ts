// tolerated_failures on a job: read as a sweep's (a count or a whole percentage), only beside
// for_each, misspellings offered the key; and the ASL it adds passes both validators.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { renderGraph } from '../../generator/render/graph.ts';

const workflow = (job: string): string => `name: t
jobs:
  list: { lambda: list, outputs: { keys: $.Payload.keys } }
  each:
    needs: [list]
${job}
`;
const compile = (job: string) => compileTexts([{ file: 't.yaml', text: workflow(job) }]);
const place = (text: string, offset: number): string => {
  const lines = text.slice(0, offset).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
};
const codes = (job: string) => compile(job).diagnostics.map((d) => `${d.code} ${place(workflow(job), d.start)} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`);

describe('tolerated_failures of a job', () => {
  it('takes a count or a whole percentage beside for_each', () => {
    for (const value of ['3', "'25%'", '100%', '0']) {
      const result = compile(`    for_each: list.keys\n    tolerated_failures: ${value}\n    lambda: each`);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
    const job = (value: string) => compile(`    for_each: list.keys\n    tolerated_failures: ${value}\n    lambda: each`).compiled[0].workflow.jobs[1].forEach;
    expect(job('3')).toEqual({ job: 'list', output: 'keys', toleratedFailures: { count: 3 } });
    expect(job('25%')).toEqual({ job: 'list', output: 'keys', toleratedFailures: { percent: 25 } });
    // Nothing tolerated is the same as no key: the job fails in place.
    expect(job('0')).toEqual({ job: 'list', output: 'keys' });
  });

  it('reports a value that is neither, at its place', () => {
    expect(codes(`    for_each: list.keys\n    tolerated_failures: 1.5\n    lambda: each`)).toEqual([
      "SG3042 7:25 'tolerated_failures' must be a whole number of 0 or more, not 1.5 | write a number of items (e.g. 2) or a whole percentage of them (e.g. '10%')",
    ]);
    expect(codes(`    for_each: list.keys\n    tolerated_failures: 120%\n    lambda: each`)[0]).toMatch(/^SG3042 7:25 '120%' is not a count or a percentage from 0% to 100%/);
  });

  it('reports it on a job without for_each', () => {
    expect(codes(`    tolerated_failures: 2\n    lambda: each`)).toEqual([
      "SG3043 6:5 'tolerated_failures' of job 'each' has no items to tolerate failures of: the job has no 'for_each' | add 'for_each: <job>.<output>' to run the job once per element, or drop 'tolerated_failures' (a sweep job's goes in its sweep file)",
    ]);
  });

  it('offers the key for a misspelling', () => {
    const [d] = compile(`    for_each: list.keys\n    tolerated_failure: 2\n    lambda: each`).diagnostics;
    expect(d.code).toBe('SG1003');
    expect(d.hint).toContain('tolerated_failures');
  });

  it('emits ASL both validators accept, for a count, a percentage and 100%', async () => {
    for (const value of ['2', '10%', '33%', '100%']) {
      const result = compile(`    for_each: list.keys\n    tolerated_failures: ${value}\n    lambda: each\n    outputs: { key: $.Payload.key }`);
      for (const d of result.compiled[0].definitions) expect(await validateAsl(d.definition)).toEqual([]);
    }
  });

  it('graph says what a for_each job tolerates', () => {
    const wf = compile(`    for_each: list.keys\n    tolerated_failures: 10%\n    lambda: each`).compiled[0].workflow;
    expect(renderGraph(wf, 'dot')).toContain('lambda, for each list.keys, tolerates 10% failed');
  });
});
