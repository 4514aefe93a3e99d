// Colour on a terminal: diagnostics of validate and compile are coloured when stderr is a terminal
// or FORCE_COLOR asks for it, never with NO_COLOR (which wins) and never down a pipe; coloured or
// not, the text is the same.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansi } from '../../generator/terminal/colour.ts';
import { formatDiagnostic, LineMap, type Diagnostic } from '../../generator/diagnostics.ts';

const ESC = '\x1b[';
const stripAnsi = (text: string): string => text.replace(/\x1b\[\d+m/g, '');

function cli(args: string[], colourEnv: Record<string, string>): { status: number | null; stderr: string } {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  // stdio pipes: the CLI's stderr is never a terminal here
  const run = spawnSync(process.execPath, [resolve('bin/stepgraph.mjs'), ...args], { env: { ...env, ...colourEnv }, encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'stepgraph-colour-'));
const file = join(dir, 'w.yaml');
// One error (an unknown need) and one warning (an obsolete key)
writeFileSync(file, 'name: w\njobs:\n  a:\n    lambda: fn\n    needs: [b]\n    waits_for:\n      - marker: m\n        poll: 5m\n');

describe('colour of diagnostics', () => {
  it('GIVEN FORCE_COLOR WHEN validate and compile report THEN errors red, warnings yellow, codes dim, hints cyan, and the same text under the colour', () => {
    for (const command of [['validate', file], ['compile', file, '--out', join(dir, 'out')]]) {
      const coloured = cli(command, { FORCE_COLOR: '1' });
      const plain = cli(command, {});
      expect(coloured.status).toBe(1);
      expect(coloured.stderr).toContain(`${ansi.bold(ansi.red('error'))} ${ansi.dim('SG2003')}`);
      expect(coloured.stderr).toContain(`${ansi.bold(ansi.yellow('warning'))} ${ansi.dim('SG3014')}`);
      expect(coloured.stderr).toContain(ansi.cyan('hint:'));
      expect(coloured.stderr).toContain(ansi.red('1 error'));
      expect(stripAnsi(coloured.stderr)).toBe(plain.stderr);
    }
  });

  it('GIVEN NO_COLOR, with or without FORCE_COLOR, or a pipe and neither WHEN validate reports THEN plain text', () => {
    const envs: Record<string, string>[] = [{ NO_COLOR: '1' }, { NO_COLOR: '1', FORCE_COLOR: '1' }, {}, { FORCE_COLOR: '0' }];
    for (const env of envs) {
      const run = cli(['validate', file], env);
      expect(run.stderr, JSON.stringify(env)).toContain('error SG2003');
      expect(run.stderr, JSON.stringify(env)).not.toContain(ESC);
    }
  });

  it('GIVEN a diagnostic WHEN formatted with colour THEN the source line is never coloured and the text is the plain one', () => {
    const text = 'name: w\njobs: {}\n';
    const d: Diagnostic = { file: 'w.yaml', start: 8, end: 12, severity: 'error', code: 'SG2012', message: 'no jobs', hint: 'add one', related: { message: 'named', file: 'w.yaml', offset: 0 } };
    const lines = new LineMap(text);
    const coloured = formatDiagnostic(d, () => lines, ansi);
    expect(stripAnsi(coloured)).toBe(formatDiagnostic(d, () => lines));
    expect(coloured.split('\n')[1]).toMatch(/ jobs: \{\}$/);
    expect(coloured).toContain(ansi.cyan('note:'));
  });
});
