// Deadline watch (handlers/deadline-watch.ts): the function the run's `Deadline watch` and
// `Deadline watch ends` states invoke, the workflow's schedule group that holds one one-time
// schedule per watched run, and the role EventBridge Scheduler assumes to invoke the function
// at each checkpoint. Least privilege: the function may create and delete schedules in this
// group only, pass exactly the Scheduler role and only to Scheduler, read this workflow's
// executions (and list its main machine's, to learn durations from past runs), and publish to
// the workflow's alert destinations; the role may invoke this function only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack, Stage } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { DeadlinePlan } from '../generator/contract/deadlines.ts';
import { deadlineGroupName } from '../generator/contract/deadline-watch.ts';
import { anyPartMachine } from '../generator/contract/run-names.ts';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { regionalArn, secretArn } from './arns.ts';
import { HandlerFunction } from './handler-function.ts';

export interface DeadlineWatchProps {
  manifest: Manifest;
  plan: DeadlinePlan;
}

export class DeadlineWatch extends Construct {
  readonly handler: HandlerFunction;
  readonly schedulerRole: Role;
  readonly group: CfnScheduleGroup;

  constructor(scope: Construct, id: string, { manifest, plan }: DeadlineWatchProps) {
    super(scope, id);
    const groupName = deadlineGroupName(manifest.workflow);
    const { snsTopic, slackWebhookSecret } = manifest.alerts;
    // Deleting the stack deletes the group and with it any schedule a run left.
    this.group = new CfnScheduleGroup(this, 'Group', { name: groupName });
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      // The confused-deputy guard AWS recommends for Scheduler's execution role: only this account's schedules.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `stepgraph ${manifest.workflow}: EventBridge Scheduler wakes the deadline watch at each checkpoint`,
    });
    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'deadline-watch.ts',
      description: `stepgraph ${manifest.workflow}: deadline watch (alerts before and when a deadline is missed)`,
      // A history of a few thousand events is a few pages; the alert is one call each.
      timeout: Duration.seconds(60),
      environment: {
        WORKFLOW: manifest.workflow,
        SCHEDULE_GROUP: groupName,
        SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
        ...(snsTopic && { SNS_TOPIC_ARN: snsTopic }),
        ...(slackWebhookSecret && { SLACK_WEBHOOK_SECRET: slackWebhookSecret }),
      },
      inject: [planModule(this, manifest.stackName, plan)],
      grants: [
        {
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
          resources: [regionalArn('scheduler', `schedule/${groupName}/*`)],
          wildcardReason: "A run's schedule is named after its execution, known at run time; the grant stops at this workflow's schedule group.",
        },
        { actions: ['iam:PassRole'], resources: [this.schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } },
        {
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          // A split graph's jobs run in its child machines (<workflow>-part-<n>): their histories say how far the run is.
          resources: [
            regionalArn('states', `execution:${manifest.workflow}:*`),
            ...(manifest.stateMachines.length > 1 ? [regionalArn('states', `execution:${anyPartMachine(manifest.workflow)}:*`)] : []),
          ],
          wildcardReason: "Executions are named at run time; the grant covers only this workflow's state machines (a split graph's children are <workflow>-part-<n>).",
        },
        // Arming a run learns the jobs' durations from the workflow's last successful runs: it lists
        // the main machine's executions (their histories, and their parts', are granted above).
        { actions: ['states:ListExecutions'], resources: [regionalArn('states', `stateMachine:${manifest.stateMachines[0].name}`)] },
        ...(snsTopic ? [{ actions: ['sns:Publish'], resources: [snsTopic] }] : []),
        ...(slackWebhookSecret ? [{ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn(slackWebhookSecret)] }] : []),
      ],
    });
    this.schedulerRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handler.function.functionArn] }));
  }
}

/**
 * The deadline plan as a module for esbuild to inject (handlers/deadline-watch.ts reads
 * STEPGRAPH_DEADLINE_PLAN): a plan of many jobs would not fit Lambda's 4 KB of environment.
 */
function planModule(scope: Construct, stackName: string, plan: DeadlinePlan): string {
  const dir = join(Stage.of(scope)!.outdir, '.stepgraph');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${stackName}-deadline-plan.mjs`);
  writeFileSync(file, `export const STEPGRAPH_DEADLINE_PLAN = ${JSON.stringify(plan)};\n`);
  return file;
}
