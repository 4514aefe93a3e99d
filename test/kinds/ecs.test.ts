// The `ecs` kind: read with diagnostics at the right place (Fargate needs subnets, overrides need
// their container), rendered as ecs:runTask.sync with date templates as States.Format, granted
// what the Step Functions and ECS IAM references say (PassRole scoped to the named roles, or to
// ECS tasks with a warning), run by simulate and run --local.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { compileYaml, synth } from '../infra/support.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { compileFixture, diagnosticsOf, handlerInput, nagViolations, statementsFor, taskOf } from './support.ts';

const HOUR = { date: '2019-03-12T05', datekey: '2019031205', yyyy: '2019', mm: '03', dd: '12', hh: '05' };
const NET = '      subnets: [subnet-0123456789abcdef0]\n';
const workflow = (ecs: string): string => `name: ecs-test\npartition: hourly\njobs:\n  export:\n    ecs:\n      cluster: c\n      task_definition: t\n${ecs}`;

describe('reading ecs jobs', () => {
  it('requires subnets on Fargate (the default) and a container for overrides, at the job', () => {
    expect(diagnosticsOf(workflow(''))).toEqual([
      "kinds.yaml:6:7 error SG1005: 'ecs' on Fargate needs 'subnets'\n  hint: Fargate tasks use awsvpc networking: list the subnets to run in, e.g. subnets: [subnet-0123456789abcdef0] (or set launch_type: EC2)",
    ]);
    expect(diagnosticsOf(workflow('      launch_type: EC2\n'))).toEqual([]);
    expect(diagnosticsOf(workflow('      launch_type: EC2\n      assign_public_ip: true\n'))[0]).toMatch(/^kinds\.yaml:6:7 error SG1005: 'ecs' with security_groups or assign_public_ip needs 'subnets'/);
    expect(diagnosticsOf(workflow(`${NET}      command: [run]\n`))).toEqual([
      "kinds.yaml:6:7 error SG1005: 'ecs' with command or environment needs 'container'\n  hint: ECS applies overrides to a container by name: give the container's name in the task definition, e.g. container: app",
    ]);
  });

  it('reports wrong types, unknown fields, bad names, ids, enums and templates at file:line:col', () => {
    expect(diagnosticsOf(workflow(`${NET}      launch_type: fargate\n      subnet: [x]\n`))).toEqual([
      "kinds.yaml:9:20 error SG3007: 'fargate' is not an ECS launch type\n  hint: did you mean 'FARGATE'?",
      "kinds.yaml:10:7 error SG1003: unknown key 'subnet' in 'ecs'\n  hint: did you mean 'subnets'?",
    ]);
    expect(diagnosticsOf(workflow('      subnets: [subnet-123, sg-0123456789abcdef0]\n      security_groups: sg-0123456789abcdef0\n      assign_public_ip: "yes"\n'))).toEqual([
      "kinds.yaml:8:17 error SG3006: 'subnet-123' is not a subnet id\n  hint: ids read like 'subnet-0123456789abcdef0'",
      "kinds.yaml:8:29 error SG3006: 'sg-0123456789abcdef0' is not a subnet id\n  hint: ids read like 'subnet-0123456789abcdef0'",
      "kinds.yaml:9:24 error SG1004: 'security_groups' must be a list, not a string",
      "kinds.yaml:10:25 error SG1004: 'assign_public_ip' must be true or false, not a string",
    ]);
    const bad = diagnosticsOf('name: ecs-test\njobs:\n  export:\n    ecs:\n      cluster: "my cluster"\n      task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/t\n      launch_type: EC2\n      roles: ["role*"]\n');
    expect(bad[0]).toMatch(/^kinds\.yaml:5:16 error SG3006: 'my cluster' is not an ECS cluster name or ARN/);
    expect(bad[1]).toMatch(/^kinds\.yaml:6:24 error SG3006: '.*task-definition\/t' is not an ECS task definition family, family:revision or ARN/);
    expect(bad[2]).toMatch(/^kinds\.yaml:8:15 error SG3006: 'role\*' is not an IAM role name or ARN/);
    expect(diagnosticsOf(workflow(`${NET}      container: app\n      command: ["{minute}"]\n      environment: { "X.$": "$.secret" }\n`))).toEqual([
      "kinds.yaml:10:17 error SG3008: unknown template '{minute}' in '{minute}'\n  hint: templates are {yyyy}, {mm}, {dd}, {hh}, {date}, {datekey}",
      "kinds.yaml:11:22 error SG3008: environment variable 'X.$' ends in '.$', which Step Functions would read as a path\n  hint: values are passed as written; drop the '.$' (date templates such as {date} are filled in for you)",
    ]);
    expect(diagnosticsOf(workflow(`      subnets: [${Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, '0')}`).join(', ')}]\n`))[0]).toMatch(/^kinds\.yaml:8:16 error SG3009: 'subnets' lists 17 subnets; ECS takes at most 16/);
  });

  it('accepts names, family:revision and ARNs', () => {
    const arns = 'cluster: arn:aws:ecs:eu-west-1:123456789012:cluster/c\n      task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/t:2';
    expect(diagnosticsOf(`name: ecs-test\njobs:\n  a:\n    ecs:\n      ${arns}\n${NET}`)).toEqual([]);
    expect(diagnosticsOf(workflow(`${NET}      roles: [task-role, arn:aws:iam::123456789012:role/svc/exec-role]\n`))).toEqual([]);
  });
});

describe('rendering ecs jobs', () => {
  const compiled = compileFixture('ecs');

  it('is ecs:runTask.sync on Fargate with its network, and the named container overridden', () => {
    const exported = taskOf(compiled, 'export');
    expect(exported.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
    expect(exported.Parameters).toEqual({
      Cluster: 'data-jobs',
      TaskDefinition: 'exporter',
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'], SecurityGroups: ['sg-0123456789abcdef0'], AssignPublicIp: 'DISABLED' } },
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'app',
            'Command.$': "States.Array('export', '--hour', States.Format('{}', $.date), States.Format('--prefix=s3://exports/{}/{}/{}/{}/', $.run.yyyy, $.run.mm, $.run.dd, $.run.hh))",
            Environment: [
              { Name: 'RUN_HOUR', 'Value.$': "States.Format('{}', $.run.hh)" },
              { Name: 'TARGET', Value: 'warehouse' },
            ],
          },
        ],
      },
    });
    expect(taskOf(compiled, 'compact').Parameters).toEqual({ Cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/batch-ec2', TaskDefinition: 'compactor:4', LaunchType: 'EC2' });
  });

  it('passes both validators', async () => {
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
  });

  it('fills the templates at run time, each command item one argv word', async () => {
    const input = (await handlerInput(taskOf(compiled, 'export'), HOUR)) as Record<string, any>;
    expect(input.Overrides.ContainerOverrides).toEqual([
      { Name: 'app', Command: ['export', '--hour', '2019-03-12T05', '--prefix=s3://exports/2019/03/12/05/'], Environment: [{ Name: 'RUN_HOUR', Value: '05' }, { Name: 'TARGET', Value: 'warehouse' }] },
    ]);
  });

  it('keeps a hostile value data: escaped in the States.Format, as written at the local handler', async () => {
    const hostile = `it's "x" }{ $.secret States.Format('{}') {hh}`;
    const text = workflow(`${NET}      container: app\n      command: [${JSON.stringify(hostile.replace("'{}'", "''"))}]\n      environment: { V: ${JSON.stringify(hostile.replace("'{}'", "''"))} }\n`);
    const task = taskOf(compileYaml(text), 'export');
    expect(task.Parameters.Overrides.ContainerOverrides[0].Environment[0]['Value.$']).toBe("States.Format('it\\'s \"x\" \\}\\{ $.secret States.Format(\\'\\') {}', $.run.hh)");
    const input = (await handlerInput(task, HOUR)) as Record<string, any>;
    const expected = `it's "x" }{ $.secret States.Format('') 05`;
    expect(input.Overrides.ContainerOverrides[0]).toEqual({ Name: 'app', Command: [expected], Environment: [{ Name: 'V', Value: expected }] });
  });
});

