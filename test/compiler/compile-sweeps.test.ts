// `stepgraph compile <folder>` writes, for every sweep file in it (YAML, or spawn's JSON), what
// `stepgraph sweep compile` writes for that file, byte for byte; a sweep with errors gets nothing,
// and a sweep that would overwrite another file's output is an error.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { captureConsole } from '../support/console.ts';

const { out, err } = captureConsole();

const scratch = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-compile-sweeps-'));
const files = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const SWEEPS = 'workflows/sweeps';

describe('stepgraph compile, sweep files', () => {
  it('GIVEN the examples WHEN compiled THEN every sweep file gets exactly what `sweep compile` writes for it', async () => {
    // WHEN the folder is compiled, and each sweep file on its own with `sweep compile`
    const dir = scratch();
    expect(await main(['compile', 'workflows', '--out', dir])).toBe(0);
    const one = scratch();
    const sweepFiles = readdirSync(SWEEPS).sort();
    for (const f of sweepFiles) expect(await main(['sweep', 'compile', '--param-file', join(SWEEPS, f), '--out', one]), f).toBe(0);

    // THEN the same files with the same bytes, the distributed sweeps' items files included
    const all = files(dir);
    const alone = files(one);
    expect(Object.keys(alone)).toEqual(expect.arrayContaining(['render-farm.items.json', 'quickstart.asl.json', 'score-models.manifest.json']));
    for (const [name, text] of Object.entries(alone)) expect(all[name], name).toBe(text);
    // AND nothing else but the workflows' own files
    const workflowFiles = Object.keys(all).filter((f) => !(f in alone));
    const workflows = readdirSync('workflows').filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(workflowFiles).toEqual(workflows.flatMap((w) => [`${w}.asl.json`, `${w}.manifest.json`]).sort());
    // AND each sweep file is reported with what it wrote
    for (const f of sweepFiles) expect(err.join('\n')).toMatch(new RegExp(`^${SWEEPS}/${f.replace('.', '\\.')} -> ${dir}/`, 'm'));
  });

  it('GIVEN a sweep file with an error WHEN compiled THEN nothing for it, exit 1, and the rest still written', async () => {
    // GIVEN a folder with a good sweep and a broken one
    const input = scratch();
    copyFileSync(join(SWEEPS, 'score-models.yaml'), join(input, 'score-models.yaml'));
    writeFileSync(join(input, 'broken.json'), JSON.stringify({ defaults: { command: 'train --lr {lr}' }, params: [{ name: 'a' }] }));
    const dir = scratch();

    // WHEN
    const code = await main(['compile', input, '--out', dir]);

    // THEN
    expect(code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['score-models.asl.json', 'score-models.manifest.json']);
    expect(err.join('\n')).toMatch(/broken\.json:\d+:\d+ error SG\d{4}: .*'lr'/);
  });

  it('GIVEN a sweep named like a workflow WHEN compiled THEN an error at the sweep file, and the workflow keeps its files', async () => {
    // GIVEN a sweep that calls itself finance-close beside the finance-close workflow
    const input = scratch();
    copyFileSync('workflows/finance-close.yaml', join(input, 'finance-close.yaml'));
    mkdirSync(join(input, 'sweeps'));
    const sweep = join(input, 'sweeps', 'clash.yaml');
    writeFileSync(sweep, readFileSync(join(SWEEPS, 'score-models.yaml'), 'utf8').replace('name: score-models', 'name: finance-close'));
    const dir = scratch();

    // WHEN
    const code = await main(['compile', input, '--out', dir, '--json']);

    // THEN exit 1 with the clash as a diagnostic, and the workflow's definition is the workflow's
    expect(code).toBe(1);
    const diagnostics = JSON.parse(out.join('\n')) as { file: string; line: number; code: string; severity: string; message: string }[];
    // (finance-close's own warning, SG4005 for its 20-minute lambda estimate, is not the point here)
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/sweeps\/clash\.yaml$/), line: readFileSync(sweep, 'utf8').split('\n').indexOf('name: finance-close') + 1, severity: 'error', code: 'SG2011', message: expect.stringContaining("the name 'finance-close' is also used by ") }),
    ]);
    expect(errors[0].message).toContain(basename(join(input, 'finance-close.yaml')));
    expect(readdirSync(dir).sort()).toEqual(['finance-close.asl.json', 'finance-close.manifest.json']);
    expect(JSON.parse(readFileSync(join(dir, 'finance-close.asl.json'), 'utf8')).StartAt).toBe('Check input');
  });
});

describe('validate checks sweeps without planning them', () => {
  it('GIVEN the examples and a folder with broken sweeps WHEN checked only THEN the same diagnostics and sweeps as a full compile, and nothing emitted', async () => {
    const { compilePaths } = await import('../../generator/compile.ts');
    // GIVEN the examples, plus a sweep with an error and one with a warning
    const dir = scratch();
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\ndefaults:\n  instance_type: t3.micro\n  ttl: 10\nparams:\n  - { lr: 1 }\n');
    writeFileSync(join(dir, 'warned.yaml'), 'name: warned\ndefaults:\n  instance_type: t3.micro\nparams:\n  - { lr: 1 }\n');
    for (const paths of [['workflows'], [dir]]) {
      // WHEN compiled in full and checked only
      const full = compilePaths(paths);
      const checked = compilePaths(paths, { emitSweeps: false });
      // THEN the same findings and the same sweeps; only the full compile has plans
      expect(checked.diagnostics).toEqual(full.diagnostics);
      expect(checked.checkedSweeps.map((s) => s.name)).toEqual(full.sweeps.map((s) => s.sweep.name));
      expect(checked.sweeps).toEqual([]);
      expect(checked.compiled.map((c) => c.workflow.name)).toEqual(full.compiled.map((c) => c.workflow.name));
    }
    expect(compilePaths([dir], { emitSweeps: false }).diagnostics.map((d) => [d.file.endsWith('broken.yaml'), d.severity])).toEqual(expect.arrayContaining([[true, 'error'], [false, 'warning']]));
    expect(compilePaths(['workflows'], { emitSweeps: false }).checkedSweeps).toHaveLength(12);
  });
});
