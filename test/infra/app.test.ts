// The CDK app as `cdk synth` runs it: workflows compiled, diagnostics printed as the CLI prints
// them, exit code 1 on errors, one stack per workflow otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../infra/load-workflows.ts';

const GOOD = `name: tiny
jobs:
  only:
    lambda: tiny-fn
`;
const BAD = `name: broken
jobs:
  load:
    needs: [extrct]
    lambda: load-fn
  extract:
    lambda: extract-fn
`;

const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepgraph-app-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs infra/app.ts the way the CDK CLI does (context and output folder through the environment). */
function runApp(workflows: string) {
  const out = join(folder({}), 'cdk.out');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ workflows, 'aws:cdk:bundling-stacks': [] }) },
  });
  return { ...result, out };
}

describe('loading the workflows to deploy', () => {
  it('reports errors at file:line:col, as the CLI does, and compiles nothing', () => {
    const dir = folder({ 'broken.yaml': BAD, 'tiny.yaml': GOOD });
    const loaded = loadWorkflows(dir);
    expect(loaded.ok).toBe(false);
    expect(loaded.compiled).toEqual([]);
    expect(loaded.messages.join('\n')).toMatch(/broken\.yaml:4:\d+ error SG\d+: .*'extrct'/);
    expect(loaded.messages.join('\n')).toContain("did you mean 'extract'?");
    expect(loaded.messages.at(-1)).toBe('stepgraph: 1 error in workflows; nothing was synthesized');
  });

  it('compiles the graphs and leaves sweep files alone', () => {
    const dir = folder({ 'tiny.yaml': GOOD, 'sweeps/grid.json': '{"defaults": {"command": "train --lr {lr}"}, "params": [{"lr": 0.1}]}' });
    const loaded = loadWorkflows(dir);
    expect(loaded).toMatchObject({ ok: true, messages: [] });
    expect(loaded.compiled.map((c) => c.manifest.stackName)).toEqual(['stepgraph-tiny']);
  });

  it('says so when the folder does not exist', () => {
    expect(loadWorkflows('/nonexistent/workflows')).toMatchObject({ ok: false, messages: [expect.stringContaining('no workflows folder')] });
  });
});

describe('infra/app.ts', () => {
  it('stops with exit code 1 and the diagnostics when a workflow has errors', () => {
    const run = runApp(folder({ 'broken.yaml': BAD }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/broken\.yaml:4:\d+ error SG\d+/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(run.out, 'manifest.json'))).toBe(false);
  });

  it('synthesizes one stack per workflow, cdk-nag passing', () => {
    const run = runApp(folder({ 'tiny.yaml': GOOD, 'other.yaml': GOOD.replace('tiny', 'other') }));
    expect(run.stderr.replace(/^.*NodeVersionSupportWarning[\s\S]*?trace-warnings.*\n/m, '')).not.toMatch(/AwsSolutions/);
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(run.out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([name]) => name);
    expect(stacks.sort()).toEqual(['stepgraph-other', 'stepgraph-tiny']);
  });
});
