// Diagnostics point at the place to fix: a missing key (SG1005) at the key that should hold it,
// two keys that exclude each other at the second, a name used twice (SG2011) at the second name.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';

function found(files: { file: string; text: string }[]) {
  const result = compileTexts(files);
  return result.diagnostics.map((d) => {
    const at = result.lineMaps(d.file)!.position(d.start);
    return { at: `${d.file}:${at.line}:${at.column}`, code: d.code, message: d.message, hint: d.hint, note: d.related && `${d.related.message} at ${result.lineMaps(d.related.file)!.position(d.related.offset).line}` };
  });
}

describe('SG1005: a missing key', () => {
  it('GIVEN a task, a local command and a data pipeline each missing their key WHEN checked THEN each error is at the key that holds the mapping, not at its first key', () => {
    const text = [
      'name: w',
      'jobs:',
      '  a:',
      '    task:',
      '      parameters: { JobName: x }',
      '  b:',
      '    lambda: fn',
      '    local:',
      '      cmd: echo',
      '  c:',
      '    data_pipeline:',
      '      parameters: { a: b }',
      '',
    ].join('\n');
    expect(found([{ file: 'w.yaml', text }]).filter((d) => d.code === 'SG1005').map((d) => [d.at, d.message])).toEqual([
      ['w.yaml:4:5', "'task' needs 'resource'"],
      ['w.yaml:8:5', "'local' of job 'b' needs 'command'"],
      ['w.yaml:11:5', "'data_pipeline' needs 'name'"],
    ]);
  });

  it("GIVEN a workflow without 'name' WHEN checked THEN one error at the file's first character, with a hint, and not under 'jobs'", () => {
    expect(found([{ file: 'w.yaml', text: 'jobs:\n  a: { lambda: fn }\n' }])).toEqual([
      { at: 'w.yaml:1:1', code: 'SG1005', message: "the workflow needs 'name'", hint: "add 'name:' as a top-level key", note: undefined },
    ]);
  });

  it("GIVEN a trigger with both 'on_markers' and 'event' WHEN checked THEN the error is at the second, with a note at the first", () => {
    const text = 'name: w\njobs:\n  a: { lambda: fn }\ntriggers:\n  - event: { source: [x] }\n    on_markers: [a]\n';
    expect(found([{ file: 'w.yaml', text }])).toEqual([
      expect.objectContaining({ at: 'w.yaml:6:5', code: 'SG1005', message: "a trigger has both 'on_markers' and 'event'", note: "'event' given at 5" }),
    ]);
  });
});

describe('SG2011: a name used twice', () => {
  it("GIVEN two workflows with one name WHEN compiled together THEN the error is at the second file's name value, not at 1:1", () => {
    const first = { file: 'a.yaml', text: '# first\nname: shared\njobs:\n  a: { lambda: fn }\n' };
    const second = { file: 'b.yaml', text: '# second\n# comment\ndescription: x\nname:   shared\njobs:\n  a: { lambda: fn }\n' };
    expect(found([first, second])).toEqual([expect.objectContaining({ at: 'b.yaml:4:9', code: 'SG2011', message: "the name 'shared' is also used by a.yaml" })]);
  });
});
