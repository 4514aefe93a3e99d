// The `batch` kind: read with diagnostics at the right place, rendered as batch:submitJob.sync
// with date templates as States.Format, granted what the Step Functions and Batch IAM references
// say, run by simulate and run --local.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { compileYaml, synth } from '../infra/support.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { compileFixture, diagnosticsOf, handlerInput, nagViolations, statementsFor, taskOf } from './support.ts';

const DAY = { date: '2019-03-12', datekey: '20190312', yyyy: '2019', mm: '03', dd: '12' };
const workflow = (batch: string): string => `name: batch-test\njobs:\n  score:\n    batch:\n${batch}`;

describe('reading batch jobs', () => {
  it('reports wrong types, missing and unknown fields, bad names and templates at file:line:col', () => {
    expect(diagnosticsOf(workflow('      queue: 42\n      defintion: d\n'))).toEqual([
      "kinds.yaml:4:5 error SG1005: 'batch' needs 'definition'",
      "kinds.yaml:5:14 error SG1004: 'queue' must be a non-empty string, not a number",
      "kinds.yaml:6:7 error SG1003: unknown key 'defintion' in 'batch'\n  hint: did you mean 'definition'?",
    ]);
    expect(diagnosticsOf(workflow('      queue: "my queue"\n      definition: "-job:0"\n'))).toEqual([
      "kinds.yaml:5:14 error SG3006: 'my queue' is not a Batch job queue name or ARN\n  hint: a queue name is up to 128 letters, digits, '-' and '_'; an ARN reads arn:aws:batch:eu-west-1:123456789012:job-queue/my-queue",
      expect.stringMatching(/^kinds\.yaml:6:19 error SG3006: '-job:0' is not a Batch job definition name, name:revision or ARN/),
    ]);
    expect(diagnosticsOf(workflow(`      queue: q\n      definition: ${'d'.repeat(129)}\n`))[0]).toMatch(/^kinds\.yaml:6:19 error SG3006: 'd{129}' is not a Batch job definition/);
    expect(diagnosticsOf(workflow('      queue: arn:aws:batch:eu-west-1:123456789012:job-definition/q\n      definition: d\n'))[0]).toMatch(/^kinds\.yaml:5:14 error SG3006: .* is not a Batch job queue name or ARN/);
    expect(diagnosticsOf(workflow('      queue: q\n      definition: d\n      command: [run, "{day}"]\n      parameters: { "out.$": x }\n      environment: { AWS_BATCH_X: "1" }\n      array_size: 1\n'))).toEqual([
      "kinds.yaml:7:22 error SG3008: unknown template '{day}' in '{day}'\n  hint: templates are {yyyy}, {mm}, {dd}, {hh}, {date}, {datekey}",
      "kinds.yaml:8:21 error SG3008: parameter 'out.$' ends in '.$', which Step Functions would read as a path\n  hint: values are passed as written; drop the '.$' (date templates such as {date} are filled in for you)",
      "kinds.yaml:9:22 error SG3008: environment variable 'AWS_BATCH_X' starts with AWS_BATCH, which Batch reserves for its own\n  hint: choose another name",
      "kinds.yaml:10:19 error SG3009: 'array_size' must be a whole number from 2 to 10000, not 1",
    ]);
    expect(diagnosticsOf(workflow('      queue: q\n      definition: d\n      command: "python run.py"\n'))).toEqual(["kinds.yaml:7:16 error SG1004: 'command' must be a list, not a string"]);
    expect(diagnosticsOf(workflow('      queue: q\n      definition: d\n      command: [run, "{hh}"]\n'))[0]).toMatch(/^kinds\.yaml:7:22 error SG3008: '\{hh\}' in '\{hh\}' needs an hourly partition/);
  });

  it('accepts names, name:revision and ARNs', () => {
    for (const [queue, definition] of [
      ['q_1-A', 'job-def_2'],
      ['q', 'job:12'],
      ['arn:aws:batch:eu-west-1:123456789012:job-queue/q', 'arn:aws-cn:batch:cn-north-1:123456789012:job-definition/d:3'],
      ['arn:aws:batch:eu-west-1:123456789012:job-queue/q', 'arn:aws:batch:eu-west-1:123456789012:job-definition/d'],
    ]) {
      expect(diagnosticsOf(workflow(`      queue: ${queue}\n      definition: ${definition}\n`))).toEqual([]);
    }
  });
});

