// The stack for workflows unlike the examples (see variants.ts), and one stack with its handlers
// really bundled by esbuild.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { allowed, exampleWorkflows, flat, logicalId, machineArn, policyPairs, resources, rulesFrom, synth, grantCovers, uncovered } from './support.ts';
import { aslAccess } from './asl-access.ts';
import { splitWorkflow, variants } from './variants.ts';
import { INLINE_LIMIT } from '../../infra/workflow-stack.ts';

const v = variants();

describe('a workflow started by a schedule and by events, alerting to Slack only', () => {
  const { stack, template } = synth(v.events);
  const functions = resources(template, 'AWS::Lambda::Function');
  const timedStart = logicalId(stack, stack.node.findChild('Triggers').node.findChild('TimedStart').node.findChild('Function'));

  it('sends a date-less event to the timed-start handler with the event time and the params', () => {
    const rule = resources(template, 'AWS::Events::Rule');
    const first = Object.entries(rule).find(([id]) => id.startsWith('TriggersEventTrigger1'))![1].Properties!;
    expect(first.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [timedStart, 'Arn'] });
    expect(first.Targets[0].InputTransformer).toEqual({
      InputPathsMap: { time: '$.time', 'detail-batch': '$.detail.batch' },
      InputTemplate: '{"time":<time>,"params":{"batch":<detail-batch>,"mode":"full"}}',
    });
  });

  it('sends an event that names the date to the start handler too, never to the state machine (whose runs EventBridge would name at random)', () => {
    const rule = resources(template, 'AWS::Events::Rule');
    const second = Object.entries(rule).find(([id]) => id.startsWith('TriggersEventTrigger2'))![1].Properties!;
    expect(second.Targets).toHaveLength(1);
    expect(second.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [timedStart, 'Arn'] });
    expect(second.Targets[0].RoleArn).toBeUndefined();
    expect(second.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 });
    expect(second.Targets[0].InputTransformer).toEqual({ InputPathsMap: { 'detail-date': '$.detail.date' }, InputTemplate: '{"date":<detail-date>}' });
    const targets = Object.values(rule).flatMap((r) => r.Properties!.Targets as { Arn: unknown }[]);
    expect(targets.filter((t) => JSON.stringify(t.Arn).includes(logicalId(stack, stack.stateMachine)))).toEqual([]);
  });

  it('lets the start handler start only the main state machine, as before', () => {
    const start = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('TriggersTimedStartAccess'))![1];
    expect([...allowed(start.Properties!.PolicyDocument)]).toEqual([`states:StartExecution <${logicalId(stack, stack.stateMachine)}>`]);
  });

  it('schedules with a flexible window in UTC, the scheduler allowed to invoke only the timed-start handler', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: Match.absent(),
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
    });
    expect(functions[timedStart].Properties!.Environment.Variables).toMatchObject({ PARTITION: 'hourly', TIMEZONE: 'UTC' });
    const schedulerPolicy = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('TriggersSchedulerRoleDefaultPolicy'))![1];
    expect([...allowed(schedulerPolicy.Properties!.PolicyDocument)]).toEqual([`lambda:InvokeFunction <${timedStart}.Arn>`]);
  });

  it('grants an integration it cannot scope on "*", acknowledged and reported as a synth warning', () => {
    const access = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('StateMachineAccess'))![1];
    expect(allowed(access.Properties!.PolicyDocument)).toContain('glue:StartCrawler *');
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("job 'crawl'.*grants glue:StartCrawler on '\\*'"));
  });

  it('reads the Slack webhook secret by name, allowing only its random suffix', () => {
    const notify = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('AlertsNotifyAccess'))![1];
    expect(allowed(notify.Properties!.PolicyDocument)).toContain(
      'secretsmanager:GetSecretValue arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:data/slack-webhook-??????',
    );
    const fn = Object.values(functions).find((f) => f.Properties!.Environment?.Variables?.SLACK_WEBHOOK_SECRET)!;
    expect(fn.Properties!.Environment.Variables.SNS_TOPIC_ARN).toBeUndefined();
  });
});

