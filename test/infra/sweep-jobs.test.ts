// Workflows with sweep jobs: the workflow's manifest carries what each sweep's Map touches, and
// the stack grants exactly that, checked against the ASL itself as for every other workflow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { sweepJobItems } from '../../generator/emit/manifest.ts';
import { STACK_REGION } from '../../generator/sweep/manifest.ts';
import { encodeSlot } from '../../generator/sweep/userdata.ts';
import { allStates } from '../../generator/emit/asl-walk.ts';
import { aslAccess } from './asl-access.ts';
import { allowed, compileYaml, exampleWorkflows, flat, logicalId, machineArn, resources, rulesFrom, synth, type Synthesized, uncovered } from './support.ts';
import { sweepJobFixture, variants } from './variants.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

const policy = (s: Synthesized, prefix: string): { Statement: Statement[] } =>
  Object.entries(resources(s.template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith(prefix))![1].Properties!.PolicyDocument;

/** EC2 actions the ASL calls: directly (aws-sdk:ec2:*) or through the cross-region function (its Payload's action); a launch with tags also tags. */
function ec2Calls(definitions: readonly { definition: unknown }[]): { direct: Set<string>; crossRegion: Set<string> } {
  const direct = new Set<string>();
  const crossRegion = new Set<string>();
  const action = (name: string): string => `ec2:${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  for (const { definition } of definitions) {
    for (const [, state] of allStates(definition)) {
      const p = (state.Parameters ?? {}) as Record<string, any>;
      const sdk = /^arn:aws:states:::aws-sdk:ec2:(\w+)$/.exec(String(state.Resource));
      const [into, name, input] = sdk ? [direct, sdk[1], p] : p.FunctionName === '${SweepEc2FunctionArn}' ? [crossRegion, p.Payload.action, p.Payload.input] : [];
      if (!into) continue;
      into.add(action(name));
      if (input.TagSpecifications) into.add('ec2:CreateTags');
    }
  }
  return { direct, crossRegion };
}

/** An Fn::Join of JSON text with references in it, the references flattened (`<LogicalId>`). */
const joined = (value: { 'Fn::Join': [string, unknown[]] }): string => value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : flat(part))).join('');

const actionsOf = (document: { Statement: Statement[] }, prefix: string): Set<string> =>
  new Set(document.Statement.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith(prefix)));

const fixture = synth(sweepJobFixture());
const pipeline = synth(variants().sweeps);

describe.each([
  ['test/fixtures/sweep-job (an EC2 sweep file, an inline Lambda sweep)', fixture],
  ['a Distributed Map, a sweep spanning regions, task and state machine runners', pipeline],
] as const)('a workflow with sweep jobs: %s', (_, s) => {
  const { compiled, stack } = s;
  const bucket = `<${logicalId(stack, stack.markers.bucket)}>`;

  it("grants the S3 keys, functions and child machines its definition's Tasks and Maps use", () => {
    const sweepEc2 = stack.sweepEc2 ? `<${logicalId(stack, stack.sweepEc2.function)}.Arn>` : undefined;
    const router = stack.router ? `<${logicalId(stack, stack.router.handler.function)}.Arn>` : undefined;
    const used = aslAccess(compiled.definitions, { bucket, sweepEc2, router });
    const granted = [...allowed(policy(s, 'StateMachineAccess'))].filter((p) => /^(s3:|lambda:InvokeFunction|states:StartExecution)/.test(p));
    expect(uncovered(granted, used)).toEqual({ missing: [], unused: [] });
  });

  it('grants the EC2 actions the state machine calls to its role, and those it calls through the cross-region function to that function only', () => {
    const calls = ec2Calls(compiled.definitions);
    expect(calls.direct.size).toBeGreaterThan(0);
    expect(actionsOf(policy(s, 'StateMachineAccess'), 'ec2:')).toEqual(calls.direct);
    if (calls.crossRegion.size === 0) {
      expect(stack.sweepEc2).toBeUndefined();
      return;
    }
    expect(actionsOf(policy(s, 'SweepEc2Access'), 'ec2:')).toEqual(calls.crossRegion);
  });

  it('lets instances be launched and terminated only with the sweep tag, and tagged only at launch', () => {
    const sweeps = new Set(compiled.manifest.sweeps!.filter((j) => j.ec2).map((j) => j.sweep));
    const statements = ['StateMachineAccess', ...(stack.sweepEc2 ? ['SweepEc2Access'] : [])].flatMap((p) => policy(s, p).Statement);
    const onInstances = statements.filter((st) => [st.Resource].flat().some((r) => flat(r).endsWith(':instance/*')));
    expect(onInstances.length).toBeGreaterThan(0);
    for (const st of onInstances) {
      const condition = st.Condition?.StringEquals ?? {};
      if (st.Action === 'ec2:RunInstances') expect(sweeps).toContain(condition['aws:RequestTag/stepgraph:sweep']);
      else if (st.Action === 'ec2:TerminateInstances') expect(sweeps).toContain(condition['aws:ResourceTag/stepgraph:sweep']);
      else expect(st).toMatchObject({ Action: 'ec2:CreateTags', Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } } });
    }
  });
});

describe('the sweep-job fixture', () => {
  const { compiled } = fixture;

  it("merges the Lambda sweep's function into the manifest and keeps the EC2 sweep's needs", () => {
    const invoked = compiled.manifest.access.flatMap((a) => a.grants).filter((g) => g.actions.includes('lambda:InvokeFunction')).flatMap((g) => g.resources);
    expect([...new Set(invoked)].sort()).toEqual(['build-features', 'pick-best-model', 'score-model'].map((f) => `arn:\${Partition}:lambda:\${Region}:\${Account}:function:${f}`));
    expect(compiled.manifest.sweeps).toEqual([
      { job: 'train', sweep: 'train', mode: 'inline', runner: 'ec2', ec2: expect.objectContaining({ regions: [], crossRegion: false, instanceProfiles: ['trainer'] }) },
      { job: 'score', sweep: 'score', mode: 'inline', runner: 'lambda' },
    ]);
  });

  it("passes only the trainer profile's role, to EC2, and resolves the default AMI in the stack's region", () => {
    const pairs = allowed(policy(fixture, 'StateMachineAccess'));
    expect([...pairs].filter((p) => p.startsWith('iam:PassRole'))).toEqual([
      'iam:PassRole arn:<AWS::Partition>:iam::<AWS::AccountId>:role/trainer',
      'iam:PassRole arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*/trainer',
    ]);
    expect(policy(fixture, 'StateMachineAccess').Statement.find((st) => st.Action === 'iam:PassRole')!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    expect(pairs).toContain('ssm:GetParameters arn:<AWS::Partition>:ssm:<AWS::Region>::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
  });

  it('needs no cross-region function and no items upload for inline sweeps in one region', () => {
    expect(fixture.stack.sweepEc2).toBeUndefined();
    expect(fixture.stack.sweepItems).toBeUndefined();
    expect(resources(fixture.template, 'Custom::StepgraphSweepItems')).toEqual({});
  });
});

describe('a workflow with a distributed, a multi-region, a task and a state machine sweep job', () => {
  const { compiled, stack, template } = pipeline;
  const bucket = `<${logicalId(stack, stack.markers.bucket)}>`;
  const render = compiled.manifest.sweeps!.find((j) => j.job === 'render')!;
  const access = () => allowed(policy(pipeline, 'StateMachineAccess'));

  it("uploads the render sweep's items to the key its Map reads, with a role that can write only that key", () => {
    // GIVEN the upload the stack holds
    const [upload] = Object.values(resources(template, 'Custom::StepgraphSweepItems'));
    const create = JSON.parse(joined(upload.Properties!.Create)) as { action: string; parameters: Record<string, string> };
    expect(create).toMatchObject({ action: 'copyObject', parameters: { Bucket: bucket, Key: render.items!.key, ContentType: 'application/json' } });
    // THEN the copied asset holds exactly the items the compiler planned
    const asset = create.parameters.CopySource.split('/').at(-1)!;
    const staged = readFileSync(join((stack.node.root as App).outdir, `asset.${asset}`), 'utf8');
    expect(staged).toBe(sweepJobItems(compiled.workflow, compiled.plan).find((i) => i.job === 'render')!.text);
    expect(JSON.parse(staged)).toHaveLength(200);
    const copyPolicy = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('SweepItemsrenderCustomResourcePolicy'))![1];
    expect([...allowed(copyPolicy.Properties!.PolicyDocument)]).toEqual([
      expect.stringMatching(new RegExp(`^s3:GetObject arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-.*/${asset}$`)),
      `s3:PutObject arn:<AWS::Partition>:s3:::${bucket}/${render.items!.key}`,
    ]);
    // AND the workflow cannot start before the items are in place
    const machine = resources(template, 'AWS::StepFunctions::StateMachine')[logicalId(stack, stack.stateMachine)];
    expect(machine.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SweepItemsrender/)]));
  });

  it("runs the Distributed Map's child executions, redrives only its labelled children and writes its results under its prefix", () => {
    const pairs = access();
    const states = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>';
    expect(pairs).toContain(`states:StartExecution ${states}:stateMachine:render-pipeline`);
    expect(pairs).toContain(`states:StopExecution ${states}:execution:render-pipeline:*`);
    expect(pairs).toContain(`states:RedriveExecution ${states}:execution:render-pipeline/render:*`);
    expect(pairs).toContain(`s3:AbortMultipartUpload arn:<AWS::Partition>:s3:::${bucket}/${render.items!.resultsPrefix}/*`);
  });

  it('passes the role of a profile given by ARN in its own account, at any path', () => {
    expect(access()).toContain('iam:PassRole arn:aws:iam::123456789012:role/render-worker');
    expect(access()).toContain('iam:PassRole arn:aws:iam::123456789012:role/*/render-worker');
  });

  it('calls EC2 in us-east-1 and us-west-2 through one function that knows only those regions', () => {
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack, stack.sweepEc2!.function)];
    expect(fn.Properties!.Environment.Variables).toEqual({ REGIONS: 'us-east-1,us-west-2' });
    const machine = resources(template, 'AWS::StepFunctions::StateMachine')[logicalId(stack, stack.stateMachine)];
    expect(machine.Properties!.DefinitionSubstitutions.SweepEc2FunctionArn).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.sweepEc2!.function), 'Arn'] });
    const fnPairs = allowed(policy(pipeline, 'SweepEc2Access'));
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(fnPairs).toContain(`ec2:RunInstances arn:<AWS::Partition>:ec2:${region}:<AWS::AccountId>:instance/*`);
      expect(fnPairs).toContain(`ssm:GetParameters arn:<AWS::Partition>:ssm:${region}::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`);
    }
    expect(fnPairs).toContain('iam:PassRole arn:<AWS::Partition>:iam::<AWS::AccountId>:role/prober');
    // The probe sweep's instances are not the state machine's to launch.
    const tags = policy(pipeline, 'StateMachineAccess').Statement.map((st) => st.Condition?.StringEquals?.['aws:RequestTag/stepgraph:sweep']).filter(Boolean);
    expect(tags).toEqual(['render']);
  });

  it("scopes the task runner's Glue job and watches the state machine runner's executions", () => {
    expect(access()).toContain('glue:StartJobRun arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:job/evaluate-renders');
    expect(access()).toContain('states:DescribeExecution arn:aws:states:eu-west-1:123456789012:execution:publish-shot:*');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('stepgraph cannot tell'))).toEqual([]);
  });

  it("lets the router hear of this region's terminations, describe instances in the sweep jobs' regions and release the waits of the Map's children", () => {
    const router = stack.router!;
    expect(rulesFrom(template, 'aws.ec2')).toHaveLength(1);
    const describe = policy(pipeline, 'RouterFunctionAccess').Statement.find((st) => st.Action === 'ec2:DescribeInstances')!;
    expect(describe.Resource).toBe('*');
    expect(describe.Condition!.StringEquals['aws:RequestedRegion']).toEqual(
      compiled.manifest.waits.instanceRegions.map((r) => (r === STACK_REGION ? { Ref: 'AWS::Region' } : r)),
    );
    const release = [...allowed(policy(pipeline, 'RouterFunctionAccess'))].filter((p) => p.startsWith('states:'));
    expect(release.sort()).toEqual([`states:SendTaskSuccess ${machineArn('render-pipeline')}`, `states:SendTaskSuccess ${machineArn('render-pipeline/render')}`]);
    expect(access()).toContain(`lambda:InvokeFunction <${logicalId(stack, router.handler.function)}.Arn>`);
    // The probe sweep's instances run in two regions: those outside the stack's own are left to the backstop.
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('runs instances in us-east-1, us-west-2 \\(all but the region this stack is deployed in\\).*backstop'));
  });

  it('grants on "*" only the EC2 Describe actions, which take no resource, in the named regions', () => {
    // (and the router's DescribeInstances: see above)
    const wildcard = ['StateMachineAccess', 'SweepEc2Access'].flatMap((p) => policy(pipeline, p).Statement).filter((st) => st.Resource === '*');
    expect(wildcard.map((st) => st.Action)).toEqual([
      ['ec2:DescribeInstances', 'ec2:DescribeTags'],
      ['ec2:DescribeInstances', 'ec2:DescribeTags'],
    ]);
    expect(wildcard[1].Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } });
  });
});

