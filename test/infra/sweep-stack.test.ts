// CDK assertions for every sweep in workflows/sweeps/: one stack each, its state machine, the
// grants its manifest lists (checked against the ASL), the items bucket and upload of a
// Distributed Map, and the cross-region function only when the sweep spans regions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BACKSTOP_MINUTES } from '../../generator/contract/waits.ts';
import { compileSweepFile } from '../../generator/sweep/compile.ts';
import { STACK_REGION } from '../../generator/sweep/manifest.ts';
import { distributedMaps } from '../../generator/emit/asl-walk.ts';
import { ROUTER_TABLE_ACTIONS } from '../../infra/waiter-table.ts';
import { aslAccess } from './asl-access.ts';
import { allowed, exampleSweeps, flat, logicalId, machineArn, resources, rulesFrom, synthSweep, type SynthesizedSweep, uncovered } from './support.ts';

const stacks: SynthesizedSweep[] = exampleSweeps().map((c) => synthSweep(c));

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
const policyOf = (s: SynthesizedSweep, prefix: string): { Statement: Statement[] } | undefined =>
  Object.entries(resources(s.template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith(prefix))?.[1].Properties!.PolicyDocument;
const pairsOf = (s: SynthesizedSweep, prefix: string): Set<string> => {
  const document = policyOf(s, prefix);
  return document ? allowed(document as never) : new Set();
};
/** The Lambda that runs AwsCustomResource calls (the items upload) is CDK's own, a singleton per stack. */
const CUSTOM_RESOURCE_PROVIDER = /^AWS679f53fac002430cb0da5b7982bd2287/;

describe.each(stacks.map((s) => [s.compiled.manifest.stackName, s] as const))('%s', (_, s) => {
  const { compiled, stack, template } = s;
  const { manifest, definition } = compiled;
  const distributed = manifest.mode === 'distributed';
  const crossRegion = manifest.ec2?.crossRegion ?? false;
  const machine = () => resources(template, 'AWS::StepFunctions::StateMachine')[logicalId(stack, stack.stateMachine)];
  const bucketRef = () => manifest.markers.bucket ?? `<${logicalId(stack, stack.bucket!.bucket)}>`;

  it('holds the compiled definition, logging ALL events to a log group with retention, traced with X-Ray', () => {
    const props = machine().Properties!;
    expect(props.StateMachineName).toBe(manifest.stateMachine.name);
    expect(JSON.parse(props.DefinitionString)).toEqual(definition);
    expect(props).toMatchObject({ StateMachineType: 'STANDARD', LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true }, TracingConfiguration: { Enabled: true } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/vendedlogs/states/${manifest.stackName}`, RetentionInDays: 90 });
  });

  it('fills exactly the placeholders the manifest lists: the items bucket and the cross-region function', () => {
    const subs = machine().Properties!.DefinitionSubstitutions ?? {};
    expect(Object.keys(subs).sort()).toEqual([...manifest.substitutions].sort());
    if (subs.MarkerBucket) expect(flat(subs.MarkerBucket)).toBe(bucketRef());
    if (subs.SweepEc2FunctionArn) expect(subs.SweepEc2FunctionArn).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.ec2Function!.function), 'Arn'] });
  });

  it('is deployed in the one region its items name, and anywhere when they name none or several', () => {
    if (manifest.region) expect(stack.region).toBe(manifest.region);
    else expect(Token.isUnresolved(stack.region)).toBe(true);
  });

  it("grants the S3 keys, functions and machines its definition uses, and the keys `sweep launch` uploads a run's items to", () => {
    const ec2Function = stack.ec2Function ? `<${logicalId(stack, stack.ec2Function.function)}.Arn>` : undefined;
    const router = stack.router ? `<${logicalId(stack, stack.router.handler.function)}.Arn>` : undefined;
    const used = aslAccess([{ definition, name: manifest.stateMachine.name }], { bucket: distributed ? bucketRef() : '-', sweepEc2: ec2Function, router });
    const launched = distributed ? [`s3:GetObject arn:<AWS::Partition>:s3:::${bucketRef()}/${manifest.markers.launchPrefix}*/items.json`] : [];
    const granted = [...pairsOf(s, 'StateMachineAccess')].filter((p) => /^(s3:|lambda:InvokeFunction|states:StartExecution)/.test(p));
    expect(uncovered(granted, [...used, ...launched])).toEqual({ missing: [], unused: [] });
  });

  it('grants the EC2 actions the manifest lists, to the state machine or (spanning regions) to the function that makes the calls', () => {
    const ec2Actions = (pairs: Set<string>) => new Set([...pairs].map((p) => p.split(' ')[0]).filter((a) => a.startsWith('ec2:')));
    const [caller, other] = crossRegion ? ['SweepEc2Access', 'StateMachineAccess'] : ['StateMachineAccess', 'SweepEc2Access'];
    expect(ec2Actions(pairsOf(s, caller))).toEqual(new Set(manifest.ec2?.actions ?? []));
    expect(ec2Actions(pairsOf(s, other))).toEqual(new Set());
  });

  it('conditions launch and termination on the sweep tag, tagging on the launch, passing a role on EC2', () => {
    const statements = [...(policyOf(s, 'StateMachineAccess')?.Statement ?? []), ...(policyOf(s, 'SweepEc2Access')?.Statement ?? [])];
    const onInstances = statements.filter((st) => [st.Resource].flat().some((r) => flat(r).endsWith(':instance/*')));
    expect(onInstances.length).toBe(manifest.ec2 ? 3 : 0);
    for (const st of onInstances) {
      const key = { 'ec2:RunInstances': 'aws:RequestTag/stepgraph:sweep', 'ec2:TerminateInstances': 'aws:ResourceTag/stepgraph:sweep', 'ec2:CreateTags': 'ec2:CreateAction' }[st.Action as string]!;
      expect(st.Condition).toEqual({ StringEquals: { [key]: key === 'ec2:CreateAction' ? 'RunInstances' : manifest.sweep } });
    }
    for (const st of statements.filter((x) => x.Action === 'iam:PassRole')) expect(st.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });

  it('passes exactly the roles of its instance profiles and reads exactly its AMI parameters, in its regions', () => {
    const pairs = [...pairsOf(s, 'StateMachineAccess'), ...pairsOf(s, 'SweepEc2Access')];
    const profiles = manifest.ec2?.instanceProfiles ?? [];
    expect(pairs.filter((p) => p.startsWith('iam:PassRole')).sort()).toEqual(
      profiles.flatMap((p) => [`iam:PassRole arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${p}`, `iam:PassRole arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*/${p}`]).sort(),
    );
    const regions = manifest.ec2?.regions ?? [];
    expect(pairs.filter((p) => p.startsWith('ssm:')).sort()).toEqual(
      (manifest.ec2?.amiParameters ?? []).flatMap((a) => regions.map((r) => `ssm:GetParameters arn:<AWS::Partition>:ssm:${r}::parameter${a}`)).sort(),
    );
  });

  it("grants on '*' only EC2's Describe actions, which take no resource, limited to the sweep's regions", () => {
    const statements = [...(policyOf(s, 'StateMachineAccess')?.Statement ?? []), ...(policyOf(s, 'SweepEc2Access')?.Statement ?? [])];
    const wildcard = statements.filter((st) => st.Resource === '*');
    expect(wildcard.map((st) => st.Action)).toEqual(manifest.ec2 ? [['ec2:DescribeInstances', 'ec2:DescribeTags']] : []);
    if (manifest.ec2?.regions.length) expect(wildcard[0].Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': manifest.ec2.regions } });
  });

  it('has the cross-region function exactly when the sweep spans regions, knowing only those regions', () => {
    const router = stack.router && logicalId(stack, stack.router.handler.function);
    const functions = Object.entries(resources(template, 'AWS::Lambda::Function')).filter(([id]) => !CUSTOM_RESOURCE_PROVIDER.test(id) && id !== router);
    expect(functions.length).toBe(crossRegion ? 1 : 0);
    expect(stack.ec2Function !== undefined).toBe(crossRegion);
    if (crossRegion) {
      expect(functions[0][1].Properties).toMatchObject({ Runtime: 'nodejs22.x', Environment: { Variables: { REGIONS: manifest.ec2!.regions.join(',') } } });
      expect(pairsOf(s, 'StateMachineAccess')).toContain(`lambda:InvokeFunction <${logicalId(stack, stack.ec2Function!.function)}.Arn>`);
    }
  });

  it('has a router with its waiter table exactly when its items wait (EC2: for their instance to end), hearing of terminations in its region', () => {
    const regions = manifest.waits.instanceRegions;
    expect(stack.router !== undefined).toBe(manifest.substitutions.includes('RouterFunctionArn'));
    expect(stack.router !== undefined).toBe(regions.length > 0);
    const tables = Object.values(resources(template, 'AWS::DynamoDB::Table'));
    const instanceRules = rulesFrom(template, 'aws.ec2');
    if (!stack.router) {
      expect(tables).toEqual([]);
      expect(instanceRules).toEqual([]);
      return;
    }
    expect(tables[0].Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack, stack.router.handler.function)];
    expect(fn.Properties!.Environment.Variables).toEqual({ WAITER_TABLE: { Ref: logicalId(stack, stack.router.waiters.table) } });
    // Its region is known when every item names the same one; otherwise the rule hears of the region it is deployed in.
    expect(instanceRules).toHaveLength(1);
    expect(instanceRules[0].Properties!.EventPattern).toEqual({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } });
    expect(instanceRules[0].Properties!.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.router.handler.function), 'Arn'] } })]);
    const backstop = Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.ScheduleExpression);
    expect(backstop.map((r) => [r.Properties!.ScheduleExpression, r.Properties!.Targets[0].Input])).toEqual([[`rate(${BACKSTOP_MINUTES} minutes)`, '{"action":"backstop"}']]);
  });

  it("lets the router use its table, describe instances in the sweep's regions only and release its own machine's waits only", () => {
    if (!stack.router) return;
    const table = `<${logicalId(stack, stack.router.waiters.table)}.Arn>`;
    // A Distributed Map's items run as child executions of `<machine>/<label>`: their waits are released there.
    const children = distributedMaps(definition)
      .filter((m) => m.waits)
      .map((m) => `${manifest.stateMachine.name}/${m.label}`);
    expect(children.length).toBe(distributed ? 1 : 0);
    expect(pairsOf(s, 'RouterFunctionAccess')).toEqual(
      new Set([
        ...ROUTER_TABLE_ACTIONS.map((a) => `${a} ${table}`),
        'ec2:DescribeInstances *',
        ...[manifest.stateMachine.name, ...children].map((n) => `states:SendTaskSuccess ${machineArn(n)}`),
      ]),
    );
    const describe = policyOf(s, 'RouterFunctionAccess')!.Statement.find((st) => st.Action === 'ec2:DescribeInstances')!;
    const regions = manifest.waits.instanceRegions.map((r) => (r === STACK_REGION ? { Ref: 'AWS::Region' } : r));
    expect(describe.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': regions } });
    expect(pairsOf(s, 'StateMachineAccess')).toContain(`lambda:InvokeFunction <${logicalId(stack, stack.router.handler.function)}.Arn>`);
  });

  it('says that items in regions other than its own are released by the backstop', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('state-change events only'));
    expect(warnings).toHaveLength(crossRegion ? 1 : 0);
    if (crossRegion) expect(String(warnings[0].entry.data)).toContain(`runs instances in ${manifest.ec2!.regions.join(', ')}`);
  });

  it('keeps a Distributed Map\'s items and results in the sweep\'s bucket (or a private, encrypted, TLS-only one it creates), and an inline sweep needs none', () => {
    const buckets = Object.values(resources(template, 'AWS::S3::Bucket'));
    if (!distributed) {
      expect(stack.bucket).toBeUndefined();
      expect(buckets).toEqual([]);
      expect([...pairsOf(s, 'StateMachineAccess')].filter((p) => p.startsWith('s3:'))).toEqual([]);
      return;
    }
    expect(buckets).toHaveLength(manifest.markers.bucket ? 0 : 1);
    if (buckets.length > 0) {
      expect(buckets[0].DeletionPolicy).toBe('Retain');
      expect(buckets[0].Properties).toMatchObject({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true }, VersioningConfiguration: { Status: 'Enabled' } });
      template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    }
    template.hasOutput('ItemsBucketName', {});
  });

  it('puts the items file the definition reads by default in place before the state machine exists', () => {
    const uploads = Object.entries(resources(template, 'Custom::StepgraphSweepItems'));
    if (!distributed) {
      expect(uploads).toEqual([]);
      return;
    }
    expect(uploads).toHaveLength(1);
    const [id, upload] = uploads[0];
    const create = JSON.parse(joined(upload.Properties!.Create)) as { parameters: Record<string, string> };
    expect(create.parameters).toMatchObject({ Bucket: bucketRef(), Key: manifest.markers.itemsKey });
    const staged = readFileSync(join((stack.node.root as App).outdir, `asset.${create.parameters.CopySource.split('/').at(-1)}`), 'utf8');
    expect(staged).toBe(compiled.itemsText);
    expect(machine().DependsOn).toContain(id);
  });
});

/** An Fn::Join of JSON text with references in it, the references flattened (`<LogicalId>`). */
const joined = (value: { 'Fn::Join': [string, unknown[]] }): string => value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : flat(part))).join('');

it('gives every sweep file in workflows/sweeps its own stack named stepgraph-<sweep>, covering every kind of sweep', () => {
  expect(stacks).toHaveLength(readdirSync('workflows/sweeps').length);
  expect(stacks.map((s) => s.stack.stackName)).toEqual(stacks.map((s) => `stepgraph-${s.compiled.sweep.name}`));
  const kinds = new Set(stacks.map(({ compiled: { manifest: m } }) => (m.ec2?.crossRegion ? `cross-region ${m.mode}` : `${m.runner} ${m.mode}`)));
  expect([...kinds].sort()).toEqual(expect.arrayContaining(['cross-region inline', 'ec2 distributed', 'ec2 inline', 'lambda inline']));
});

it("uses a distributed sweep's own bucket when it names one: no bucket created, grants and the items upload on that bucket", () => {
  // GIVEN test/fixtures/sweep-distributed, whose items and results live in acme-sweeps under render/
  const compiled = compileSweepFile('test/fixtures/sweep-distributed/input.yaml').compiled!;
  const s = synthSweep(compiled);

  // THEN
  expect(resources(s.template, 'AWS::S3::Bucket')).toEqual({});
  expect(s.compiled.manifest.substitutions).toEqual(['RouterFunctionArn']);
  const pairs = pairsOf(s, 'StateMachineAccess');
  expect(pairs).toContain(`s3:GetObject arn:<AWS::Partition>:s3:::acme-sweeps/${compiled.manifest.markers.itemsKey}`);
  expect(pairs).toContain('s3:GetObject arn:<AWS::Partition>:s3:::acme-sweeps/render/_sweeps/render-frames/*/items.json');
  expect(pairs).toContain('s3:PutObject arn:<AWS::Partition>:s3:::acme-sweeps/render/_sweeps/render-frames/results/*');
  const [upload] = Object.values(resources(s.template, 'Custom::StepgraphSweepItems'));
  expect(JSON.parse(joined(upload.Properties!.Create)).parameters).toMatchObject({ Bucket: 'acme-sweeps', Key: compiled.manifest.markers.itemsKey });
});
