// CDK assertions, resource by resource, for every workflow in workflows/.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ALERT_STATUSES } from '../../infra/alerts.ts';
import { aslAccess } from './asl-access.ts';
import { allowed, exampleWorkflows, flat, logicalId, resources, synth, type Synthesized, uncovered } from './support.ts';

const stacks: Synthesized[] = exampleWorkflows().map((c) => synth(c));

describe.each(stacks.map((s) => [s.compiled.manifest.stackName, s] as const))('%s', (_, { compiled, stack, template }) => {
  const { manifest, definitions } = compiled;
  const bucketRef = manifest.markers.bucket ?? `<${logicalId(stack, stack.markers.bucket)}>`;
  const accessPolicy = () => {
    const [policy] = Object.entries(resources(template, 'AWS::IAM::Policy')).filter(([id]) => id.startsWith('StateMachineAccess'));
    return policy[1].Properties!.PolicyDocument;
  };

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
  });

  it("grants the S3 keys, functions and child machines its definition's Tasks use", () => {
    // GIVEN what the ASL itself touches
    const activator = stack.activator ? `<${logicalId(stack, stack.activator.function)}.Arn>` : undefined;
    const used = aslAccess(definitions, { bucket: bucketRef, activator });
    // THEN the policy allows those pairs, and each of its grants of these actions serves one of them
    const granted = [...allowed(accessPolicy())].filter((p) => /^(s3:|lambda:InvokeFunction|states:StartExecution)/.test(p));
    expect(uncovered(granted, used)).toEqual({ missing: [], unused: [] });
  });

  it('lets .sync child executions be watched and stopped, and nothing is granted on "*"', () => {
    const pairs = [...allowed(accessPolicy())];
    for (const arn of manifest.stateMachineArns) {
      const executions = `${arn.replace(':stateMachine:', ':execution:')}:*`;
      expect(pairs).toContain(`states:DescribeExecution ${executions}`);
      expect(pairs).toContain(`states:StopExecution ${executions}`);
      expect(pairs).toContain('events:PutRule arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
    }
    expect(pairs.filter((p) => p.endsWith(' *'))).toEqual([]);
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

  it('routes the .done events of its on_markers to the marker router', () => {
    const sets = manifest.triggers.flatMap((t) => (t.type === 'on_markers' ? [t.markers] : []));
    const rules = Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.EventPattern.source?.[0] === 'aws.s3');
    if (sets.length === 0) {
      expect(rules).toEqual([]);
      return;
    }
    const markers = [...new Set(sets.flat())].sort();
    expect(rules).toHaveLength(1);
    const pattern = rules[0].Properties!.EventPattern;
    expect(pattern['detail-type']).toEqual(['Object Created']);
    expect(flat(pattern.detail.bucket.name[0])).toBe(bucketRef);
    expect(pattern.detail.object.key).toEqual(markers.map((m) => ({ wildcard: `${manifest.markers.prefix}${m}__*.done` })));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ WORKFLOW: manifest.workflow, MARKER_PREFIX: manifest.markers.prefix, PARTITION: manifest.partition, MARKER_TRIGGERS: JSON.stringify(sets) }),
      },
    });
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

  it('starts runs from its event triggers through an input transformer', () => {
    const triggers = manifest.triggers.filter((t) => t.type === 'event');
    const rules = Object.entries(resources(template, 'AWS::Events::Rule')).filter(([id]) => id.startsWith('TriggersEventTrigger'));
    expect(rules).toHaveLength(triggers.length);
    triggers.forEach((trigger, i) => {
      const props = rules[i][1].Properties!;
      expect(props.EventPattern).toEqual(trigger.pattern);
      const transformer = props.Targets[0].InputTransformer;
      const paths = Object.values(trigger.params).filter((v) => typeof v === 'string' && v.startsWith('$.'));
      expect(Object.values(transformer.InputPathsMap).sort()).toEqual([...paths, ...('date' in trigger.params ? [] : ['$.time'])].sort());
      for (const [key, value] of Object.entries(trigger.params)) {
        if (typeof value === 'string' && !value.startsWith('$.')) expect(transformer.InputTemplate).toContain(`"${key}":${JSON.stringify(value)}`);
      }
    });
  });

  it('alerts on FAILED, TIMED_OUT and ABORTED runs through the notify handler', () => {
    const rules = Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.EventPattern.source?.[0] === 'aws.states');
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

  it('has the activation handler exactly when a data_pipeline job exists', () => {
    const functions = Object.values(resources(template, 'AWS::Lambda::Function'));
    expect(stack.activator !== undefined).toBe(manifest.dataPipelines.length > 0);
    expect(functions.filter((f) => /activates data pipelines/.test(f.Properties!.Description))).toHaveLength(manifest.dataPipelines.length > 0 ? 1 : 0);
  });

  it('runs every handler on Node 22 with its own log group and no AWS managed policy', () => {
    const functions = Object.values(resources(template, 'AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const f of functions) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } } });
    }
    for (const role of Object.values(resources(template, 'AWS::IAM::Role'))) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

it('gives every workflow its own stack named stepgraph-<name>', () => {
  expect(stacks.map((s) => s.stack.stackName)).toEqual(stacks.map((s) => `stepgraph-${s.compiled.workflow.name}`));
  expect(stacks.length).toBeGreaterThanOrEqual(3);
});
