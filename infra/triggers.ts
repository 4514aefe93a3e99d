// How runs start: `schedule` (EventBridge Scheduler) and `event` triggers (an EventBridge rule
// per trigger), both through the start handler, which names the run `<workflow>-<date>` after
// checking the date. `on_markers` runs are started by the router (infra/router.ts).
import { Duration, Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import type { Trigger } from '../generator/model.ts';
import { eventPattern } from './event-pattern.ts';
import { HandlerFunction } from './handler-function.ts';
import { scheduleCatchUp } from './schedule-catch-up.ts';
import { scheduleControl } from './schedule-control.ts';
import { scheduleName } from '../generator/contract/schedule-names.ts';

type EventTrigger = Extract<Trigger, { type: 'event' }>;

export interface TriggersProps {
  manifest: Manifest;
  stateMachine: IStateMachine;
}

export class Triggers extends Construct {
  private timedStart?: HandlerFunction;

  constructor(scope: Construct, id: string, private readonly props: TriggersProps) {
    super(scope, id);
    const { manifest } = props;
    if (manifest.schedule) this.schedule(manifest.schedule);
    manifest.triggers.forEach((t, i) => {
      if (t.type === 'event') this.eventTrigger(t, i + 1);
    });
  }

  private schedule(schedule: NonNullable<Manifest['schedule']>): void {
    const fn = this.timedStartFunction();
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `stepgraph ${this.props.manifest.workflow}: lets EventBridge Scheduler invoke the timed-start function`,
    });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.function.functionArn] }));
    const window = schedule.flexibleWindowSeconds;
    // Named, so that `stepgraph schedule` and the start handler find it.
    new CfnSchedule(this, 'Schedule', {
      name: scheduleName(this.props.manifest.workflow),
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
        input: JSON.stringify({
          time: '<aws.scheduler.scheduled-time>',
          ...(schedule.overlap && schedule.overlap !== 'allow' && { overlap: schedule.overlap }),
          // Lets `stepgraph schedule pause` record its instant here (contract/pause-record.ts).
          ...(schedule.catchUp === true && { catchUp: true }),
        }),
        retryPolicy: { maximumEventAgeInSeconds: 6 * 3600, maximumRetryAttempts: 20 },
      },
    });
    scheduleControl(this, schedule, this.props.manifest.workflow, fn, this.props.stateMachine);
    scheduleCatchUp(schedule, this.props.manifest.workflow, fn, this.props.stateMachine, role);
  }

  private eventTrigger(trigger: EventTrigger, n: number): void {
    const { manifest } = this.props;
    const { date, ...rest } = trigger.params;
    const params = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fromEvent(v)]));
    const hasParams = Object.keys(params).length > 0;
    // Never the state machine itself: EventBridge would name the run at random, so a duplicate
    // delivery would start a second one, and nothing would check the date. The start handler
    // takes the date from the params (from the event or static) or, without one, the event's time.
    const input = date !== undefined ? { date: fromEvent(date) } : { time: EventField.time };
    new Rule(this, `EventTrigger${n}`, {
      description: `stepgraph ${manifest.workflow}: event trigger ${n}`,
      eventPattern: eventPattern(trigger.pattern),
      targets: [
        new LambdaFunction(this.timedStartFunction().function, {
          event: RuleTargetInput.fromObject({ ...input, ...(hasParams && { params }) }),
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }

  private timedStartFunction(): HandlerFunction {
    const { manifest, stateMachine } = this.props;
    this.timedStart ??= new HandlerFunction(this, 'TimedStart', {
      entry: 'timed-start.ts',
      description: `stepgraph ${manifest.workflow}: starts the run of a scheduled time or an event, named after its date`,
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
