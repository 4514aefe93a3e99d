// A sweep inside a workflow: a job of kind `sweep` (a sweep file next to the workflow, or inline)
// compiles into the workflow's definition as a Map between the job's guard and its marker, so
// the jobs that need it start only once every parameter set has run.
import aslValidator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { StateMachine } from '../../generator/local/engine.ts';
import { planSweep } from '../../generator/sweep/plan.ts';
import { sweepJobStates } from '../../generator/emit/sweep.ts';
import { FakeEc2, localOverrides, localWaitHandlers } from '../../generator/sweep/local.ts';
import { LocalInstanceWaits, taskTokens } from '../../generator/sweep/local-waits.ts';
import { expectGolden } from '../support/golden.ts';
import { checkWorkflow } from '../../generator/check/workflow.ts';
import { readSource } from '../../generator/source.ts';
import { includedFiles, withIncludes } from '../../generator/source-includes.ts';

const dir = 'test/fixtures/sweep-job';
const file = `${dir}/workflow.yaml`;
const compile = (text = readFileSync(file, 'utf8')) => compileTexts([{ file, text }]);

type States = Record<string, { Type: string; Next?: string; ItemProcessor?: { States: States }; Catch?: { Next: string }[]; Default?: string; Branches?: { States: States }[]; Error?: string; TimeoutSecondsPath?: string }>;

describe('a workflow with sweep jobs', () => {
  const result = compile();
  const compiled = result.compiled[0];
  const definition = compiled?.definitions[0].definition as unknown as { States: States };

  it('compiles without diagnostics, to its golden definition, and passes asl-validator', () => {
    expect(result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps))).toEqual([]);
    expectGolden(`${dir}/expected.asl.json`, compiled.definitions[0].text);
    const { errors } = aslValidator(structuredClone(definition) as never, { checkPaths: true, checkArn: true });
    expect(errors).toEqual([]);
  });

  it('is planned once, in the plan phase, and emitted from that plan', () => {
    // GIVEN the compiled workflow's plan
    const sweeps = compiled.plan.sweeps;

    // THEN it holds each sweep job's plan, and the job's states render from it as they do from the model
    expect([...sweeps.keys()].sort()).toStrictEqual(['score', 'train']);
    const train = compiled.workflow.jobs.find((j) => j.name === 'train')!.kind;
    if (train.type !== 'sweep') throw new Error('train is a sweep job');
    expect(sweeps.get('train')).toStrictEqual(planSweep(train.sweep));
    const fromPlan: Record<string, Record<string, unknown>> = {};
    const fromModel: Record<string, Record<string, unknown>> = {};
    expect(sweepJobStates('train', sweeps.get('train')!, 'train done', fromPlan)).toStrictEqual(sweepJobStates('train', planSweep(train.sweep), 'train done', fromModel));
    expect(fromPlan).toStrictEqual(fromModel);
  });

  it('reads the sweep file next to the workflow, and names an inline sweep after its job', () => {
    const train = compiled.workflow.jobs.find((j) => j.name === 'train')!.kind;
    const score = compiled.workflow.jobs.find((j) => j.name === 'score')!.kind;
    expect(train).toMatchObject({ type: 'sweep', file: 'sweeps/train.yaml', sweep: { name: 'train', maxConcurrent: 2 } });
    expect(train.type === 'sweep' && train.sweep.items.map((i) => i.fields.command)).toEqual(['python train.py --lr 0.001', 'python train.py --lr 0.01', 'python train.py --lr 0.1']);
    expect(score).toMatchObject({ type: 'sweep', sweep: { name: 'score', runner: { type: 'lambda', function: 'score-model' } } });
  });

  it("puts the sweep where the job's Task would be: started, settings, the Map named after the job, then the job's marker", () => {
    const all: States = {};
    const collect = (states: States): void => {
      for (const [name, state] of Object.entries(states)) {
        all[name] = state;
        for (const b of state.Branches ?? []) collect(b.States);
      }
    };
    collect(definition.States);
    expect(all['train selected?'].Default).toBe('train started');
    expect(all['train started'].Next).toBe('train settings');
    expect(all['train settings'].Next).toBe('train');
    expect(all.train.Type).toBe('Map');
    // It fails in its own states, never caught into another: redrive continues there.
    expect(all.train.Catch).toBeUndefined();
    expect(all['train failed']).toMatchObject({ Type: 'Fail', Error: 'stepgraph.SweepFailed' });
    expect(all['train summary'].Next).toBe('train done');
  });

  it('runs on the local engine: pick_best starts after every training run ended', async () => {
    // GIVEN every Task served locally: the sweep's EC2 by the in-memory fake, the rest by a recorder
    const calls: string[] = [];
    const ec2 = new FakeEc2(() => ({ runSeconds: 2, exitStatus: 0 }));
    const train = compiled.workflow.jobs.find((j) => j.name === 'train')!.kind;
    const plan = planSweep(train.type === 'sweep' ? train.sweep : (undefined as never));
    const overrides = localOverrides(plan, ec2, undefined, 'train');
    // The items' waits released by their instances' ends, through the contract (as the local router will).
    const waits = new LocalInstanceWaits(ec2.events);
    const own = { ...overrides.taskResourceLocalHandlers, ...localWaitHandlers(plan, waits, 'train') };
    const handlers: Record<string, (input: unknown) => unknown> = {};
    const local = structuredClone(definition);
    const walk = (states: States): void => {
      for (const [name, state] of Object.entries(states)) {
        // The engine reads TimeoutSecondsPath from the Parameters (Step Functions: the state input); the wait handler keeps the deadline.
        delete state.TimeoutSecondsPath;
        if (state.Type === 'Task') {
          const serve = own[name];
          handlers[name] = (input) => {
            calls.push(name);
            return serve ? serve(input) : {};
          };
        }
        for (const b of state.Branches ?? []) walk(b.States);
        if (state.ItemProcessor) walk(state.ItemProcessor.States);
      }
    };
    walk(local.States);
    const machine = new StateMachine(local as never, { validationOptions: { checkPaths: true, checkArn: true } });
    const context = { Execution: { Id: 'arn:aws:states:local:0:execution:model-training:run', Name: 'model-training-2026-01-16' }, State: { get EnteredTime() { return new Date().toISOString(); } }, Task: taskTokens() };

    // WHEN the workflow runs for a date
    await machine.run({ date: '2026-01-16' } as never, { overrides: { ...overrides, taskResourceLocalHandlers: handlers }, context } as never).result;

    // THEN three instances ran, at most two at once, and pick_best came after the last of them ended
    expect([...ec2.launchesByIndex.values()]).toEqual([1, 1, 1]);
    expect(ec2.peakRunning).toBeLessThanOrEqual(2);
    expect(calls.indexOf('pick_best')).toBeGreaterThan(calls.lastIndexOf('train exit status'));
    expect(calls.filter((c) => c === 'train wait')).toHaveLength(3);
    expect(waits.store.size).toBe(0);
    expect(calls.indexOf('pick_best')).toBeGreaterThan(calls.lastIndexOf('score run'));
    expect(calls.filter((c) => c === 'score run')).toHaveLength(2);
  });
});

