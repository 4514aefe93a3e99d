// The pools' infrastructure (infra/pools.ts): one shared table owned by the stack stepgraph-pools,
// and in each workflow stack whose jobs take slots, a router allowed exactly its own pools'
// partitions of that table and the release of the runs it may hand a slot to, hearing its own
// machines' status changes.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PoolsStack, poolPeers } from '../../infra/pools.ts';
import { WorkflowStack } from '../../infra/workflow-stack.ts';
import { compileYaml, flat, resources } from './support.ts';

const loads = compileYaml(
  `name: warehouse-loads
pools: { warehouse: { slots: 2 } }
jobs:
  load_orders: { lambda: load-orders, pool: warehouse }
  load_customers: { lambda: load-customers, pool: warehouse }
`,
  'warehouse-loads.yaml',
);
const audit = compileYaml(
  `name: warehouse-audit
pools: { warehouse: { slots: 2 }, lake: 1 }
jobs:
  audit: { lambda: audit, pool: warehouse }
  scan: { lambda: scan, pool: lake }
`,
  'warehouse-audit.yaml',
);
const unrelated = compileYaml(`name: other\njobs:\n  a: { lambda: a }\n`, 'other.yaml');

// GIVEN the app's shape: the pools stack, and the workflows depending on it
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const pools = new PoolsStack(app, 'stepgraph-pools');
const manifests = [loads, audit, unrelated].map((c) => c.manifest);
const stacks = [loads, audit, unrelated].map((compiled) => new WorkflowStack(app, compiled.manifest.stackName, { compiled, poolPeers: poolPeers(compiled.manifest, manifests) }));
const [loadsStack, auditStack, otherStack] = stacks;
const templates = { pools: Template.fromStack(pools), loads: Template.fromStack(loadsStack), audit: Template.fromStack(auditStack), other: Template.fromStack(otherStack) };

function routerPolicyStatements(template: Template): { Action: string[] | string; Resource: unknown; Condition?: unknown }[] {
  const policies = Object.entries(resources(template, 'AWS::IAM::Policy')).filter(([id]) => id.startsWith('Router'));
  return policies.flatMap(([, p]) => p.Properties!.PolicyDocument.Statement);
}

describe('the pools stack', () => {
  it('owns one table, named so every workflow finds it, keyed by pool and entry, expiring by TTL', () => {
    templates.pools.resourceCountIs('AWS::DynamoDB::Table', 1);
    templates.pools.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'stepgraph-pools',
      KeySchema: [
        { AttributeName: 'pool', KeyType: 'HASH' },
        { AttributeName: 'entry', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has no unacknowledged AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(pools);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('a workflow stack whose jobs take pool slots', () => {
  it("gives its router the table and its own pools with their slots", () => {
    templates.audit.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ POOL_TABLE: 'stepgraph-pools', POOLS: 'warehouse=2,lake=1' }) } });
  });

  it('lets the router touch only the partitions of its own pools', () => {
    const table = routerPolicyStatements(templates.audit).filter((s) => flat(s.Resource).includes('table/stepgraph-pools'));
    expect(table).toHaveLength(1);
    expect([table[0].Action].flat().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(table[0].Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['warehouse', 'lake'] } });
  });

  it('may release the runs of the workflows sharing a pool with it, and of no other', () => {
    const release = routerPolicyStatements(templates.loads).filter((s) => [s.Action].flat().includes('states:SendTaskSuccess'));
    const machines = release.flatMap((s) => [s.Resource].flat().map(flat)).sort();
    expect(machines).toEqual(['arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:warehouse-audit', 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:warehouse-loads']);
  });

  it("hears its own machines' status changes: ends give slots back, a redrive's RUNNING takes them back", () => {
    const rules = Object.values(resources(templates.loads, 'AWS::Events::Rule')).filter((r) => r.Properties!.EventPattern?.source?.[0] === 'aws.states');
    expect(rules).toHaveLength(1);
    const pattern = rules[0].Properties!.EventPattern;
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(pattern.detail.status).toEqual(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(pattern.detail.stateMachineArn.map(flat)).toEqual(['arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:warehouse-loads']);
  });

  it('has no unacknowledged AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(loadsStack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('a workflow stack without pools', () => {
  it('has no pool table access, no pool environment and no status-change rule', () => {
    expect(JSON.stringify(templates.other.toJSON())).not.toContain('stepgraph-pools');
    expect(JSON.stringify(templates.other.toJSON())).not.toContain('aws.states');
    expect(Stack.of(otherStack).dependencies).toEqual([]);
  });
});
