// A local command reads upstream outputs and its element with the same templates a kind's
// arguments use: validate checks them the same way, at the command, and the emitted definition
// brings in what a command reads (run --local runs that very definition).
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';

const base = `name: refs
jobs:
  list:
    lambda: list
    outputs: { partitions: $.Payload.partitions, rows: $.Payload.rows }
`;
const compile = (jobs: string) => compileTexts([{ file: 'w.yaml', text: `${base}${jobs}` }]);

describe('data templates in a local command', () => {
  it.each([
    ['an output the job does not declare', `  load:\n    needs: [list]\n    lambda: l\n    local: { command: "load {inputs.list.row}" }\n`, 'SG2014', "did you mean 'rows'?"],
    ['a job not upstream', `  load:\n    lambda: l\n    local: { command: "load {inputs.list.rows}" }\n`, 'SG2015', "add 'list' to its needs"],
    ['{item} outside for_each', `  load:\n    needs: [list]\n    lambda: l\n    local: { command: "load {item}" }\n`, 'SG2017', "add 'for_each"],
  ])('%s is reported at the command', (_what, jobs, code, hint) => {
    const { compiled, diagnostics, lineMaps } = compile(jobs);
    expect(compiled).toEqual([]);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual([code]);
    const printed = formatDiagnostic(errors[0], lineMaps);
    // at the command: its line is the one the code frame shows
    expect(printed).toContain(`error ${code}`);
    expect(printed).toContain("local: { command: ");
    expect(printed).toContain(hint);
  });

  it('accepts {item}, {index} and upstream outputs in a for_each job command', () => {
    const { diagnostics } = compile(`  load:\n    needs: [list]\n    for_each: list.partitions\n    lambda: l\n    local: { command: "load {item} {index} {inputs.list.rows}" }\n`);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it("reads a waited-for marker's outputs when only the local command uses them", () => {
    // GIVEN a job whose command (not its kind) reads the outputs of a marker it waits for
    const { compiled, diagnostics } = compileTexts([
      { file: 'w.yaml', text: `name: reads\njobs:\n  load:\n    waits_for: [payments]\n    lambda: l\n    local: { command: "load {inputs.payments.path}" }\n` },
    ]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // THEN the definition reads the marker into $.outputs.payments after the wait, as for a kind's value
    const states = compiled[0].definitions[0].definition.States as Record<string, { Type: string }>;
    expect(Object.keys(states)).toContain('load reads payments outputs?');
  });
});