describe('simulating a workflow with sweep jobs', () => {
  it('waits for the whole sweep on the virtual clock: 3 training runs of 30m, 2 at a time, before pick_best', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await main(['simulate', file, '--date', '2026-01-16'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const text = out.join('\n');
    expect(text).toContain('outcome: SUCCEEDED');
    // features (1m), then two waves of 30m training (each released when its instance ends), then pick_best (1m).
    expect(text).toMatch(/pick_best .*1:02:00 +succeeded/);
  });
});

describe('bad sweep jobs', () => {
  const workflow = (job: string) => `name: bad-sweeps\njobs:\n  train:\n${job}`;

  it('a sweep file that does not exist is reported at the reference', () => {
    const result = compile(workflow('    sweep: sweeps/nope.yaml\n'));
    expect(result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps))).toEqual([
      `${file}:4:12 error SG5022: sweep file 'sweeps/nope.yaml' not found (looked for ${dir}/sweeps/nope.yaml)\n  4 |     sweep: sweeps/nope.yaml\n    |            ^^^^^^^^^^^^^^^^\n  hint: a sweep file's path is relative to the workflow file, e.g. 'sweeps/train.yaml'`,
    ]);
  });

  it("a sweep file's problems are reported at the reference, each with its place in the sweep file", () => {
    const result = compile(workflow('    sweep: sweeps/broken.yaml\n'));
    expect(result.diagnostics.map((d) => `${result.lineMaps(file)!.position(d.start).line} ${d.code} ${d.message}`)).toEqual([
      "4 SG5003 sweeps/broken.yaml:5:21: the command in 'defaults' uses '{lr}', but no entry defines 'lr'",
    ]);
  });

  it("an inline sweep's problems are reported where they are written", () => {
    const result = compile(workflow('    sweep:\n      lambda: score\n      max_concurrent: 0\n      params: []\n'));
    expect(result.diagnostics.map((d) => `${d.code} ${result.lineMaps(file)!.position(d.start).line}`)).toEqual(['SG3009 6', 'SG5001 7']);
  });
});

describe('the files a workflow names', () => {
  it('are read in the source phase: check works on the text it is given', () => {
    // GIVEN a workflow naming a sweep file that exists only in memory
    const workflow = 'name: from-memory\njobs:\n  train:\n    sweep: sweeps/none-on-disk.yaml\n';
    const { source } = readSource('virtual/workflow.yaml', workflow);
    expect(includedFiles(source)).toStrictEqual(['virtual/sweeps/none-on-disk.yaml']);

    // WHEN it is checked with that file's text, and without it
    const sweep = "defaults:\n  instance_type: t3.micro\nparams:\n  - command: 'echo one'\n    ttl: 5m\n";
    const given = checkWorkflow(withIncludes(source, (path) => (path === 'virtual/sweeps/none-on-disk.yaml' ? sweep : undefined)));
    const missing = checkWorkflow(withIncludes(source, () => undefined));

    // THEN the given text is the sweep, and a file that could not be read is reported at its reference
    expect(given.diagnostics.filter((d) => d.severity === 'error')).toStrictEqual([]);
    expect(given.workflow?.jobs[0].kind).toMatchObject({ type: 'sweep', file: 'sweeps/none-on-disk.yaml', sweep: { name: 'train' } });
    expect(missing.diagnostics.map((d) => d.code)).toStrictEqual(['SG5022']);
  });
});
