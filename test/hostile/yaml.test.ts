// Issue 12, items 5 and 14: YAML aliases and merge keys compile to what they mean (or are refused
// with a diagnostic), never to something else; CR-only line endings read like any others.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { ALIAS_BUDGET } from '../../generator/source-aliases.ts';
import { compile, printed } from '../sweep/support.ts';

const jobParams = (text: string, job: string): unknown => {
  const result = compileTexts([{ file: 'alias.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const state = result.compiled[0].definitions[0].definition.States[job] as { Parameters: { Payload: { jobParams: unknown } } };
  return state.Parameters.Payload.jobParams;
};

describe('aliases and merge keys', () => {
  it('an alias is the value it names: `copy: *r` is the mapping, not {"source": "r"}', () => {
    const text = 'name: alias\nx-shared: &r { bucket: data, days: 3 }\njobs:\n  a:\n    lambda: f\n    params: { copy: *r, list: [*r] }\n';
    // x-shared is an unknown top-level key: the alias still resolves, the key is still reported.
    const result = compileTexts([{ file: 'alias.yaml', text }]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SG1003']);
    const ok = 'name: alias\njobs:\n  a: &a\n    lambda: f\n    params: &p { bucket: data, days: 3 }\n  b:\n    needs: [a]\n    lambda: g\n    params: { copy: *p, list: [*p] }\n';
    expect(jobParams(ok, 'b')).toEqual({ copy: { bucket: 'data', days: 3 }, list: [{ bucket: 'data', days: 3 }] });
  });

  it('`<<: *base` merges the mapping\'s keys, the mapping\'s own keys winning; no key named <<', () => {
    const text = 'name: merge\njobs:\n  base: &base\n    lambda: f\n    timeout: 30m\n    params: { mode: base, keep: 1 }\n  other:\n    <<: *base\n    needs: [base]\n    params: { mode: other }\n';
    const result = compileTexts([{ file: 'merge.yaml', text }]);
    expect(result.diagnostics).toEqual([]);
    const job = result.compiled[0].workflow.jobs.find((j) => j.name === 'other')!;
    expect(job.kind).toMatchObject({ type: 'lambda', function: 'f' });
    expect(job.timeoutSeconds).toBe(1800);
    expect(job.params).toEqual({ mode: 'other' });
    expect(JSON.stringify(result.compiled[0].definitions[0].definition)).not.toContain('<<');
  });

  it('merges in a sweep entry (spawn files written in YAML use them)', () => {
    const result = compile('name: grid\ndefaults: { instance_type: t3.micro, ttl: 1h }\nparams:\n  - &one { lr: 0.1, bs: 16 }\n  - { <<: *one, lr: 0.2 }\n');
    expect(result.compiled, printed(result)).toBeDefined();
    expect(result.compiled!.sweep.items.map((i) => [i.fields.lr, i.fields.bs])).toEqual([[0.1, 16], [0.2, 16]]);
  });

  it('refuses an alias bomb at once, with a diagnostic at the alias that crosses the budget', () => {
    const lines = ['name: bomb', 'jobs: {}', 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const result = compileTexts([{ file: 'bomb.yaml', text: lines.join('\n') }]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'SG1008', message: `aliases in this file expand to more than ${ALIAS_BUDGET.toLocaleString('en-US')} values` });
    expect(result.diagnostics[0].start).toBeGreaterThan(0);
  });

  it('refuses an alias inside the value it names, and a merge of something not a mapping', () => {
    const self = compileTexts([{ file: 'self.yaml', text: 'name: s\njobs:\n  a: &a\n    lambda: f\n    params: { me: *a }\n' }]);
    expect(self.diagnostics.map((d) => [d.code, d.message])).toEqual([['SG1008', "the alias '*a' is inside the value it names"]]);
    const merge = compileTexts([{ file: 'm.yaml', text: 'name: m\njobs:\n  a:\n    <<: 5\n    lambda: f\n' }]);
    expect(merge.diagnostics.map((d) => d.code)).toEqual(['SG1008']);
  });
});

describe('CR-only line endings', () => {
  it('reads valid JSON written with CR line ends', () => {
    const result = compileTexts([{ file: 'cr.json', text: '{\r  "name": "cr",\r  "jobs": { "a": { "lambda": "f" } }\r}\r' }]);
    expect(result.diagnostics).toEqual([]);
    expect(result.compiled[0].workflow.name).toBe('cr');
  });

  it('reads YAML whose first line is a comment, and points at the right line', () => {
    const result = compileTexts([{ file: 'cr.yaml', text: '# a comment\rname: cr\rjobs:\r  a:\r    lambdo: f\r' }]);
    const unknown = result.diagnostics.find((d) => d.code === 'SG1003')!;
    expect(unknown).toBeDefined();
    expect(result.lineMaps('cr.yaml')!.position(unknown.start)).toMatchObject({ line: 5, column: 5 });
  });
});
