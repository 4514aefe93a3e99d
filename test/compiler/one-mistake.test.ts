// One mistake, one error: the YAML mistakes people make (an unquoted '{date}', a tab, a key at the
// wrong depth) are reported once, at the place to fix, with a hint that says how; what merely
// follows from them (the parser's later errors, a job made of a misplaced option) is not reported.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';

const workflow = (...jobs: string[]): string => ['name: demo', 'partition: daily', 'jobs:', ...jobs, ''].join('\n');

function diagnose(text: string) {
  const result = compileTexts([{ file: 'w.yaml', text }]);
  return result.diagnostics.map((d) => {
    const at = result.lineMaps('w.yaml')!.position(d.start);
    return { at: `${at.line}:${at.column}`, code: d.code, severity: d.severity, hint: d.hint ?? '' };
  });
}

describe('one mistake, one error', () => {
  it.each([
    {
      mistake: "an unquoted '{date}' in a flow mapping's command",
      text: workflow('  extract:', '    lambda: extract-fn', '    local: { command: echo {date} }', '  load:', '    needs: [extract]', '    lambda: load-fn'),
      at: '6:28',
      code: 'SG1001',
      hint: /quote .*command: "echo \{date\}"/,
    },
    {
      mistake: "a block value that is only '{date}'",
      text: workflow('  extract:', '    lambda: extract-fn', '    local:', '      command: {date}'),
      at: '7:16',
      code: 'SG1004',
      hint: /starting with '\{' is read as a mapping: quote it, e.g. command: "\{date\}"/,
    },
    {
      mistake: "a block value starting with '{date}' and going on",
      text: workflow('  extract:', '    lambda: extract-fn', '    local:', '      command: {date}.csv'),
      at: '7:22',
      code: 'SG1001',
      hint: /starting with '\{' is read as a mapping: quote it/,
    },
    {
      mistake: "a value containing ': '",
      text: workflow('  extract:', '    lambda: extract-fn', '    local:', '      command: echo a: b'),
      at: '7:16',
      code: 'SG1001',
      hint: /containing ': ' is read as a nested key: quote it, e.g. command: "echo a: b"/,
    },
    {
      mistake: 'a tab used for indentation',
      text: workflow('  extract:', '\tlambda: extract-fn', '  load:', '    needs: [extract]', '    lambda: load-fn'),
      at: '5:1',
      code: 'SG1001',
      hint: /tabs are not indentation in YAML: indent with spaces/,
    },
    {
      mistake: "'needs' two spaces short, level with the jobs",
      text: workflow('  extract:', '    lambda: extract-fn', '  load:', '    lambda: load-fn', '  needs: [extract]', '  report:', '    lambda: report-fn'),
      at: '8:3',
      code: 'SG1004',
      hint: /indent it under the job/,
    },
    {
      mistake: "'needs' one space short, between the job and its options",
      text: workflow('  extract:', '    lambda: extract-fn', '  load:', '    lambda: load-fn', '   needs: [extract]'),
      at: '8:4',
      code: 'SG1001',
      hint: /'needs' is indented 3 spaces.*indent it 4 spaces, like 'lambda', to put it under 'load'/,
    },
    {
      mistake: "'needs' indented deeper than the option above it",
      text: workflow('  extract:', '    lambda: extract-fn', '  load:', '    lambda: load-fn', '      needs: [extract]'),
      at: '8:7',
      code: 'SG1001',
      hint: /'needs' is indented deeper than 'lambda' above it.*indent it 4 spaces, like 'lambda', to put it under 'load'/,
    },
  ])('GIVEN $mistake WHEN validated THEN exactly one error, at $at', ({ text, at, code, hint }) => {
    const found = diagnose(text);
    expect(found.map((d) => [d.at, d.code, d.severity])).toEqual([[at, code, 'error']]);
    expect(found[0].hint).toMatch(hint);
  });

  it('GIVEN the same workflows written correctly WHEN validated THEN nothing', () => {
    for (const text of [
      workflow('  extract:', '    lambda: extract-fn', '    local: { command: "echo {date}" }', '  load:', '    needs: [extract]', '    lambda: load-fn'),
      workflow('  extract:', '    lambda: extract-fn', '    local:', '      command: "{date}"'),
      workflow('  extract:', '    lambda: extract-fn', '  load:', '    lambda: load-fn', '    needs: [extract]'),
    ]) {
      expect(diagnose(text)).toEqual([]);
    }
  });

  it("GIVEN a sweep whose command is only '{lr}' WHEN validated THEN one error at the value, saying to quote it", () => {
    const found = diagnose('name: s\ndefaults:\n  instance_type: t3.micro\n  ttl: 1h\n  command: {lr}\nparams:\n  - { lr: 1 }\n');
    expect(found.map((d) => [d.at, d.code, d.severity])).toEqual([['5:12', 'SG1004', 'error']]);
    expect(found[0].hint).toMatch(/read as a mapping: quote/);
  });
});
