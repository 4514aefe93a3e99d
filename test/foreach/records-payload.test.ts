// The payload check counts the raw item records a tolerant for_each job with outputs holds for a
// moment before gathering its lists: their key names per item, at the most items the list holds.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';

const compile = (each: string, list = '{ path: $.Payload.keys, max_size: 40KB }') =>
  compileTexts([
    {
      file: 'r.yaml',
      text: `name: records
jobs:
  list: { lambda: list, outputs: { keys: ${list} } }
  each:
    needs: [list]
    for_each: list.keys
${each}
    lambda: each
`,
    },
  ]).diagnostics.map((d) => `${d.code} ${d.severity} ${d.message}`);

describe("a tolerant for_each job's records against the payload limit", () => {
  it('refuses records whose key names, at max_items items, take the state past 256KB', () => {
    // GIVEN 6,000 items whose inline record repeats `"failedIndex":-1` and `"file_name":` each (42 bytes with the tally's copy)
    const diagnostics = compile('    max_items: 6000\n    tolerated_failures: 1\n    outputs: { file_name: $.Payload.f }');
    expect(diagnostics).toEqual([
      "SG4011 error the run's state can reach 291KB while job 'each' holds its items' records (the key names of up to 6000 items add 247KB): past Step Functions' 256KB payload limit",
    ]);
  });

  it('counts the smaller distributed record where the job forces that form, and warns near the limit', () => {
    // 11,000 records of `{"file_name":…},` (16 bytes of keys each) beside the 40KB list
    const diagnostics = compile('    max_items: 11000\n    map: distributed\n    tolerated_failures: 1\n    outputs: { file_name: $.Payload.f }');
    expect(diagnostics).toEqual([
      "SG4010 warning the run's state can reach 216KB while job 'each' holds its items' records (the key names of up to 11000 items add 172KB), near Step Functions' 256KB payload limit",
    ]);
  });

  it("bounds the items by the upstream list's declared size when max_items is absent", () => {
    // 100KB of list holds at most 51,200 elements: their records could never fit
    expect(compile('    tolerated_failures: 1\n    outputs: { f: $.Payload.f }', '{ path: $.Payload.keys, max_size: 100KB }')[0]).toMatch(/^SG4011 error .* up to 51200 items/);
  });

  it('counts nothing without records (no tolerance or no outputs) or without a bound on the items', () => {
    expect(compile('    max_items: 6000\n    outputs: { file_name: $.Payload.f }')).toEqual([]);
    expect(compile('    max_items: 6000\n    tolerated_failures: 1')).toEqual([]);
    expect(compile('    tolerated_failures: 1\n    outputs: { file_name: $.Payload.f }', '$.Payload.keys')).toEqual([]);
  });
});
