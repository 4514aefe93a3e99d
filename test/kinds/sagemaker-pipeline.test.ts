// The `sagemaker_pipeline` kind: what it reads (and refuses, where), the Task it renders (golden,
// both validators), that a hostile parameter value stays data from the YAML to SageMaker's API, and
// how simulate and run --local serve it (the work, then its status event, through the local router).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient, StartPipelineExecutionCommand, DescribePipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { StateMachine, type JsonValue } from '../../generator/local/engine.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';
import { startSageMakerPipeline } from '../../handlers/start-sagemaker-pipeline.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { expectGolden } from '../support/golden.ts';

const FIXTURE = 'test/fixtures/kinds/sagemaker_pipeline';

function compile(text: string): CompiledWorkflow {
  const result = compileTexts([{ file: 'w.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, result.lineMaps))).toEqual([]);
  return result.compiled[0];
}

/** The diagnostics of a bad workflow, as `line:col code message`. */
function problems(text: string): string[] {
  const result = compileTexts([{ file: 'w.yaml', text }]);
  expect(result.compiled).toEqual([]);
  return result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps).split('\n')[0].replace(/^w\.yaml:/, ''));
}

const job = (body: string, partition = 'daily') => `name: w\npartition: ${partition}\njobs:\n  train:\n${body}`;

describe('sagemaker_pipeline: reading', () => {
  it('takes a name, or a name with parameters', () => {
    const short = compile(job('    sagemaker_pipeline: churn-retrain\n'));
    expect(short.workflow.jobs[0].kind).toEqual({ type: 'sagemaker_pipeline', pipeline: 'churn-retrain', parameters: {} });
    const long = compile(job('    sagemaker_pipeline:\n      name: Churn-Retrain\n      parameters: { Day: "{date}", Epochs: 3 }\n'));
    expect(long.workflow.jobs[0].kind).toEqual({ type: 'sagemaker_pipeline', pipeline: 'Churn-Retrain', parameters: { Day: '{date}', Epochs: '3' } });
  });

  it('refuses what SageMaker would, at the place it is written', () => {
    expect(problems(job('    sagemaker_pipeline: my_pipeline\n'))).toEqual(["5:25 error SG1004: 'my_pipeline' is not a SageMaker pipeline name"]);
    expect(problems(job('    sagemaker_pipeline: arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p\n'))[0]).toMatch(/^5:25 error SG1004: .* is not a SageMaker pipeline name$/);
    expect(problems(job(`    sagemaker_pipeline: ${'a'.repeat(257)}\n`))[0]).toMatch(/^5:25 error SG1004/);
    expect(problems(job('    sagemaker_pipeline: [p]\n'))).toEqual(["5:25 error SG1004: 'sagemaker_pipeline' must be a non-empty string, not a list"]);
    expect(problems(job('    sagemaker_pipeline: { parameters: { A: b } }\n'))).toEqual(["5:5 error SG1005: 'sagemaker_pipeline' needs 'name'"]);
    expect(problems(job('    sagemaker_pipeline: { name: p, parameters: [a] }\n'))).toEqual(["5:48 error SG1004: 'parameters' must be a mapping, not a list"]);
    expect(problems(job('    sagemaker_pipeline:\n      name: p\n      parameters:\n        "bad name": x\n        A: { x: 1 }\n'))).toEqual([
      "8:9 error SG1004: 'bad name' is not a SageMaker pipeline parameter name",
      "9:12 error SG1004: 'A' must be a non-empty string, not a mapping",
    ]);
  });

  it('suggests the field meant', () => {
    const result = compileTexts([{ file: 'w.yaml', text: job('    sagemaker_pipeline: { name: p, paramters: { A: b } }\n') }]);
    const printed = result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps)).join('\n');
    expect(printed).toContain("w.yaml:5:36 error SG1003: unknown key 'paramters' in 'sagemaker_pipeline'");
    expect(printed).toContain("hint: did you mean 'parameters'?");
  });

  it('checks date templates and refuses keys Step Functions would read as paths', () => {
    expect(problems(job('    sagemaker_pipeline:\n      name: p\n      parameters:\n        Day: "{hour}"\n        Hour: "{hh}"\n        "Path.$": "$.date"\n'))).toEqual([
      "8:14 error SG3008: unknown template '{hour}' in '{hour}'",
      "9:15 error SG3008: '{hh}' in '{hh}' needs an hourly partition",
      "10:9 error SG3008: pipeline parameter 'Path.$' ends in '.$', which Step Functions would read as a path",
    ]);
    expect(compile(job('    sagemaker_pipeline: { name: p, parameters: { Hour: "{hh}" } }\n', 'hourly')).workflow.jobs[0].kind).toMatchObject({ parameters: { Hour: '{hh}' } });
  });
});

