// A `when` on an upstream output, with the outputs declared in YAML: a declared output of a job
// upstream is accepted and compiles to a Choice on `$.outputs.<job>.<name>`; an undeclared one is
// refused at its place with a did-you-mean.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';

const workflow = (when: string): string => `name: refs
jobs:
  list_partitions:
    lambda: list
    outputs:
      rows: $.Payload.rowCount
  load:
    needs: [list_partitions]
    lambda: load
  publish:
    needs: [load]
    lambda: publish
    when: ${when}
`;

describe('when on upstream outputs', () => {
  it('accepts a declared output of a job upstream (through another job) and reads it from $.outputs', () => {
    const { compiled, diagnostics } = compileTexts([{ file: 'refs.yaml', text: workflow('{ output: list_partitions.rows, greater_than: 0 }') }]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const text = compiled[0].definitions[0].text;
    expect(text).toContain('"Variable": "$.outputs.list_partitions.rows"');
    expect(text).toContain('"NumericGreaterThan": 0');
  });

  it('refuses an output the job does not declare, with a did-you-mean, at the reference', () => {
    const text = workflow('{ output: list_partitions.row, greater_than: 0 }');
    const { diagnostics } = compileTexts([{ file: 'refs.yaml', text }]);
    const error = diagnostics.find((d) => d.code === 'SG2020')!;
    expect(error.message).toBe("job 'list_partitions' has no output 'row'");
    expect(error.hint).toBe("did you mean 'rows'?");
    expect(text.slice(error.start, error.end)).toBe('list_partitions.row');
  });

  it('refuses an output of a job that declares none', () => {
    const { diagnostics } = compileTexts([{ file: 'refs.yaml', text: workflow('{ output: load.rows, exists: true }') }]);
    expect(diagnostics.find((d) => d.code === 'SG2020')?.message).toBe("job 'load' has no output 'rows'");
  });
});
