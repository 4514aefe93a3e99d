// A job's `outputs:` read into the model: names, JSONPaths and declared sizes.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { outputPathProblem, parseSize } from '../../generator/check/outputs.ts';

const workflow = (outputs: string): string => `name: outs\njobs:\n  producer:\n    lambda: produce\n    outputs:\n${outputs}\n  consumer:\n    needs: [producer]\n    lambda: consume\n`;

describe('outputs are read from the job', () => {
  it('fills Job.outputs in source order, with a declared size in bytes', () => {
    // GIVEN a job with a shorthand output and one with a declared size
    const text = workflow(`      partitions: { path: $.Payload.partitions, max_size: 4KB }\n      rows: $.Payload['row count'][0]`);

    // WHEN it is compiled
    const { compiled, diagnostics } = compileTexts([{ file: 'w.yaml', text }]);

    // THEN the model holds both, and a job without outputs has none
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const jobs = compiled[0].workflow.jobs;
    expect(jobs[0].outputs).toStrictEqual([
      { name: 'partitions', path: '$.Payload.partitions', maxBytes: 4096 },
      { name: 'rows', path: "$.Payload['row count'][0]" },
    ]);
    expect(jobs[1].outputs).toBeUndefined();
  });

  it.each([
    ['rowCount: $.Payload.rows', 'SG3015', "'row_count'"],
    ['rows: Payload.rows', 'SG3016', "must start with '$'"],
    ['rows: $.Payload[*]', 'SG3016', "'[*]' is not a step"],
    ["rows: $.a['x'].b.$", 'SG3016', "'.$' is not a step"],
    ['rows: { path: $.a, max_size: big }', 'SG3017', 'a size'],
    ['rows: $.a\n      rows: $.b', 'SG3018', 'given twice'],
    ['rows: { path: $.a, max_sise: 4KB }', 'SG1003', "did you mean 'max_size'"],
    ['rows: [1]', 'SG1004', 'a JSONPath or a mapping'],
  ])('reports %j as %s', (outputs, code, words) => {
    // GIVEN one bad output WHEN compiled
    const { compiled, diagnostics } = compileTexts([{ file: 'w.yaml', text: workflow(`      ${outputs}`) }]);

    // THEN it is an error with that code, whose message or hint says what to do
    expect(compiled).toEqual([]);
    const found = diagnostics.find((d) => d.code === code);
    expect(found, JSON.stringify(diagnostics)).toBeDefined();
    expect(`${found!.message} ${found!.hint ?? ''}`).toContain(words);
  });

  it('accepts only reference paths', () => {
    expect(outputPathProblem('$')).toBeUndefined();
    expect(outputPathProblem("$.a_b-c[12]['x y']")).toBeUndefined();
    expect(outputPathProblem('$..a')).toBeDefined();
    expect(outputPathProblem("$['a']']")).toBeDefined();
    expect(outputPathProblem('$[01]')).toBeDefined();
  });

  it('reads sizes in bytes', () => {
    expect(parseSize('512B')).toBe(512);
    expect(parseSize('1.5KiB')).toBe(1536);
    expect(parseSize('1MB')).toBe(1048576);
    expect(parseSize('0B')).toBeUndefined();
    expect(parseSize('4 GB')).toBeUndefined();
  });
});
