// The pure pieces of infra: escape-hatch Task permissions (as the task kind declares them and the
// stack resolves them), event patterns, the wildcard rule.
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { eventPattern } from '../../infra/event-pattern.ts';
import { Grants } from '../../infra/grants.ts';
import { kindGrants } from '../../infra/kind-grants.ts';
import { taskAccess as declared } from '../../generator/kinds/task.ts';
import { flat } from './support.ts';

const stack = new Stack();
const taskAccess = (job: string, resource: string, parameters: Record<string, unknown> = {}) => {
  const access = declared(job, resource, parameters);
  return { ...access, grants: kindGrants(access.grants) };
};
const resolved = (access: ReturnType<typeof taskAccess>) =>
  access.grants.map((g) => ({ actions: g.actions, resources: g.resources.map((r) => flat(stack.resolve(r))) }));

describe('permissions of escape-hatch Tasks', () => {
  it('scopes known integrations to the resource their parameters name', () => {
    expect(resolved(taskAccess('bi', 'arn:aws:states:::glue:startJobRun.sync', { JobName: 'bi-import' }))).toEqual([
      { actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'], resources: ['arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:job/bi-import'] },
    ]);
    expect(resolved(taskAccess('p', 'arn:aws:states:::sns:publish', { TopicArn: 'arn:aws:sns:eu-west-1:1:t', 'Message.$': '$.x' }))).toEqual([
      { actions: ['sns:Publish'], resources: ['arn:aws:sns:eu-west-1:1:t'] },
    ]);
    expect(resolved(taskAccess('q', 'arn:aws:states:::sqs:sendMessage', { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs' }))).toEqual([
      { actions: ['sqs:SendMessage'], resources: ['arn:<AWS::Partition>:sqs:eu-west-1:123456789012:jobs'] },
    ]);
    expect(resolved(taskAccess('d', 'arn:aws:states:::dynamodb:putItem', { TableName: 'runs' }))).toEqual([
      { actions: ['dynamodb:PutItem'], resources: ['arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/runs'] },
    ]);
    expect(taskAccess('l', 'arn:aws:lambda:eu-west-1:1:function:f').grants).toEqual([{ actions: ['lambda:InvokeFunction'], resources: ['arn:aws:lambda:eu-west-1:1:function:f'] }]);
  });

  it('watches and stops a .sync child execution, not when fire-and-forget', () => {
    const arn = 'arn:aws:states:eu-west-1:1:stateMachine:child';
    expect(taskAccess('c', 'arn:aws:states:::states:startExecution.sync:2', { StateMachineArn: arn }).grants.flatMap((g) => g.actions)).toEqual([
      'states:StartExecution',
      'states:DescribeExecution',
      'states:StopExecution',
      'events:PutTargets',
      'events:PutRule',
      'events:DescribeRule',
    ]);
    expect(taskAccess('c', 'arn:aws:states:::states:startExecution', { StateMachineArn: arn }).grants.flatMap((g) => g.actions)).toEqual(['states:StartExecution']);
  });

  it('falls back to the action on "*" with a reason and a warning when the resource is not static', () => {
    const dynamic = taskAccess('bi', 'arn:aws:states:::glue:startJobRun', { 'JobName.$': '$.job' });
    expect(dynamic.grants).toEqual([{ actions: ['glue:StartJobRun'], resources: ['*'], wildcardReason: expect.stringContaining("job 'bi'") }]);
    expect(dynamic.warning).toMatch(/job 'bi'.*glue:StartJobRun on '\*'/);
    expect(taskAccess('s', 'arn:aws:states:::aws-sdk:ec2:describeInstances').grants[0].actions).toEqual(['ec2:DescribeInstances']);
    const unknown = taskAccess('x', 'arn:aws:states:::something');
    expect(unknown.grants).toEqual([]);
    expect(unknown.warning).toMatch(/does not know which IAM actions/);
  });
});

describe('event patterns', () => {
  it('maps EventBridge keys to the CDK and wraps top-level scalars in lists', () => {
    expect(eventPattern({ source: 'acme.ads', 'detail-type': ['Hour Closed'], detail: { kind: ['full'] } })).toEqual({
      source: ['acme.ads'],
      detailType: ['Hour Closed'],
      detail: { kind: ['full'] },
    });
    expect(() => eventPattern({ sauce: ['x'] })).toThrow(/'sauce' is not one of/);
  });
});

describe('grants', () => {
  it('refuses a wildcard resource without a reason', () => {
    expect(() => new Grants().allow({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })).toThrow(/without a reason/);
    expect(new Grants().allow({ actions: ['s3:GetObject'], resources: [] }).list).toEqual([]);
  });
});
