// The README's examples are real: the workflow and the sweep it shows compile without errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';

const readme = readFileSync('README.md', 'utf8');
const blocks = (lang: string): string[] => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

describe('README examples', () => {
  it('the language-by-example workflow compiles', () => {
    const [workflow] = blocks('yaml');
    const result = compileTexts([{ file: 'readme.yaml', text: workflow }]);
    expect(result.diagnostics).toEqual([]);
    expect(result.compiled.map((c) => c.workflow.jobs.map((j) => j.name))).toEqual([['player_entry', 'sessions', 'daily_kpis', 'bi_import']]);
  });

  it('the sweep example compiles as a sweep', () => {
    const [sweep] = blocks('json');
    const result = compileTexts([{ file: 'sweep.json', text: sweep }]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.sweeps).toHaveLength(1);
  });
});
