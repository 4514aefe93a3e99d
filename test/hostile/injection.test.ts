// Issue 12, items 1 and 2: no value from a param file, a `--param` or a sweep entry ever becomes
// shell syntax. Each case runs the real shell on what stepgraph produced and checks that the
// hostile value arrived as data (printed back as written) and that nothing it carried ran.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { fillTemplate } from '../../generator/local/command.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { shellWord } from '../../generator/shell.ts';
import { compiled } from '../sweep/support.ts';

const temp = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-hostile-'));

/** Values a shell would run if they were pasted in as they are, each touching `pwned` in `dir`. */
const hostile = (dir: string): string[] => {
  const p = join(dir, 'pwned');
  return [`$(touch ${p})`, `\`touch ${p}\``, `0.6; touch ${p}`, `x' ; touch ${p}; '`, `a\ntouch ${p}`, `"; touch ${p}; "`, `| touch ${p}`, `&& touch ${p}`, `*`, '~', '', ' spaced  out '];
};

describe('shellWord', () => {
  it('gives bash exactly one word with exactly the value, for every hostile value', () => {
    const dir = temp();
    for (const value of hostile(dir)) {
      const printed = execFileSync('bash', ['-c', `printf '%s\\0' ${shellWord(value)}`], { cwd: dir, encoding: 'utf8' });
      expect(printed).toBe(`${value}\0`);
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('leaves plain words as written, so ordinary commands read as before', () => {
    for (const plain of ['0.5', 's3://bucket/key', 'lr-0.1', '2019-03-12', 'a=b', 'x,y']) expect(shellWord(plain)).toBe(plain);
  });
});

describe('run --local', () => {
  it("runs `{mode}` of --param 'mode=$(touch x)' as an argument, not as a command", async () => {
    const dir = temp();
    const [substitution, , sequence] = hostile(dir);
    const text = `name: hostile\njobs:\n  etl:\n    lambda: fn-etl\n    local: { command: "printf '<%s>' etl --mode {mode} --other {other}" }\n`;
    const result = compileTexts([{ file: 'hostile.yaml', text }]);
    const lines: string[] = [];
    const output = { write: (t: string) => void lines.push(...t.split('\n').filter(Boolean)) };

    const report = await runLocally(result.compiled[0], { date: '2019-03-12', params: { mode: substitution, other: sequence }, store: new DirectoryMarkerStore(dir), output }).report;

    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(lines).toContain(`[etl] <etl><--mode><${substitution}><--other><${sequence}>`);
  });

  it('fills every hostile value in as one word', () => {
    const dir = temp();
    for (const value of hostile(dir)) {
      const command = fillTemplate("printf '[%s]' {v}", { v: value });
      expect(execFileSync('bash', ['-c', command], { cwd: dir, encoding: 'utf8' })).toBe(`[${value}]`);
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('a sweep command', () => {
  it("substitutes `{lr}` of '0.6; touch x' (and every other hostile value) as one argument", () => {
    const dir = temp();
    const values = hostile(dir);
    const { sweep } = compiled({ name: 'hostile', defaults: { instance_type: 't3.micro', ttl: '10m', command: "printf '[%s]' {lr} {name}", name: 'n-{index}' }, params: values.map((lr) => ({ lr })) });
    sweep.items.forEach((item, i) => {
      const printed = execFileSync('bash', ['-c', item.fields.command as string], { cwd: dir, encoding: 'utf8' });
      expect(printed).toBe(`[${values[i]}][n-${i}]`);
    });
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});