describe('sweep jobs, edge cases', () => {
  it('says where to deploy a workflow whose sweep job names one region', () => {
    const s = synth(compileYaml('name: one-region\njobs:\n  grid:\n    sweep:\n      defaults: { instance_type: t3.micro, region: eu-west-1, ttl: 1h }\n      params: [{ lr: 1 }]\n', 'one-region.yaml'));
    Annotations.fromStack(s.stack).hasWarning('*', Match.stringLikeRegexp("sweep job 'grid' launches its instances in eu-west-1.*deploy this stack in eu-west-1"));
    expect(allowed(policy(s, 'StateMachineAccess'))).toContain('ec2:RunInstances arn:<AWS::Partition>:ec2:eu-west-1:<AWS::AccountId>:instance/*');
  });

  it("leaves a shell variable in a sweep job's command to the shell: it is no placeholder of the stack", () => {
    const compiled = compileYaml('name: shelly\njobs:\n  train:\n    sweep:\n      defaults: { instance_type: t3.micro, ttl: 1h, command: "echo ${HOME} {lr}" }\n      params: [{ lr: 1 }]\n', 'shelly.yaml');
    // The command travels base64-encoded (the boot script decodes it), `${HOME}` in it untouched.
    expect(compiled.definitions[0].deployed).toContain(encodeSlot('echo ${HOME} 1'));
    expect(compiled.manifest.substitutions).toEqual(['MarkerBucket', 'RouterFunctionArn']);
    const { stack, template } = synth(compiled);
    const machine = resources(template, 'AWS::StepFunctions::StateMachine')[logicalId(stack, stack.stateMachine)];
    expect(Object.keys(machine.Properties!.DefinitionSubstitutions).sort()).toEqual(['MarkerBucket', 'RouterFunctionArn']);
  });

  it('adds nothing to the manifest of a workflow without sweep jobs', () => {
    for (const c of exampleWorkflows()) expect(c.manifest).not.toHaveProperty('sweeps');
  });
});