describe('what an ecs job may touch', () => {
  const stack = synth(compileFixture('ecs'));

  it('runs its task definition, watches and stops tasks of its cluster, passes only its roles to ECS tasks', () => {
    expect(statementsFor(stack, ['ecs:', 'iam:', 'events:'])).toEqual([
      {
        actions: ['ecs:RunTask'],
        resources: ['arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/compactor:4', 'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/exporter:*'],
      },
      { actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: ['arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/data-jobs/*', 'arn:aws:ecs:eu-west-1:123456789012:task/batch-ec2/*'] },
      { actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: ['arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/StepFunctionsGetEventsForECSTaskRule'] },
      {
        actions: ['iam:PassRole'],
        resources: ['arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*', 'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/exporter-task-role', 'arn:aws:iam::123456789012:role/service/exporter-execution'],
        condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
    // compact names no roles: its PassRole covers any role, towards ECS tasks only, and synth says so.
    expect(Annotations.fromStack(stack.stack).findWarning('*', Match.stringLikeRegexp("job 'compact': the ECS task's roles are not named"))).toHaveLength(1);
    expect(Annotations.fromStack(stack.stack).findWarning('*', Match.stringLikeRegexp("job 'export'"))).toEqual([]);
  });

  it('scopes PassRole to the named roles alone when every job names them', () => {
    const named = synth(compileYaml(workflow(`${NET}      roles: [exporter-task-role]\n`)));
    expect(statementsFor(named, ['iam:'])).toEqual([
      { actions: ['iam:PassRole'], resources: ['arn:<AWS::Partition>:iam::<AWS::AccountId>:role/exporter-task-role'], condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
    ]);
    expect(Annotations.fromStack(named.stack).findWarning('*', Match.stringLikeRegexp('roles are not named'))).toEqual([]);
  });

  it('passes cdk-nag with every wildcard acknowledged', () => {
    expect(nagViolations(stack)).toEqual([]);
  });
});

describe('running ecs jobs locally', () => {
  const compiled = compileFixture('ecs');

  it("simulate runs them to completion, and --fail fails the run in the job's own state", async () => {
    const ok = await simulate(compiled, { date: '2019-03-12T05' });
    expect(ok.status, ok.error ?? '').toBe('SUCCEEDED');
    expect(ok.jobs.map((j) => [j.name, j.status])).toEqual([['export', 'succeeded'], ['compact', 'succeeded']]);
    const failed = await simulate(compiled, { date: '2019-03-12T05', fail: ['export'] });
    expect(failed.status).toBe('FAILED');
    expect(failed.failedJob).toBe('export');
    expect(failed.error).toContain("job 'export' failed in state 'export'");
    expect(failed.jobs.find((j) => j.name === 'compact')!.status).not.toBe('succeeded');
  });

  it('run --local runs them to completion', async () => {
    const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-ecs-')));
    const report = await runLocally(compiled, { date: '2019-03-12T05', store, output: { write: () => {} } }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(report.jobs.map((j) => [j.name, j.status, j.attempts])).toEqual([['export', 'succeeded', 1], ['compact', 'succeeded', 1]]);
  });
});
