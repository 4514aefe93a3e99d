// What a schedule's `overlap` needs beyond the schedule itself (infra/triggers.ts). skip and
// queue: the start handler may list the state machine's executions, to see whether a run is
// running. queue also: Step Functions' "Execution Status Change" event of a run that ended goes
// to the start handler (an EventBridge rule on the workflow's main state machine), which may read
// the schedule (GetSchedule, on this schedule only) to find the starts it held back. Nothing polls.
import { Duration } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Schedule } from '../generator/model.ts';
import { SCHEDULE_GROUP, scheduleName } from '../generator/contract/schedule-names.ts';
import { regionalArn } from './arns.ts';
import type { HandlerFunction } from './handler-function.ts';

/** The statuses a run ends with (RUNNING and PENDING_REDRIVE are not ends). */
const ENDED = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

export function scheduleControl(scope: Construct, schedule: Schedule, workflow: string, start: HandlerFunction, stateMachine: IStateMachine): void {
  if (schedule.overlap !== 'skip' && schedule.overlap !== 'queue') return;
  // ListExecutions is authorized on the state machine's ARN.
  start.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:ListExecutions'], resources: [stateMachine.stateMachineArn] }));
  if (schedule.overlap !== 'queue') return;
  const name = scheduleName(workflow);
  start.function.addEnvironment('SCHEDULE_NAME', name);
  start.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['scheduler:GetSchedule'], resources: [regionalArn('scheduler', `schedule/${SCHEDULE_GROUP}/${name}`)] }));
  new Rule(scope, 'RunEnded', {
    description: `stepgraph ${workflow}: a run ended; starts the run its schedule queued (overlap: queue)`,
    eventPattern: { source: ['aws.states'], detailType: ['Step Functions Execution Status Change'], detail: { stateMachineArn: [stateMachine.stateMachineArn], status: ENDED } },
    targets: [
      new LambdaFunction(start.function, {
        event: RuleTargetInput.fromObject({ ended: EventField.fromPath('$.detail.executionArn') }),
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
    ],
  });
}