describe('a workflow with two on_markers triggers, an external marker elsewhere and no alerts', () => {
  const { stack, template } = synth(v.quiet);
  const bucket = `<${logicalId(stack, stack.markers.bucket)}>`;
  const router = () => stack.router!.handler.function;

  it('gives the one router every trigger, the main machine by name (its ARN would be a cycle) and its table', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MARKER_TRIGGERS: '[["raw","events"],["backfill"]]',
          MARKER_BUCKET: { Ref: logicalId(stack, stack.markers.bucket) },
          WAITER_TABLE: { Ref: logicalId(stack, stack.router!.waiters.table) },
        }),
      },
    });
    const env = resources(template, 'AWS::Lambda::Function')[logicalId(stack, router())].Properties!.Environment.Variables;
    expect(flat(env.STATE_MACHINE_ARN)).toBe(machineArn('quiet'));
    expect(Object.values(resources(template, 'AWS::Lambda::Function')).filter((f) => /releases waits/.test(f.Properties!.Description))).toHaveLength(1);
  });

  it('lets the router read exactly the trigger markers and the external one, each bucket listable', () => {
    const pairs = [...policyPairs(template, 'RouterFunctionAccess')].filter((p) => p.startsWith('s3:'));
    expect(new Set(pairs)).toEqual(
      new Set([
        ...['backfill', 'events', 'raw'].map((m) => `s3:GetObject arn:<AWS::Partition>:s3:::${bucket}/done/${m}__*.done`),
        's3:GetObject arn:<AWS::Partition>:s3:::partner-drop/ready/exports__*.done',
        `s3:ListBucket arn:<AWS::Partition>:s3:::${bucket}`,
        's3:ListBucket arn:<AWS::Partition>:s3:::partner-drop',
      ]),
    );
    expect(policyPairs(template, 'RouterFunctionAccess')).toContain(`states:StartExecution ${machineArn('quiet')}`);
  });

  it("hears of the external marker in its producer's bucket and of the trigger markers in its own, one rule per bucket", () => {
    const rules = rulesFrom(template, 'aws.s3').map((r) => r.Properties!.EventPattern.detail);
    expect(rules.map((d) => ({ bucket: flat(d.bucket.name[0]), keys: d.object.key }))).toEqual(
      expect.arrayContaining([
        { bucket, keys: [{ prefix: 'done/backfill__' }, { prefix: 'done/events__' }, { prefix: 'done/raw__' }] },
        { bucket: 'partner-drop', keys: [{ prefix: 'ready/exports__' }] },
      ]),
    );
    expect(rules).toHaveLength(2);
  });

  it('no longer reads the external marker from the state machine', () => {
    const pairs = [...policyPairs(template, 'StateMachineAccess')];
    expect(pairs.filter((p) => p.includes('partner-drop'))).toEqual([]);
    expect(pairs).toContain(`lambda:InvokeFunction <${logicalId(stack, router())}.Arn>`);
  });

  it('has no alert rule and no notify handler', () => {
    expect(stack.alerts).toBeUndefined();
    expect(rulesFrom(template, 'aws.states')).toEqual([]);
  });

  it("warns that the producer's existing bucket must send its events to EventBridge, not the bucket it creates", () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('to EventBridge')).map((w) => String(w.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^waits for its markers need S3 to send the events of bucket 'partner-drop' to EventBridge.*released by the backstop, up to 5 minutes late/)]);
    const named = synth(exampleWorkflows().find((c) => c.manifest.markers.bucket && c.manifest.triggers.some((t) => t.type === 'on_markers'))!);
    Annotations.fromStack(named.stack).hasWarning('*', Match.stringLikeRegexp("^on_markers triggers and waits for its markers need S3 to send the events of bucket 'acme-job-markers' to EventBridge.*on_markers triggers never start a run"));
  });
});

describe('bundling with the local esbuild', () => {
  it('bundles the notify handler with the job graph compiled in', () => {
    // GIVEN a stack synthesized with real bundling
    const compiled = exampleWorkflows().find((c) => c.manifest.workflow === 'player-analytics')!;
    const { stack, template } = synth(compiled, { bundle: true });
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack, stack.alerts!.notify.function)];
    const assetDir = join((stack.node.root as App).outdir, `asset.${String(fn.Properties!.Code.S3Key).replace(/\.zip$/, '')}`);

    // THEN the bundle holds the job graph in place of the global the handler reads
    const bundle = readFileSync(join(assetDir, 'index.js'), 'utf8');
    expect(bundle).not.toContain('typeof STEPGRAPH_JOB_GRAPH');
    expect(bundle).toContain('{name:"bi_import",needs:["daily_kpis","revenue"]}');
    // and the AWS SDK is left to the Node 22 runtime, which ships it
    expect(bundle).toContain('require("@aws-sdk/client-sns")');
    expect(bundle.length).toBeLessThan(50_000);
    expect(flat(fn.Properties!.Code.S3Bucket)).toContain('cdk-hnb659fds-assets');
  });
});

