// The deadline watch in a workflow stack: the schedule group, Scheduler's role (assumable by
// Scheduler for this account only, allowed to invoke the watch and nothing else), the watch's
// own grants (schedules of its group, PassRole of exactly that role to Scheduler only, this
// workflow's executions, the alert topic), and the state machine's right to invoke it.
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { flat, logicalId, policyPairs, resources, synth } from './support.ts';

const compiled = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0];
const { stack, template } = synth(compiled);
const watch = stack.deadlines!;
const fnArn = `<${logicalId(stack, watch.handler.function)}.Arn>`;
const roleArn = `<${logicalId(stack, watch.schedulerRole)}.Arn>`;

describe('deadline watch infrastructure', () => {
  it('creates the workflow schedule group, named as the handler expects', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'stepgraph-bi-deadlines' });
    const env = (resources(template, 'AWS::Lambda::Function')[logicalId(stack, watch.handler.function)].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.SCHEDULE_GROUP).toBe('stepgraph-bi-deadlines');
    expect(flat(env.SCHEDULER_ROLE_ARN)).toBe(roleArn);
    expect(env.SNS_TOPIC_ARN).toBe('arn:aws:sns:eu-west-1:123456789012:data-alerts');
  });

  it("Scheduler's role is assumable by Scheduler of this account only, and may only invoke the watch", () => {
    const role = resources(template, 'AWS::IAM::Role')[logicalId(stack, watch.schedulerRole)];
    const [trust] = (role.Properties!.AssumeRolePolicyDocument as { Statement: { Principal: unknown; Condition: unknown }[] }).Statement;
    expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    expect([...policyPairs(template, logicalId(stack, watch.schedulerRole).replace(/[0-9A-F]{8}$/, ''))].filter((p) => !p.startsWith('logs:'))).toEqual([`lambda:InvokeFunction ${fnArn}`]);
  });

  it('the watch may touch only its group, that role (passed to Scheduler), this workflow and the alert topic', () => {
    const [policy] = Object.entries(resources(template, 'AWS::IAM::Policy')).filter(([id]) => id.startsWith('DeadlinesHandlerAccess'));
    const statements = (policy[1].Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] }).Statement;
    const pairs = statements.flatMap((s) => [s.Action].flat().map((a) => `${a} ${flat(s.Resource)}`));
    expect(pairs.sort()).toEqual(
      [
        'scheduler:CreateSchedule arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/stepgraph-bi-deadlines/*',
        'scheduler:DeleteSchedule arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/stepgraph-bi-deadlines/*',
        `iam:PassRole ${roleArn}`,
        'states:DescribeExecution arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:bi-deadlines:*',
        'states:GetExecutionHistory arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:bi-deadlines:*',
        // Learning durations from past runs: listing exactly this workflow's machine, no wildcard.
        'states:ListExecutions arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:bi-deadlines',
        'sns:Publish arn:aws:sns:eu-west-1:123456789012:data-alerts',
      ].sort(),
    );
    expect(statements.find((s) => [s.Action].flat().includes('iam:PassRole'))!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  });

  it('the state machine invokes the watch through its placeholder', () => {
    const [machine] = Object.values(resources(template, 'AWS::StepFunctions::StateMachine'));
    expect(flat((machine.Properties!.DefinitionSubstitutions as Record<string, unknown>).DeadlineFunctionArn)).toBe(fnArn);
    expect([...policyPairs(template, 'StateMachineAccess')]).toContain(`lambda:InvokeFunction ${fnArn}`);
  });

  it('is cdk-nag clean', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('a workflow without deadlines gets none of it', () => {
    const plain = synth(compilePaths(['workflows/finance-close.yaml']).compiled[0]);
    expect(plain.stack.deadlines).toBeUndefined();
    expect(resources(plain.template, 'AWS::Scheduler::ScheduleGroup')).toEqual({});
  });
});
