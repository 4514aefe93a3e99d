// How runs start: `on_markers` (S3 events through the marker router), `schedule` (EventBridge
// Scheduler) and `event` triggers (an EventBridge rule per trigger).
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import { EventField, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import type { Trigger } from '../generator/model.ts';
import { bucketArn, objectArn } from './arns.ts';
import { eventPattern, wildcardLiteral } from './event-pattern.ts';
import { HandlerFunction } from './handler-function.ts';

type EventTrigger = Extract<Trigger, { type: 'event' }>;

export interface TriggersProps {
  manifest: Manifest;
  stateMachine: IStateMachine;
  bucket: IBucket;
  /** The workflow names its bucket (not created by the stack). */
  existingBucket: boolean;
}

export class Triggers extends Construct {
  private timedStart?: HandlerFunction;

  constructor(scope: Construct, id: string, private readonly props: TriggersProps) {
    super(scope, id);
    const { manifest } = props;
    const markerSets = manifest.triggers.flatMap((t) => (t.type === 'on_markers' ? [t.markers] : []));
    if (markerSets.length > 0) this.markerTrigger(markerSets);
    if (manifest.schedule) this.schedule(manifest.schedule);
    manifest.triggers.forEach((t, i) => {
      if (t.type === 'event') this.eventTrigger(t, i + 1);
    });
  }

  private markerTrigger(markerSets: string[][]): void {
    const { manifest, bucket, stateMachine } = this.props;
    const prefix = manifest.markers.prefix;
    const markers = [...new Set(markerSets.flat())].sort();
    const router = new HandlerFunction(this, 'MarkerRouter', {
      entry: 'marker-router.ts',
      description: `stepgraph ${manifest.workflow}: starts a run when all on_markers of a date exist`,
      environment: {
        WORKFLOW: manifest.workflow,
        STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        MARKER_BUCKET: bucket.bucketName,
        MARKER_PREFIX: prefix,
        PARTITION: manifest.partition,
        MARKER_TRIGGERS: JSON.stringify(markerSets),
      },
      grants: [
        {
          actions: ['s3:GetObject'],
          resources: markers.map((m) => objectArn(bucket.bucketName, `${prefix}${m}__*.done`)),
          wildcardReason: 'The router checks the on_markers keys of any date; the wildcard stands for the datekey of the named markers only.',
        },
        // Without ListBucket, S3 answers 403 instead of 404 for a marker that does not exist yet.
        { actions: ['s3:ListBucket'], resources: [bucketArn(bucket.bucketName)] },
        { actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] },
      ],
    });
    new Rule(this, 'MarkerRule', {
      description: `stepgraph ${manifest.workflow}: .done markers of its on_markers triggers`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [bucket.bucketName] },
          object: { key: markers.flatMap((m) => Match.wildcard(`${wildcardLiteral(prefix)}${m}__*.done`)) },
        },
      },
      targets: [new LambdaFunction(router.function, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
    if (this.props.existingBucket) {
      Annotations.of(Stack.of(this)).addWarningV2(
        'stepgraph:bucket-eventbridge',
        `on_markers needs S3 to send the events of bucket '${manifest.markers.bucket}' to EventBridge; if it does not yet, turn it on once with ` +
          `'aws s3api put-bucket-notification-configuration --bucket ${manifest.markers.bucket} --notification-configuration "{\\"EventBridgeConfiguration\\": {}}"' ` +
          '(this call replaces the notification configuration: merge in what the bucket already has)',
      );
    }
  }

  private schedule(schedule: NonNullable<Manifest['schedule']>): void {
    const fn = this.timedStartFunction();
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `stepgraph ${this.props.manifest.workflow}: lets EventBridge Scheduler invoke the timed-start function`,
    });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.function.functionArn] }));
    const window = schedule.flexibleWindowSeconds;
    new CfnSchedule(this, 'Schedule', {
      description: `stepgraph ${this.props.manifest.workflow}: ${schedule.expression}${schedule.timezone ? ` ${schedule.timezone}` : ''}`,
      scheduleExpression: schedule.expression,
      ...(schedule.timezone && { scheduleExpressionTimezone: schedule.timezone }),
      flexibleTimeWindow: window ? { mode: 'FLEXIBLE', maximumWindowInMinutes: Math.max(1, Math.ceil(window / 60)) } : { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fn.function.functionArn,
        roleArn: role.roleArn,
        // Scheduler fills in the time the run was scheduled for (not when it was delivered,
        // which a flexible window or a retry moves); the handler turns it into the run date
        // on the schedule's wall clock (see handlers/timed-start.ts).
        input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: { maximumEventAgeInSeconds: 6 * 3600, maximumRetryAttempts: 20 },
      },
    });
  }

  private eventTrigger(trigger: EventTrigger, n: number): void {
    const { manifest, stateMachine } = this.props;
    const { date, ...rest } = trigger.params;
    const params = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fromEvent(v)]));
    const hasParams = Object.keys(params).length > 0;
    const description = `stepgraph ${manifest.workflow}: event trigger ${n}`;
    // With a date in its params the event names its run: the rule starts the state machine
    // itself, the input transformer building {date, params}. Without one, the run date comes
    // from the event's time, which takes the timezone-aware handler.
    const target =
      date !== undefined
        ? new SfnStateMachine(stateMachine, { input: RuleTargetInput.fromObject({ date: fromEvent(date), ...(hasParams && { params }) }), retryAttempts: 8, maxEventAge: Duration.hours(6) })
        : new LambdaFunction(this.timedStartFunction().function, {
            event: RuleTargetInput.fromObject({ time: EventField.time, ...(hasParams && { params }) }),
            retryAttempts: 8,
            maxEventAge: Duration.hours(6),
          });
    new Rule(this, `EventTrigger${n}`, { description, eventPattern: eventPattern(trigger.pattern), targets: [target] });
  }

  private timedStartFunction(): HandlerFunction {
    const { manifest, stateMachine } = this.props;
    this.timedStart ??= new HandlerFunction(this, 'TimedStart', {
      entry: 'timed-start.ts',
      description: `stepgraph ${manifest.workflow}: starts the run of a scheduled time or a date-less event`,
      environment: {
        WORKFLOW: manifest.workflow,
        STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        PARTITION: manifest.partition,
        TIMEZONE: manifest.schedule?.timezone ?? 'UTC',
      },
      grants: [{ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }],
    });
    return this.timedStart;
  }
}

/** A param value: `$.detail.x` is read from the event, anything else is passed as written. */
const fromEvent = (value: unknown): unknown => (typeof value === 'string' && value.startsWith('$.') ? EventField.fromPath(value) : value);