describe('a graph split into child state machines', () => {
  const compiled = splitWorkflow();
  const { stack, template } = synth(compiled);
  const children = compiled.definitions.filter((d) => d.id !== 'main');

  it('creates one machine per definition and gives the main one the children ARNs', () => {
    expect(children.length).toBeGreaterThan(0);
    const machines = resources(template, 'AWS::StepFunctions::StateMachine');
    expect(Object.values(machines).map((m) => m.Properties!.StateMachineName).sort()).toEqual(compiled.definitions.map((d) => d.name).sort());
    const main = machines[logicalId(stack, stack.stateMachine)].Properties!;
    children.forEach((child, i) => {
      const n = child.id.replace('part-', '');
      expect(main.DefinitionSubstitutions[`Part${n}Arn`]).toEqual({ Ref: logicalId(stack, stack.stateMachines[i + 1]) });
    });
    // One log group for the workflow, all its machines logging to it.
    const groups = Object.entries(resources(template, 'AWS::Logs::LogGroup')).filter(([, g]) => String(g.Properties?.LogGroupName ?? '').startsWith('/aws/vendedlogs/states/'));
    expect(groups.map(([, g]) => g.Properties!.LogGroupName)).toEqual(['/aws/vendedlogs/states/stepgraph-big']);
    for (const m of Object.values(machines)) expect(JSON.stringify(m.Properties!.LoggingConfiguration)).toContain(groups[0][0]);
  });

  it('keeps definitions past the inline limit out of the template, as S3 assets with their substitutions', () => {
    const machines = Object.values(resources(template, 'AWS::StepFunctions::StateMachine')).map((m) => m.Properties!);
    const big = compiled.definitions.filter((d) => d.deployed.length > INLINE_LIMIT);
    expect(big.length).toBeGreaterThan(0);
    for (const d of compiled.definitions) {
      const props = machines.find((m) => m.StateMachineName === d.name)!;
      if (d.deployed.length > INLINE_LIMIT) {
        expect(props.DefinitionString).toBeUndefined();
        expect(props.DefinitionS3Location).toMatchObject({ Bucket: expect.anything(), Key: expect.stringMatching(/\.json$/) });
      } else {
        expect(props.DefinitionS3Location).toBeUndefined();
      }
    }
    expect(JSON.stringify(template.toJSON()).length).toBeLessThan(1_000_000);
  });

  it('grants exactly what the definitions use, and watching the child executions', () => {
    const parts = Object.fromEntries(children.map((c) => [`Part${c.id.replace('part-', '')}Arn`, c.name]));
    const used = aslAccess(compiled.definitions, { bucket: `<${logicalId(stack, stack.markers.bucket)}>`, parts, router: `<${logicalId(stack, stack.router!.handler.function)}.Arn>` });
    const access = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('StateMachineAccess'))![1];
    const pairs = allowed(access.Properties!.PolicyDocument);
    expect(uncovered([...pairs].filter((p) => /^(s3:|lambda:InvokeFunction|states:StartExecution)/.test(p)), used)).toEqual({ missing: [], unused: [] });
    const stop = [...pairs].filter((p) => p.startsWith('states:StopExecution'));
    for (const child of children) expect(stop.some((p) => grantCovers(p, `states:StopExecution arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${child.name}:x`))).toBe(true);
    expect(stop).toEqual(['states:StopExecution arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:big-part-*:*']);
  });

  it('gives every machine the router ARN it uses, and lets the router release the waits of each machine (by name) and no other', () => {
    const machines = resources(template, 'AWS::StepFunctions::StateMachine');
    const router = logicalId(stack, stack.router!.handler.function);
    for (const [i, d] of compiled.definitions.entries()) {
      const subs = machines[logicalId(stack, stack.stateMachines[i])].Properties!.DefinitionSubstitutions ?? {};
      expect(subs.RouterFunctionArn === undefined).toBe(!d.deployed.includes('${RouterFunctionArn}'));
      if (subs.RouterFunctionArn) expect(subs.RouterFunctionArn).toEqual({ 'Fn::GetAtt': [router, 'Arn'] });
    }
    const release = [...policyPairs(template, 'RouterFunctionAccess')].filter((p) => p.startsWith('states:'));
    expect(release.sort()).toEqual(compiled.definitions.map((d) => `states:SendTaskSuccess ${machineArn(d.name)}`).sort());
  });

  it('lets the notify handler read the history of the child executions too', () => {
    const notify = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('AlertsNotifyAccess'))![1];
    const pairs = allowed(notify.Properties!.PolicyDocument);
    const history = [...pairs].filter((p) => p.startsWith('states:GetExecutionHistory'));
    for (const d of compiled.definitions) expect(history.some((p) => grantCovers(p, `states:GetExecutionHistory arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${d.name}:x`))).toBe(true);
    expect(history).toHaveLength(2);
  });
});
