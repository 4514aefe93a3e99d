// A schedule's overlap in the stack: what the start handler may do and hear, and nothing more.
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { allowed, compileYaml, flat, resources, synth } from './support.ts';

const workflow = (overlap?: string, catchUp = false) =>
  compileYaml(`name: nightly
schedule:
  cron: "0 2 * * ? *"
  timezone: UTC
${overlap ? `  overlap: ${overlap}\n` : ''}${catchUp ? '  catch_up: true\n' : ''}jobs:
  a: { lambda: fn }
`);

/** Every (action, resource) the start handler's role allows, over all its policies. */
function startGrants(template: ReturnType<typeof synth>['template']): Set<string> {
  const out = new Set<string>();
  for (const [id, policy] of Object.entries(resources(template, 'AWS::IAM::Policy'))) {
    if (!id.startsWith('TriggersTimedStart')) continue;
    for (const pair of allowed(policy.Properties!.PolicyDocument)) if (!pair.startsWith('logs:')) out.add(pair);
  }
  return out;
}

describe('schedule overlap in the stack', () => {
  const stacks = { allow: synth(workflow()), skip: synth(workflow('skip')), queue: synth(workflow('queue')) };
  const catchUp = { allow: synth(workflow(undefined, true)), skip: synth(workflow('skip', true)), queue: synth(workflow('queue', true)) };

  it('names the schedule after the workflow and passes skip and queue in its input', () => {
    for (const [overlap, { template }] of Object.entries(stacks)) {
      const schedule = Object.values(resources(template, 'AWS::Scheduler::Schedule'))[0].Properties!;
      expect(schedule.Name).toBe('stepgraph-nightly');
      const input = JSON.parse(schedule.Target.Input);
      expect(input).toStrictEqual(overlap === 'allow' ? { time: '<aws.scheduler.scheduled-time>' } : { time: '<aws.scheduler.scheduled-time>', overlap });
    }
  });

  it('grants each overlap exactly what its start handler calls', () => {
    const sm = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:nightly';
    const grants = Object.fromEntries(Object.entries(stacks).map(([k, s]) => [k, [...startGrants(s.template)].map((g) => g.replace(/\{"Ref":"[A-Za-z0-9]+"\}/g, sm)).sort()]));
    expect(grants.allow).toHaveLength(1);
    expect(grants.allow[0]).toMatch(/^states:StartExecution /);
    expect(grants.skip.filter((g) => g.startsWith('states:ListExecutions '))).toHaveLength(1);
    expect(grants.skip).toHaveLength(2);
    expect(grants.queue).toHaveLength(3);
    expect(grants.queue).toContain('scheduler:GetSchedule arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/default/stepgraph-nightly');
    // ListExecutions on the workflow's own state machine, never '*'
    const list = grants.queue.find((g) => g.startsWith('states:ListExecutions '))!;
    const start = grants.queue.find((g) => g.startsWith('states:StartExecution '))!;
    expect(list.split(' ')[1]).toBe(start.split(' ')[1]);
  });

  it("queue: a run's end goes to the start handler, for this state machine's ends only", () => {
    const { template, stack } = stacks.queue;
    const rules = Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.EventPattern?.source?.[0] === 'aws.states');
    expect(rules).toHaveLength(1);
    const { EventPattern, Targets } = rules[0].Properties!;
    expect(EventPattern['detail-type']).toStrictEqual(['Step Functions Execution Status Change']);
    expect(EventPattern.detail.status).toStrictEqual(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(flat(EventPattern.detail.stateMachineArn[0])).toBe(flat(stack.resolve(stack.stateMachine.stateMachineArn)));
    expect(Targets[0].InputTransformer.InputPathsMap).toStrictEqual({ 'detail-executionArn': '$.detail.executionArn' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SCHEDULE_NAME: 'stepgraph-nightly' }) } });
    // skip hears no ends
    expect(Object.values(resources(stacks.skip.template, 'AWS::Events::Rule')).filter((r) => r.Properties!.EventPattern?.source?.[0] === 'aws.states')).toHaveLength(0);
  });

  it('catch_up: the input says so, and the start handler may read and clear the pause record of its own schedule only', () => {
    const sm = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:nightly';
    const arn = 'arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/default/stepgraph-nightly';
    for (const [overlap, { template }] of Object.entries(catchUp)) {
      const schedule = Object.values(resources(template, 'AWS::Scheduler::Schedule'))[0].Properties!;
      expect(JSON.parse(schedule.Target.Input)).toStrictEqual({ time: '<aws.scheduler.scheduled-time>', ...(overlap !== 'allow' && { overlap }), catchUp: true });
      const roleArn = flat(schedule.Target.RoleArn);
      const grants = [...startGrants(template)].map((g) => g.replace(/\{"Ref":"[A-Za-z0-9]+"\}/g, sm)).sort();
      expect(grants.filter((g) => g.startsWith('scheduler:'))).toStrictEqual([`scheduler:GetSchedule ${arn}`, `scheduler:UpdateSchedule ${arn}`]);
      const start = grants.find((g) => g.startsWith('states:StartExecution '))!.split(' ')[1];
      expect(grants.filter((g) => g.startsWith('states:ListExecutions '))).toStrictEqual([`states:ListExecutions ${start}`]);
      // PassRole of the schedule's own role (the one its target names), nothing else
      const passRole = grants.filter((g) => g.startsWith('iam:'));
      expect(passRole).toHaveLength(1);
      expect(passRole).toStrictEqual([`iam:PassRole ${roleArn}`]);
      // exactly: StartExecution, ListExecutions, the two scheduler actions, PassRole
      expect(grants).toHaveLength(5);
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SCHEDULE_NAME: 'stepgraph-nightly' }) } });
      // PassRole to Scheduler only
      const statements = Object.entries(resources(template, 'AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith('TriggersTimedStart'))
        .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as { Action: unknown; Condition?: unknown }[]);
      expect(statements.find((st) => st.Action === 'iam:PassRole')?.Condition).toStrictEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
  });

  it('is cdk-nag clean', () => {
    for (const { stack } of [...Object.values(stacks), ...Object.values(catchUp)]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    }
  });
});
