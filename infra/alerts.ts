// Alerts: a rule on the workflow's state machine ending FAILED, TIMED_OUT or ABORTED, and the
// notify handler that tells the SNS topic (and Slack, if configured) what broke and how to replay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stage } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { regionalArn, secretArn } from './arns.ts';
import type { Grant } from './grants.ts';
import { HandlerFunction } from './handler-function.ts';
import { anyPartMachine } from '../generator/contract/run-names.ts';

export interface AlertsProps {
  manifest: Manifest;
  stateMachine: IStateMachine;
}

export const ALERT_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];

export class Alerts extends Construct {
  readonly notify: HandlerFunction;

  constructor(scope: Construct, id: string, { manifest, stateMachine }: AlertsProps) {
    super(scope, id);
    const { snsTopic, slackWebhookSecret } = manifest.alerts;
    const grants: Grant[] = [
      {
        actions: ['states:GetExecutionHistory'],
        // From the names (the machines' ARNs are tokens here). A split graph's children too: the
        // failed job is in the history of the child that ran it; one pattern covers them all.
        resources: [
          regionalArn('states', `execution:${manifest.workflow}:*`),
          ...(manifest.stateMachines.length > 1 ? [regionalArn('states', `execution:${anyPartMachine(manifest.workflow)}`)] : []),
        ],
        wildcardReason: "Executions are named at run time; the grant covers only this workflow's state machines (a split graph's children are <workflow>-part-<n>).",
      },
      ...(snsTopic ? [{ actions: ['sns:Publish'], resources: [snsTopic] }] : []),
      ...(slackWebhookSecret ? [{ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn(slackWebhookSecret)] }] : []),
    ];
    const jobGraph = manifest.jobs.map((j) => ({ name: j.name, needs: j.needs }));
    this.notify = new HandlerFunction(this, 'Notify', {
      entry: 'notify.ts',
      description: `stepgraph ${manifest.workflow}: failure alerts with the replay command`,
      timeout: Duration.seconds(60),
      environment: {
        WORKFLOW: manifest.workflow,
        ...(snsTopic && { SNS_TOPIC_ARN: snsTopic }),
        ...(slackWebhookSecret && { SLACK_WEBHOOK_SECRET: slackWebhookSecret }),
      },
      inject: [jobGraphModule(this, manifest.stackName, jobGraph)],
      grants,
    });
    new Rule(this, 'Rule', {
      description: `stepgraph ${manifest.workflow}: runs that ended ${ALERT_STATUSES.join(', ')}`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ALERT_STATUSES, stateMachineArn: [stateMachine.stateMachineArn] },
      },
      targets: [new LambdaFunction(this.notify.function, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
  }
}

/**
 * The job graph as a module for esbuild to inject into the notify bundle (handlers/notify.ts reads
 * STEPGRAPH_JOB_GRAPH). Lambda allows only 4 KB of environment variables, and a `define` goes
 * through a command line capped at 128 KB per argument; a file has no such limit. It is written
 * beside the synthesized templates, and the asset hash follows the bundle's content.
 */
function jobGraphModule(scope: Construct, stackName: string, jobs: { name: string; needs: string[] }[]): string {
  const dir = join(Stage.of(scope)!.outdir, '.stepgraph');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${stackName}-job-graph.mjs`);
  writeFileSync(file, `export const STEPGRAPH_JOB_GRAPH = ${JSON.stringify(jobs)};\n`);
  return file;
}
