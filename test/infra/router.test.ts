// The router construct on its own: how it spreads marker keys over EventBridge rules, which EC2
// events it can hear in the region it is deployed in, and what it holds when nothing waits.
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STACK_REGION } from '../../generator/sweep/manifest.ts';
import { markerPatterns, PATTERN_LIMIT, Router, type RouterProps } from '../../infra/router.ts';
import { logicalId, policyPairs, resources, rulesFrom } from './support.ts';

const BASE: RouterProps = { owner: 'sweep grid', markers: [], instanceRegions: [], releases: ['grid'], environment: {} };

function synthRouter(props: Partial<RouterProps>, region?: string) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', region ? { env: { region, account: '123456789012' } } : {});
  const router = new Router(stack, 'Router', { ...BASE, ...props });
  return { stack, router, template: Template.fromStack(stack) };
}

describe('marker event patterns', () => {
  it('matches each key by its prefix up to the datekey, one pattern per bucket, a key covered by a shorter prefix once', () => {
    const patterns = markerPatterns([
      { bucket: 'a', keyPattern: 'done/x__*.done' },
      { bucket: 'b', keyPattern: 'ready/y__*.done' },
      { bucket: 'a', keyPattern: 'done/x__*.done' },
      { bucket: 'a', keyPattern: 'done/w__*.done' },
    ]);
    expect(patterns).toEqual([
      { bucket: { name: ['a'] }, object: { key: [{ prefix: 'done/w__' }, { prefix: 'done/x__' }] } },
      { bucket: { name: ['b'] }, object: { key: [{ prefix: 'ready/y__' }] } },
    ]);
    // `p` (a marker named like that, with an empty prefix) already matches every key starting with `p`.
    expect(markerPatterns([{ bucket: 'a', keyPattern: 'p*' }, { bucket: 'a', keyPattern: 'pq__*.done' }])).toEqual([{ bucket: { name: ['a'] }, object: { key: [{ prefix: 'p' }] } }]);
  });

  it(`spreads a long list of keys over several rules, each pattern within EventBridge's ${PATTERN_LIMIT} characters, at the longest bucket name`, () => {
    const keys = Array.from({ length: 300 }, (_, i) => ({ bucket: 'b'.repeat(63), keyPattern: `markers/done/a_rather_long_job_name_${i}__*.done` }));
    const patterns = markerPatterns(keys);
    expect(patterns.length).toBeGreaterThan(1);
    for (const p of patterns) expect(JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: p }).length).toBeLessThanOrEqual(PATTERN_LIMIT);
    const routed = patterns.flatMap((p) => (p.object as { key: { prefix: string }[] }).key.map((k) => k.prefix));
    expect(routed.sort()).toEqual(keys.map((k) => k.keyPattern.replace('*.done', '')).sort());
  });
});

describe('the router', () => {
  it('hears of the terminations in its own region and says that instances elsewhere are released by the backstop', () => {
    const { stack, template } = synthRouter({ instanceRegions: ['eu-west-1', 'us-east-1'] }, 'eu-west-1');
    expect(rulesFrom(template, 'aws.ec2')).toHaveLength(1);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('state-change events only'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringMatching(/^sweep grid runs instances in us-east-1: .*released by the backstop, up to 5 minutes after/)]);
  });

  it('has no instance rule when deployed away from every instance region, and describes instances there only', () => {
    const { stack, template } = synthRouter({ instanceRegions: ['us-east-1'] }, 'eu-west-1');
    expect(rulesFrom(template, 'aws.ec2')).toEqual([]);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('runs instances in us-east-1'));
    const statement = (Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('RouterFunctionAccess'))![1].Properties!.PolicyDocument.Statement as { Action: string; Condition?: unknown }[]).find((s) => s.Action === 'ec2:DescribeInstances');
    expect(statement!.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': ['us-east-1'] } });
  });

  it("reads the stack's own region (items that name none) as local, whatever it is", () => {
    const { stack, template } = synthRouter({ instanceRegions: [STACK_REGION] });
    expect(rulesFrom(template, 'aws.ec2')).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const statement = (Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('RouterFunctionAccess'))![1].Properties!.PolicyDocument.Statement as { Action: string; Condition?: unknown }[]).find((s) => s.Action === 'ec2:DescribeInstances');
    expect(statement!.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': [{ Ref: 'AWS::Region' }] } });
  });

  it('neither releases nor keeps a backstop when nothing waits (a router for on_markers only)', () => {
    const { router, stack, template } = synthRouter({ releases: [], markers: [{ bucket: 'acme', keyPattern: 'done/raw__*.done' }] });
    expect(Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.ScheduleExpression)).toEqual([]);
    expect([...policyPairs(template, 'RouterFunctionAccess')].filter((p) => p.startsWith('states:'))).toEqual([]);
    expect(policyPairs(template, 'RouterFunctionAccess')).toContain('s3:GetObject arn:<AWS::Partition>:s3:::acme/done/raw__*.done');
    expect(logicalId(stack, router.waiters.table)).toMatch(/^RouterWaitersTable/);
  });
});

describe('dependency cycles', () => {
  // The machines hold the router's ARN and the router knows them by name only; a reference back
  // would be a cycle CloudFormation refuses at deploy. Template.fromStack refuses it already, so
  // every stack these tests synthesize is free of one.
  it('are refused by the template every stack test synthesizes', () => {
    const stack = new Stack(new App(), 'Cycle');
    const a = new CfnResource(stack, 'A', { type: 'Test::A' });
    const b = new CfnResource(stack, 'B', { type: 'Test::B', properties: { Other: a.ref } });
    a.addPropertyOverride('Other', b.getAtt('Arn'));
    expect(() => Template.fromStack(stack)).toThrow(/dependency cycle: A -> B -> A/);
  });
});