describe('rendering batch jobs', () => {
  const compiled = compileFixture('batch');

  it('is batch:submitJob.sync with the job name, queue, definition, command, parameters, environment and array size', () => {
    const features = taskOf(compiled, 'features');
    expect(features.Resource).toBe('arn:aws:states:::batch:submitJob.sync');
    expect(features.Parameters).toEqual({
      JobName: 'batch-kinds-features',
      JobQueue: 'nightly-queue',
      JobDefinition: 'feature-build',
      Parameters: { 'day.$': "States.Format('{}', $.run.datekey)", mode: 'full' },
      ContainerOverrides: {
        'Command.$': "States.Array('python', 'build.py', '--date', States.Format('{}', $.date), States.Format('s3://features/{}/{}/{}/', $.run.yyyy, $.run.mm, $.run.dd))",
        Environment: [
          { Name: 'RUN_DATE', 'Value.$': "States.Format('{}', $.date)" },
          { Name: 'LOG_LEVEL', Value: 'info' },
        ],
      },
    });
    const scoring = taskOf(compiled, 'scoring');
    expect(scoring.Parameters.ArrayProperties).toEqual({ Size: 20 });
    // The job's timeout and retries, as every kind gets them.
    expect(scoring).toMatchObject({ TimeoutSeconds: 3 * 3600, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 300, MaxAttempts: 1 }] });
  });

  it('passes both validators', async () => {
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
  });

  it('fills the templates at run time, each command item one argv word', async () => {
    const input = (await handlerInput(taskOf(compiled, 'features'), { date: '2019-03-12', datekey: '20190312', yyyy: '2019', mm: '03', dd: '12' })) as Record<string, any>;
    expect(input.ContainerOverrides.Command).toEqual(['python', 'build.py', '--date', '2019-03-12', 's3://features/2019/03/12/']);
    expect(input.Parameters).toEqual({ day: '20190312', mode: 'full' });
    expect(input.ContainerOverrides.Environment).toEqual([{ Name: 'RUN_DATE', Value: '2019-03-12' }, { Name: 'LOG_LEVEL', Value: 'info' }]);
  });

  it('keeps a hostile value data: escaped in the States.Format, as written at the local handler', async () => {
    const hostile = `q'uote "dq" }{ back\\slash $.secret States.Array(1) {date}`;
    const text = workflow(`      queue: q\n      definition: d\n      command: [${JSON.stringify(hostile)}, "$.secret"]\n      parameters: { p: ${JSON.stringify(hostile)} }\n`);
    const task = taskOf(compileYaml(text), 'score');
    // A backslash is an argument of its own (kinds/templates.ts: both ASL validators refuse its escape).
    expect(task.Parameters.Parameters['p.$']).toBe("States.Format('q\\'uote \"dq\" \\}\\{ back{}slash $.secret States.Array(1) {}', States.Base64Decode('XA=='), $.date)");
    // At the local handler: quotes, braces, the backslash and paths arrive as written.
    const input = (await handlerInput(task, DAY)) as Record<string, any>;
    const expected = `q'uote "dq" }{ back\\slash $.secret States.Array(1) 2019-03-12`;
    expect(input.ContainerOverrides.Command).toEqual([expected, '$.secret']);
    expect(input.Parameters).toEqual({ p: expected });
  });

  it('a backslash in a templated value reaches the local handler', async () => {
    const text = workflow('      queue: q\n      definition: d\n      parameters: { p: "a\\\\b {date}" }\n');
    const input = (await handlerInput(taskOf(compileYaml(text), 'score'), DAY)) as Record<string, any>;
    expect(input.Parameters).toEqual({ p: 'a\\b 2019-03-12' });
  });
});

describe('what a batch job may touch', () => {
  const stack = synth(compileFixture('batch'));

  it('submits to its queue and definition, watches and stops its jobs, and uses the managed rule', () => {
    expect(statementsFor(stack, ['batch:', 'events:'])).toEqual([
      {
        actions: ['batch:SubmitJob'],
        resources: [
          'arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job-definition/feature-build',
          'arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job-definition/feature-build:*',
          'arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job-queue/nightly-queue',
          'arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*',
          'arn:aws:batch:eu-west-1:123456789012:job-definition/scoring:7',
          'arn:aws:batch:eu-west-1:123456789012:job-queue/gpu-queue',
          'arn:aws:batch:eu-west-1:123456789012:job/*',
        ],
      },
      { actions: ['batch:TerminateJob'], resources: ['arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*', 'arn:aws:batch:eu-west-1:123456789012:job/*'] },
      { actions: ['batch:DescribeJobs'], resources: ['*'] },
      { actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: ['arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/StepFunctionsGetEventsForBatchJobsRule'] },
    ]);
    expect(Annotations.fromStack(stack.stack).findWarning('*', {})).toEqual([]);
  });

  it('passes cdk-nag with every wildcard acknowledged', () => {
    expect(nagViolations(stack)).toEqual([]);
  });
});

describe('running batch jobs locally', () => {
  const compiled = compileFixture('batch');

  it('simulate runs them to completion, and --fail fails the run in the job\'s own state', async () => {
    const ok = await simulate(compiled, { date: '2019-03-12' });
    expect(ok.status, ok.error ?? '').toBe('SUCCEEDED');
    expect(ok.jobs.map((j) => [j.name, j.status])).toEqual([['features', 'succeeded'], ['scoring', 'succeeded']]);
    const failed = await simulate(compiled, { date: '2019-03-12', fail: ['features'] });
    expect(failed.status).toBe('FAILED');
    expect(failed.failedJob).toBe('features');
    expect(failed.error).toContain("job 'features' failed in state 'features'");
    expect(failed.jobs.find((j) => j.name === 'scoring')!.status).not.toBe('succeeded');
  });

  it('run --local runs them to completion and writes their markers', async () => {
    const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-batch-')));
    const lines: string[] = [];
    const report = await runLocally(compiled, { date: '2019-03-12', store, output: { write: (t) => void lines.push(t) } }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(report.jobs.map((j) => [j.name, j.status, j.attempts])).toEqual([['features', 'succeeded', 1], ['scoring', 'succeeded', 1]]);
  });
});