describe('sagemaker_pipeline: rendering', () => {
  const text = readFileSync(join(FIXTURE, 'input.yaml'), 'utf8');
  const compiled = compileTexts([{ file: 'input.yaml', text }]).compiled[0];

  it('matches its golden ASL and manifest', () => {
    expect(compiled.definitions).toHaveLength(1);
    expectGolden(join(FIXTURE, 'expected.asl.json'), compiled.definitions[0].text);
    expectGolden(join(FIXTURE, 'expected.manifest.json'), `${JSON.stringify(compiled.manifest, null, 2)}\n`);
  });

  it('passes asl-validator and the amazon-states-language-service', async () => {
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
  });

  it("is a callback of the activator whose deadline is the job's timeout, with the date templates as States.Format", () => {
    const state = (compiled.definitions[0].definition as { States: Record<string, any> }).States.retrain;
    expect(state.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(state.Parameters.FunctionName).toBe('${ActivatorFunctionArn}');
    expect(state.TimeoutSeconds).toBe(6 * 3600);
    expect(state.Parameters.Payload).toMatchObject({
      kind: 'sagemaker_pipeline',
      pipeline: 'Churn-Retrain',
      parameters: { 'InputPath.$': "States.Format('s3://acme-features/churn/{}/{}/{}/', $.run.yyyy, $.run.mm, $.run.dd)", InstanceType: 'ml.m5.xlarge' },
      'token.$': '$$.Task.Token',
      'enteredTime.$': '$$.State.EnteredTime',
      'attempt.$': '$$.State.RetryCount',
      timeoutSeconds: 6 * 3600,
    });
    // Its end is SageMaker's own event: the manifest tells infra to route it to the router.
    expect(compiled.manifest.waits.events).toEqual([
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: { currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'] },
      },
    ]);
    expect(compiled.manifest.activated).toEqual(['retrain', 'score']);
  });
});

describe('sagemaker_pipeline: a hostile parameter value', () => {
  const hostile = `it's "quoted" }{ back\\slash $.date $$.Task.Token States.Format('x') {yyyy}`;

  it('arrives verbatim, its template filled, from the YAML through the state machine to StartPipelineExecution', async () => {
    // GIVEN the value in a YAML double-quoted string (backslash escaped, as YAML wants)
    const yaml = job(`    sagemaker_pipeline:\n      name: p\n      parameters:\n        Odd: ${JSON.stringify(hostile)}\n`);
    const state = (compile(yaml).definitions[0].definition as { States: Record<string, any> }).States.train;
    expect(state.Parameters.Payload.parameters['Odd.$']).toBe(
      "States.Format('it\\'s \"quoted\" \\}\\{ back{}slash $.date $$.Task.Token States.Format(\\'x\\') {}', States.Base64Decode('XA=='), $.run.yyyy)",
    );

    // WHEN the Task's Parameters are evaluated by the engine (as Step Functions would)...
    let payload: unknown;
    const machine = new StateMachine({ StartAt: 'train', States: { train: { Type: 'Task', Resource: state.Resource, Parameters: state.Parameters, End: true } } } as never, {
      validationOptions: { noValidate: true },
    });
    await machine.run({ date: '2019-03-12', run: { yyyy: '2019', mm: '03', dd: '12', datekey: '20190312' } } as never, {
      overrides: { taskResourceLocalHandlers: { train: async (input: JsonValue) => ((payload = (input as { Payload: unknown }).Payload), {}) } },
      context: { Execution: { Id: 'arn:aws:states:eu-west-1:123456789012:execution:w:w-2019-03-12' }, State: { EnteredTime: '2019-03-12T03:00:00Z', RetryCount: 0 }, Task: { Token: 'token-1' } },
    } as never).result;

    // ...and the activator starts the pipeline with it
    const sagemaker = new SageMakerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const mock = mockClient(sagemaker);
    mock.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p/execution/abc' });
    mock.on(DescribePipelineExecutionCommand).resolves({ PipelineExecutionStatus: 'Executing' });
    const store = new MemoryWaiterStore();
    await startSageMakerPipeline(payload, {
      sagemaker,
      wait: { store, probe: { satisfied: async () => false }, releaser: { release: async () => 'released' }, now: () => Date.UTC(2019, 2, 12, 3) },
    });

    // THEN SageMaker is asked with exactly the value, only {yyyy} filled in
    const input = mock.commandCalls(StartPipelineExecutionCommand)[0].args[0].input;
    expect(input.PipelineParameters).toEqual([{ Name: 'Odd', Value: hostile.replace('{yyyy}', '2019') }]);
    expect(store.size).toBe(1);
  });
});

describe('sagemaker_pipeline: locally', () => {
  const compiled = compileTexts([{ file: 'input.yaml', text: readFileSync(join(FIXTURE, 'input.yaml'), 'utf8') }]).compiled[0];

  it('simulate runs the pipelines to completion: the work, then its Succeeded event releases the Task', async () => {
    const waiters = new MemoryWaiterStore();
    const report = await simulate(compiled, { date: '2019-03-12', durations: { features: 60, retrain: 1800, score: 600 }, waiters });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    expect(jobs.get('retrain')).toMatchObject({ status: 'succeeded', attempts: 1, startSeconds: 60, endSeconds: 60 + 1800 });
    expect(jobs.get('score')).toMatchObject({ status: 'succeeded', startSeconds: 60 + 1800, endSeconds: 60 + 1800 + 600 });
    // Nothing is left waiting.
    expect(waiters.size).toBe(0);
  });

  it('a failed execution fails the job in its own state, after its retry, and nothing after it starts', async () => {
    const report = await simulate(compiled, { date: '2019-03-12', durations: { features: 60, retrain: 1800, score: 600 }, fail: ['retrain'] });
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('retrain');
    expect(report.error).toContain("job 'retrain' failed in state 'retrain' (SageMaker.PipelineExecutionFailed");
    const jobs = new Map(report.jobs.map((j) => [j.name, j]));
    // Two executions of 30 minutes, with the 10-minute retry pause between them.
    expect(jobs.get('retrain')).toMatchObject({ status: 'failed', attempts: 2, endSeconds: 60 + 1800 + 600 + 1800 });
    expect(jobs.get('score')!.status).toBe('not_started');
  });

  it('run --local runs the job\'s local command as the execution, and fails the run when it fails', async () => {
    const text = `name: local-sm\ndefaults:\n  retry: { attempts: 0 }\njobs:\n  train:\n    sagemaker_pipeline: p\n    local: { command: "echo training" }\n  score:\n    needs: [train]\n    sagemaker_pipeline: s\n    local: { command: "exit 3" }\n`;
    const output = { write: () => {} };
    const report = await runLocally(compile(text), { date: '2019-03-12', store: new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-sm-'))), output }).report;
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('score');
    expect(report.error).toContain('SageMaker.PipelineExecutionFailed');
    expect(new Map(report.jobs.map((j) => [j.name, j.status])).get('train')).toBe('succeeded');
  });
});
