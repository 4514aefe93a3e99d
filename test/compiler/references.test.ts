// What `{inputs.<job>.<name>}`, `{item}`, `{index}` and `for_each` may name, reported where written.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';

const base = `name: refs
jobs:
  list:
    lambda: list
    outputs: { partitions: $.Payload.partitions, rows: $.Payload.rows }
  other:
    lambda: other
    outputs: { total: $.Payload.total }
`;
const compile = (jobs: string) => compileTexts([{ file: 'w.yaml', text: `${base}${jobs}` }]);

describe('references to outputs are checked at validate', () => {
  it.each([
    ['an output the job does not declare', `  load:\n    needs: [list]\n    glue: { job: l, arguments: { --r: "{inputs.list.row}" } }\n`, 'SG2014', "did you mean 'rows'?", '11:39'],
    ['an unknown job', `  load:\n    needs: [list]\n    glue: { job: l, arguments: { --r: "{inputs.lst.rows}" } }\n`, 'SG2014', "did you mean 'list'?", '11:39'],
    ['a job not needed', `  load:\n    needs: [list]\n    glue: { job: l, arguments: { --r: "{inputs.other.total}" } }\n`, 'SG2015', "add 'other' to its needs", '11:39'],
    ['a job downstream (a cycle through inputs)', `  load:\n    needs: [list]\n    glue: { job: l, arguments: { --r: "{inputs.after.x}" } }\n  after:\n    needs: [load]\n    lambda: a\n    outputs: { x: $.x }\n`, 'SG2016', 'move the value to a job upstream', '11:39'],
    ['{item} outside for_each', `  load:\n    needs: [list]\n    glue: { job: l, arguments: { --p: "{item}" } }\n`, 'SG2017', "add 'for_each", '11:39'],
    ['for_each over a job not needed', `  load:\n    needs: [list]\n    for_each: other.total\n    lambda: l\n`, 'SG2015', "add 'other' to its needs", '11:15'],
    ['for_each over an unknown output', `  load:\n    needs: [list]\n    for_each: list.partition\n    lambda: l\n`, 'SG2014', "did you mean 'partitions'?", '11:15'],
    ['for_each misspelt', `  load:\n    needs: [list]\n    for_each: list\n    lambda: l\n`, 'SG3019', '<job>.<output>', '11:15'],
    ['max_concurrent without for_each', `  load:\n    needs: [list]\n    max_concurrent: 3\n    lambda: l\n`, 'SG3019', "add 'for_each", '11:5'],
    ['for_each misspelt as a key', `  load:\n    needs: [list]\n    for_eech: list.partitions\n    lambda: l\n`, 'SG1003', "did you mean 'for_each'?", '11:5'],
  ])('%s', (_what, jobs, code, hint, place) => {
    // GIVEN a job that reads data wrongly WHEN compiled
    const { compiled, diagnostics, lineMaps } = compile(jobs);

    // THEN one error with that code, at the value, says how to fix it
    expect(compiled).toEqual([]);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual([code]);
    const printed = formatDiagnostic(errors[0], lineMaps);
    expect(printed).toContain(`w.yaml:${place} error ${code}`);
    expect(printed).toContain(hint);
  });

  it('accepts an output of a need of a need, {item} and {index} in a for_each job, and a waited-for marker', () => {
    const { diagnostics } = compile(`  mid:\n    needs: [list]\n    lambda: m\n  load:\n    needs: [mid]\n    for_each: list.partitions\n    max_concurrent: 2\n    waits_for: [payments]\n    glue: { job: l, arguments: { --p: "{item}", --i: "{index}", --r: "{inputs.list.rows}", --paid: "{inputs.payments.total}" } }\n`);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe("the run's state against the 256KB payload limit, from declared sizes", () => {
  const sized = (a: string, b: string) => compileTexts([{ file: 'p.yaml', text: `name: sizes\njobs:\n  a: { lambda: a, outputs: { big: { path: $.Payload.big, max_size: ${a} } } }\n  b: { needs: [a], lambda: b, outputs: { more: { path: $.Payload.more, max_size: ${b} } } }\n` }]);

  it('warns near the limit (SG4010) at the job that brings it there', () => {
    const { diagnostics, compiled } = sized('150KB', '60KB');
    expect(compiled).toHaveLength(1);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['SG4010', 'warning']]);
    expect(diagnostics[0].message).toContain("output 'more' of job 'b'");
  });

  it('refuses past it (SG4011)', () => {
    const { diagnostics, compiled } = sized('150KB', '110KB');
    expect(compiled).toEqual([]);
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['SG4011']);
  });

  it('counts nothing for outputs without a declared size', () => {
    expect(sized('1KB', '1KB').diagnostics).toEqual([]);
  });
});

describe('graph draws a for_each job as a Map', () => {
  it('as a stacked box naming the list it runs over, in Mermaid and DOT', async () => {
    const { renderGraph } = await import('../../generator/render/graph.ts');
    const { compiled } = compile(`  load:\n    needs: [list]\n    for_each: list.partitions\n    max_concurrent: 3\n    lambda: l\n`);
    const { workflow } = compiled[0];
    expect(renderGraph(workflow, 'mermaid')).toContain('  load[["load<br/><small>lambda, for each list.partitions (≤3 at a time)</small>"]]');
    expect(renderGraph(workflow, 'mermaid')).toContain('  list["list<br/><small>lambda</small>"]');
    expect(renderGraph(workflow, 'dot')).toContain('"load" [shape=box3d, label="load\\nlambda, for each list.partitions (≤3 at a time)"];');
  });
});
