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

const GRID = '{"defaults": {"instance_type": "t3.micro", "ttl": "1h", "iam_role": "trainer", "command": "train --lr {lr}"}, "params": [{"lr": 0.1}, {"lr": 0.2}]}';

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
  it('reports errors at file:line:col, as the CLI does, names the broken file and goes on with the others', () => {
    const dir = folder({ 'broken.yaml': BAD, 'tiny.yaml': GOOD });
    const loaded = loadWorkflows(dir);
    expect(loaded.ok).toBe(true);
    expect(loaded.compiled.map((c) => c.manifest.stackName)).toEqual(['stepgraph-tiny']);
    expect(loaded.messages.join('\n')).toMatch(/broken\.yaml:4:\d+ error SG\d+: .*'extrct'/);
    expect(loaded.messages.join('\n')).toContain("did you mean 'extract'?");
    expect(loaded.messages.at(-1)).toMatch(/^stepgraph: 1 error in .*broken\.yaml: its stack is left out of this synth; the other 1 stack is synthesized/);
  });

  it('compiles nothing when every file is broken', () => {
    const loaded = loadWorkflows(folder({ 'broken.yaml': BAD }));
    expect(loaded).toMatchObject({ ok: false, compiled: [], sweeps: [] });
    expect(loaded.messages.at(-1)).toBe('stepgraph: 1 error in workflows; nothing was synthesized');
  });

  it('compiles the graphs and leaves sweep files alone', () => {
    const dir = folder({ 'tiny.yaml': GOOD, 'sweeps/grid.json': GRID });
    const loaded = loadWorkflows(dir);
    expect(loaded).toMatchObject({ ok: true, messages: [] });
    expect(loaded.compiled.map((c) => c.manifest.stackName)).toEqual(['stepgraph-tiny']);
  });

  it('says so when the folder does not exist', () => {
    expect(loadWorkflows('/nonexistent/workflows')).toMatchObject({ ok: false, messages: [expect.stringContaining('no workflows folder')] });
  });
});

describe('loading the sweeps to deploy', () => {
  it('compiles every sweep file beside the workflows, JSON or YAML, each to its own stack', () => {
    const dir = folder({ 'tiny.yaml': GOOD, 'sweeps/grid.json': GRID, 'sweeps/nested/scores.yaml': 'name: scores\nlambda: score-fn\nparams:\n  - {model: a}\n' });
    const loaded = loadWorkflows(dir);
    expect(loaded).toMatchObject({ ok: true, messages: [] });
    expect(loaded.sweeps.map((c) => c.manifest.stackName)).toEqual(['stepgraph-grid', 'stepgraph-scores']);
  });

  it('reports a broken sweep at file:line:col and leaves out only its stack', () => {
    const dir = folder({ 'tiny.yaml': GOOD, 'sweeps/grid.json': GRID, 'sweeps/bad.json': '{\n  "defaults": {"command": "run {missing}"},\n  "params": [{"x": 1}]\n}\n' });
    const loaded = loadWorkflows(dir);
    expect(loaded.ok).toBe(true);
    expect([...loaded.compiled, ...loaded.sweeps].map((c) => c.manifest.stackName)).toEqual(['stepgraph-tiny', 'stepgraph-grid']);
    expect(loaded.messages.join('\n')).toMatch(/bad\.json:2:\d+ error SG\d+: .*missing/);
  });

  it('refuses a sweep named like a workflow: both would be the same stack', () => {
    const loaded = loadWorkflows(folder({ 'tiny.yaml': GOOD, 'sweeps/tiny.json': GRID }));
    expect(loaded.messages.join('\n')).toMatch(/tiny\.yaml:\d+:\d+ error SG2011: the name 'tiny' is also used by .*sweeps\/tiny\.json/);
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

  it('synthesizes one stack per workflow and one per sweep file beside them, cdk-nag passing', () => {
    const run = runApp(folder({ 'tiny.yaml': GOOD, 'other.yaml': GOOD.replace('tiny', 'other'), 'sweeps/grid.json': GRID }));
    expect(run.stderr.replace(/^.*NodeVersionSupportWarning[\s\S]*?trace-warnings.*\n/m, '')).not.toMatch(/AwsSolutions/);
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(run.out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([name]) => name);
    expect(stacks.sort()).toEqual(['stepgraph-grid', 'stepgraph-other', 'stepgraph-tiny']);
    const template = JSON.parse(readFileSync(join(run.out, 'stepgraph-grid.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    expect(Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!.Properties.StateMachineName).toBe('grid');
  });

  it('prints a broken YAML sweep once, though both loaders read it, and synthesizes the other stacks', () => {
    const run = runApp(folder({ 'tiny.yaml': GOOD, 'sweeps/bad.yaml': 'params:\n  - {lr: 1}\nmax_concurrent: 0.5\n' }));
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/bad\.yaml: its stack is left out of this synth; the other 1 stack is synthesized/);
    expect(existsSync(join(run.out, 'stepgraph-tiny.template.json'))).toBe(true);
    const lines = run.stderr.split('\n').filter((l) => /bad\.yaml:\d+:\d+ error/.test(l));
    expect(lines).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
