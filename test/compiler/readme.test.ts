// The README's examples are real: the workflow and the sweep it shows compile without errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compilePaths, compileTexts } from '../../generator/compile.ts';
import { captureConsole } from '../support/console.ts';

const { out } = captureConsole();

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

  it('the sweep example runs as written, saved as sweep.json: dry run, estimate and simulation', async () => {
    const [sweep] = blocks('json');
    const dir = mkdtempSync(join(tmpdir(), 'stepgraph-readme-'));
    const file = join(dir, 'sweep.json');
    writeFileSync(file, sweep);
    expect(readme).toContain('save it as `sweep.json`');
    expect(await main(['sweep', 'launch', '--param-file', file, '--dry-run'])).toBe(0);
    expect(await main(['sweep', 'launch', '--param-file', file, '--estimate-only'])).toBe(0);
    expect(await main(['simulate', file])).toBe(0);
    expect(out.join('\n')).toContain('alpha-0.5');
  });

  it('the shipped examples compile without a warning', () => {
    expect(compilePaths(['workflows']).diagnostics).toEqual([]);
  });
});
