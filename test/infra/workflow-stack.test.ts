// CDK assertions, resource by resource, for every workflow in workflows/.
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BACKSTOP_MINUTES } from '../../generator/contract/waits.ts';
import { ALERT_STATUSES } from '../../infra/alerts.ts';
import { REGISTER_TABLE_ACTIONS, ROUTER_TABLE_ACTIONS } from '../../infra/waiter-table.ts';
import { aslAccess } from './asl-access.ts';
import { kindGrants } from '../../infra/kind-grants.ts';
import type { KindGrant } from '../../generator/kinds/kind.ts';
import { allowed, exampleWorkflows, flat, logicalId, machineArn, policyPairs, resources, rulesFrom, synth, type Synthesized, uncovered } from './support.ts';

const stacks: Synthesized[] = exampleWorkflows().map((c) => synth(c));

describe.each(stacks.map((s) => [s.compiled.manifest.stackName, s] as const))('%s', (_, { compiled, stack, template }) => {
  const { manifest, definitions } = compiled;
  const bucketRef = manifest.markers.bucket ?? `<${logicalId(stack, stack.markers.bucket)}>`;
  const accessPolicy = () => {
    const [policy] = Object.entries(resources(template, 'AWS::IAM::Policy')).filter(([id]) => id.startsWith('StateMachineAccess'));
    return policy[1].Properties!.PolicyDocument;
  };
  const onMarkers = manifest.triggers.flatMap((t) => (t.type === 'on_markers' ? [t.markers] : []));
  const waits = manifest.substitutions.includes('RouterFunctionArn');
  const routerRef = () => `<${logicalId(stack, stack.router!.handler.function)}.Arn>`;
  const tableRef = () => `<${logicalId(stack, stack.router!.waiters.table)}.Arn>`;
  const machineNames = manifest.stateMachines.map((m) => m.name);
  /**
   * The kinds whose Tasks call services the ASL oracle (asl-access.ts) does not model: their exact
   * grants are asserted per kind (test/infra/data-kinds.test.ts, test/kinds/batch.test.ts, ...);
   * here they are told apart from what the oracle checks.
   */
  const pairsOf = (grants: readonly KindGrant[]): Set<string> =>
    new Set(kindGrants(grants, bucketRef).flatMap((g) => g.actions.flatMap((a) => g.resources.map((r) => `${a} ${flat(stack.resolve(r))}`))));
  const ORACLE_KINDS = new Set(['lambda', 'state_machine', 'task', 'data_pipeline', 'sweep']);
  const kindPairs = pairsOf(manifest.access.filter((a) => !ORACLE_KINDS.has(a.kind)).flatMap((a) => a.grants));
  const routerKindPairs = pairsOf(manifest.access.flatMap((a) => a.routerGrants ?? []));
  const activatorKindPairs = pairsOf(manifest.access.filter((a) => a.kind !== 'data_pipeline').flatMap((a) => a.activatorGrants ?? []));
  // A wait can end in failure: a callback kind's event, or a job's signal saying it failed (trigger rules).
  const failures = manifest.waits.events.length > 0 || manifest.waits.signalFailures === true;
  /** Every marker key the router hears of, by bucket: the on_markers keys and the waits' subjects. */
  const watched = (): { bucket: string; keyPattern: string }[] => [
    ...[...new Set(onMarkers.flat())].map((m) => ({ bucket: bucketRef, keyPattern: `${manifest.markers.prefix}${m}__*.done` })),
    ...manifest.waits.markers.map((m) => ({ bucket: m.bucket ?? bucketRef, keyPattern: m.keyPattern })),
  ];

  it('holds the compiled definition, logging ALL to a log group with retention, traced with X-Ray', () => {
    const [machine] = Object.values(resources(template, 'AWS::StepFunctions::StateMachine'));
    expect(machine.Properties!.StateMachineName).toBe(manifest.workflow);
    expect(machine.Properties!.DefinitionString).toBe(definitions[0].deployed);
    expect(JSON.parse(machine.Properties!.DefinitionString)).toEqual(JSON.parse(definitions[0].text));
    expect(Object.keys(machine.Properties!.DefinitionSubstitutions ?? {}).sort()).toEqual([...manifest.substitutions].sort());
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StateMachineLogs'), 'Arn'] } } }] },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/vendedlogs/states/stepgraph-${manifest.workflow}`, RetentionInDays: 90 });
  });

  it('substitutes the marker bucket and the activator into the definition', () => {
    const [machine] = Object.values(resources(template, 'AWS::StepFunctions::StateMachine'));
    const subs = machine.Properties!.DefinitionSubstitutions ?? {};
    if (manifest.substitutions.includes('MarkerBucket')) expect(flat(subs.MarkerBucket)).toBe(bucketRef);
    if (manifest.substitutions.includes('ActivatorFunctionArn')) expect(flat(subs.ActivatorFunctionArn)).toBe(`<${logicalId(stack, stack.activator!.function)}.Arn>`);
    if (waits) expect(flat(subs.RouterFunctionArn)).toBe(routerRef());
  });

  it("grants the S3 keys, functions and child machines its definition's Tasks use", () => {
    // GIVEN what the ASL itself touches
    const activator = stack.activator ? `<${logicalId(stack, stack.activator.function)}.Arn>` : undefined;
    const deadline = stack.deadlines && `<${logicalId(stack, stack.deadlines.handler.function)}.Arn>`;
    const used = aslAccess(definitions, { bucket: bucketRef, activator, router: stack.router && routerRef(), deadline });
    // THEN the policy allows those pairs, and each of its grants of these actions serves one of them
    const granted = [...allowed(accessPolicy())].filter((p) => /^(s3:|lambda:InvokeFunction|states:StartExecution)/.test(p) && !kindPairs.has(p));
    expect(uncovered(granted, used)).toEqual({ missing: [], unused: [] });
  });

  it('lets .sync child executions be watched and stopped, and nothing is granted on "*"', () => {
    const pairs = [...allowed(accessPolicy())];
    const children = manifest.access.flatMap((a) => a.grants).filter((g) => g.actions.includes('states:StartExecution')).flatMap((g) => g.resources);
    for (const arn of children) {
      const executions = `${arn.replace(':stateMachine:', ':execution:')}:*`;
      expect(pairs).toContain(`states:DescribeExecution ${executions}`);
      expect(pairs).toContain(`states:StopExecution ${executions}`);
      expect(pairs).toContain('events:PutRule arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
    }
    // A kind's own wildcards (Batch's DescribeJobs has no resource-level permission) carry their reasons.
    expect(pairs.filter((p) => p.endsWith(' *') && !kindPairs.has(p))).toEqual([]);
  });

  it('uses the named marker bucket, or creates a private, encrypted, TLS-only, versioned one with EventBridge on', () => {
    const buckets = resources(template, 'AWS::S3::Bucket');
    if (manifest.markers.bucket) {
      expect(buckets).toEqual({});
      return;
    }
    const [bucket] = Object.values(buckets);
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('reads no marker itself but for outputs: its waits invoke the router (and the activator), which read them', () => {
    const pairs = [...allowed(accessPolicy())];
    // Outputs of jobs that did not run in a job's own line come from their markers (manifest.markers.reads).
    const reads = new Set((manifest.markers.reads ?? []).flatMap((m) => [`s3:GetObject arn:<AWS::Partition>:s3:::${m.bucket ?? bucketRef}/${m.keyPattern}`, `s3:ListBucket arn:<AWS::Partition>:s3:::${m.bucket ?? bucketRef}`]));
    expect(pairs.filter((p) => /^s3:(GetObject|ListBucket|DeleteObject) /.test(p) && !kindPairs.has(p) && !reads.has(p))).toEqual([]);
    if (waits) expect(pairs).toContain(`lambda:InvokeFunction ${routerRef()}`);
  });

  it('has a router with a waiter table (keys subject and waiter, TTL expiresAt, on demand, deleted with the stack) exactly when it waits or has on_markers', () => {
    const tables = Object.values(resources(template, 'AWS::DynamoDB::Table'));
    expect(stack.router !== undefined).toBe(waits || onMarkers.length > 0);
    if (!stack.router) {
      expect(tables).toEqual([]);
      return;
    }
    expect(tables).toHaveLength(1);
    expect(tables[0].DeletionPolicy).toBe('Delete');
    expect(tables[0].Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'subject', KeyType: 'HASH' },
        { AttributeName: 'waiter', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'subject', AttributeType: 'S' },
        { AttributeName: 'waiter', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('tells the router its table, bucket, prefix and partition, and the on_markers triggers with the machine to start', () => {
    if (!stack.router) return;
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack, stack.router.handler.function)];
    const env = fn.Properties!.Environment.Variables as Record<string, unknown>;
    expect(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : flat(v)]))).toEqual({
      WAITER_TABLE: `<${logicalId(stack, stack.router.waiters.table)}>`,
      MARKER_BUCKET: bucketRef,
      MARKER_PREFIX: manifest.markers.prefix,
      PARTITION: manifest.partition,
      ...(onMarkers.length > 0 && { WORKFLOW: manifest.workflow, STATE_MACHINE_ARN: machineArn(manifest.workflow), MARKER_TRIGGERS: JSON.stringify(onMarkers) }),
      ...(manifest.pools && { POOL_TABLE: 'stepgraph-pools', POOLS: manifest.pools.map((p) => `${p.name}=${p.slots}`).join(',') }),
    });
  });

  it('routes the "Object Created" events of every marker its waits and on_markers name to the router, matched by key prefix, per bucket', () => {
    const rules = rulesFrom(template, 'aws.s3');
    const expected = new Map<string, Set<string>>();
    for (const m of watched()) expected.set(m.bucket, (expected.get(m.bucket) ?? new Set()).add(m.keyPattern.slice(0, m.keyPattern.indexOf('*'))));
    const routed = new Map<string, Set<string>>();
    for (const rule of rules) {
      const { EventPattern: pattern, Targets: targets } = rule.Properties!;
      expect(pattern['detail-type']).toEqual(['Object Created']);
      const bucket = flat(pattern.detail.bucket.name[0]);
      for (const key of pattern.detail.object.key as { prefix: string }[]) routed.set(bucket, (routed.get(bucket) ?? new Set()).add(key.prefix));
      expect(targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.router!.handler.function), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 } })]);
    }
    expect(routed).toEqual(expected);
  });

  it(`looks at every open waiter every ${BACKSTOP_MINUTES} minutes when it waits`, () => {
    const backstops = Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.ScheduleExpression);
    expect(backstops).toHaveLength(waits ? 1 : 0);
    if (!waits) return;
    expect(backstops[0].Properties).toMatchObject({ ScheduleExpression: `rate(${BACKSTOP_MINUTES} minutes)`, State: 'ENABLED' });
    expect(backstops[0].Properties!.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.router!.handler.function), 'Arn'] }, Input: '{"action":"backstop"}' })]);
  });

  it('lets the router use its table, read the markers it watches, release waits of its own machines only and start the main one for on_markers', () => {
    if (!stack.router) return;
    const pairs = policyPairs(template, 'RouterFunctionAccess');
    expect(pairs).toEqual(
      new Set([
        ...ROUTER_TABLE_ACTIONS.map((a) => `${a} ${tableRef()}`),
        ...watched().map((m) => `s3:GetObject arn:<AWS::Partition>:s3:::${m.bucket}/${m.keyPattern}`),
        ...watched().map((m) => `s3:ListBucket arn:<AWS::Partition>:s3:::${m.bucket}`),
        ...(waits ? machineNames.map((n) => `states:SendTaskSuccess ${machineArn(n)}`) : []),
        ...(waits && failures ? machineNames.map((n) => `states:SendTaskFailure ${machineArn(n)}`) : []),
        ...(onMarkers.length > 0 ? [`states:StartExecution ${machineArn(manifest.workflow)}`] : []),
        ...manifest.waits.instanceRegions.map(() => 'ec2:DescribeInstances *'),
        ...routerKindPairs,
        // Pools: the shared table (its own pools' partitions only: infra/pools.ts, test/infra/pools.test.ts).
        ...(manifest.pools ? ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'].map((a) => `${a} arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/stepgraph-pools`) : []),
      ]),
    );
  });

  it('names every existing bucket whose events it needs in a synth warning', () => {
    const expected = new Set([...(onMarkers.length > 0 && manifest.markers.bucket ? [manifest.markers.bucket] : []), ...manifest.waits.markers.flatMap((m) => m.bucket ?? manifest.markers.bucket ?? [])]);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('to EventBridge')).map((w) => String(w.entry.data));
    expect(new Set(warnings.map((w) => /bucket '([^']+)'/.exec(w)![1]))).toEqual(expected);
    expect(warnings).toHaveLength(expected.size);
  });

  it('schedules runs with EventBridge Scheduler, passing the scheduled time', () => {
    const schedules = Object.values(resources(template, 'AWS::Scheduler::Schedule'));
    if (!manifest.schedule) {
      expect(schedules).toEqual([]);
      return;
    }
    expect(schedules).toHaveLength(1);
    const props = schedules[0].Properties!;
    expect(props.ScheduleExpression).toBe(manifest.schedule.expression);
    expect(props.ScheduleExpressionTimezone).toBe(manifest.schedule.timezone);
    expect(JSON.parse(props.Target.Input)).toEqual({ time: '<aws.scheduler.scheduled-time>' });
    expect(props.FlexibleTimeWindow).toEqual(
      manifest.schedule.flexibleWindowSeconds ? { Mode: 'FLEXIBLE', MaximumWindowInMinutes: Math.ceil(manifest.schedule.flexibleWindowSeconds / 60) } : { Mode: 'OFF' },
    );
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TIMEZONE: manifest.schedule.timezone ?? 'UTC' }) } });
  });

  it('starts runs from its event triggers through the start handler, with the date from the event or its time', () => {
    const triggers = manifest.triggers.filter((t) => t.type === 'event');
    const rules = Object.entries(resources(template, 'AWS::Events::Rule')).filter(([id]) => id.startsWith('TriggersEventTrigger'));
    expect(rules).toHaveLength(triggers.length);
    triggers.forEach((trigger, i) => {
      const props = rules[i][1].Properties!;
      expect(props.EventPattern).toEqual(trigger.pattern);
      const timedStart = stack.node.findChild('Triggers').node.findChild('TimedStart') as unknown as { function: object };
      expect(props.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack, timedStart.function), 'Arn'] });
      const transformer = props.Targets[0].InputTransformer;
      const paths = Object.values(trigger.params).filter((v) => typeof v === 'string' && v.startsWith('$.'));
      expect(Object.values(transformer.InputPathsMap).sort()).toEqual([...paths, ...('date' in trigger.params ? [] : ['$.time'])].sort());
      expect(transformer.InputTemplate).toMatch('date' in trigger.params ? /^\{"date":/ : /^\{"time":<time>/);
      for (const [key, value] of Object.entries(trigger.params)) {
        if (typeof value === 'string' && !value.startsWith('$.')) expect(transformer.InputTemplate).toContain(`"${key}":${JSON.stringify(value)}`);
      }
    });
  });

  it('alerts on FAILED, TIMED_OUT and ABORTED runs through the notify handler', () => {
    // Not the pools' rule (infra/pools.ts): it hears RUNNING too, for redrives, and targets the router.
    const rules = rulesFrom(template, 'aws.states').filter((r) => !(r.Properties!.EventPattern.detail.status as string[]).includes('RUNNING'));
    if (!manifest.alerts.snsTopic && !manifest.alerts.slackWebhookSecret) {
      expect(rules).toEqual([]);
      return;
    }
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties!.EventPattern.detail.status).toEqual(ALERT_STATUSES);
    expect(flat(rules[0].Properties!.EventPattern.detail.stateMachineArn[0])).toBe(`<${logicalId(stack, stack.stateMachine)}>`);
    const notify = stack.alerts!.notify;
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack, notify.function)];
    expect(fn.Properties!.Environment.Variables).toMatchObject({
      WORKFLOW: manifest.workflow,
      ...(manifest.alerts.snsTopic && { SNS_TOPIC_ARN: manifest.alerts.snsTopic }),
      ...(manifest.alerts.slackWebhookSecret && { SLACK_WEBHOOK_SECRET: manifest.alerts.slackWebhookSecret }),
    });
    const policy = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('AlertsNotifyAccess'))![1];
    const pairs = allowed(policy.Properties!.PolicyDocument);
    if (manifest.alerts.snsTopic) expect(pairs).toContain(`sns:Publish ${manifest.alerts.snsTopic}`);
    expect(pairs).toContain(`states:GetExecutionHistory arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${manifest.workflow}:*`);
  });

  it('has the activation handler exactly when a callback job (data_pipeline, sagemaker_pipeline) exists', () => {
    const functions = Object.values(resources(template, 'AWS::Lambda::Function'));
    const callbacks = manifest.jobs.filter((j) => j.kind === 'data_pipeline' || j.kind === 'sagemaker_pipeline');
    expect(manifest.activated).toEqual(callbacks.map((j) => j.name));
    expect(stack.activator !== undefined).toBe(callbacks.length > 0);
    expect(functions.filter((f) => /starts the work of callback jobs/.test(f.Properties!.Description))).toHaveLength(callbacks.length > 0 ? 1 : 0);
  });

  it("lets the activator clear its pipelines' markers, register their waits and release them", () => {
    if (!stack.activator) return;
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack, stack.activator.function)];
    expect(fn.Properties!.Environment.Variables).toEqual({ WAITER_TABLE: { Ref: logicalId(stack, stack.router!.waiters.table) } });
    const pipelines = manifest.jobs.filter((j) => j.kind === 'data_pipeline');
    const keys = pipelines.map((j) => `arn:<AWS::Partition>:s3:::${bucketRef}/${manifest.markers.prefix}${j.name}__*.done`);
    expect(policyPairs(template, 'ActivatorAccess')).toEqual(
      new Set([
        ...(pipelines.length > 0 ? ['datapipeline:ListPipelines *', 'datapipeline:ActivatePipeline *', `s3:ListBucket arn:<AWS::Partition>:s3:::${bucketRef}`] : []),
        ...REGISTER_TABLE_ACTIONS.map((a) => `${a} ${tableRef()}`),
        ...keys.flatMap((k) => [`s3:DeleteObject ${k}`, `s3:GetObject ${k}`]),
        ...machineNames.map((n) => `states:SendTaskSuccess ${machineArn(n)}`),
        ...(failures ? machineNames.map((n) => `states:SendTaskFailure ${machineArn(n)}`) : []),
        // Other callback kinds' own (the SageMaker pipeline's start and describe), asserted exactly per kind.
        ...activatorKindPairs,
      ]),
    );
  });

  it('runs every handler on Node 22 with its own log group and no AWS managed policy', () => {
    // (A workflow that waits for nothing and runs no callback kind has no function at all; the
    // examples together have many, see below.)
    const functions = Object.values(resources(template, 'AWS::Lambda::Function'));
    for (const f of functions) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } } });
    }
    for (const role of Object.values(resources(template, 'AWS::IAM::Role'))) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

it('has handler functions in most example stacks, so the per-stack function checks check something', () => {
  const withFunctions = stacks.filter((s) => Object.keys(resources(s.template, 'AWS::Lambda::Function')).length > 0);
  expect(withFunctions.length).toBeGreaterThan(stacks.length / 2);
});

it('gives every workflow its own stack named stepgraph-<name>', () => {
  expect(stacks.map((s) => s.stack.stackName)).toEqual(stacks.map((s) => `stepgraph-${s.compiled.workflow.name}`));
  expect(stacks.length).toBeGreaterThanOrEqual(3);
});
