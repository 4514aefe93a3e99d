// What `catch_up: true` needs beyond the schedule itself: after `stepgraph schedule pause` and a
// resume made anywhere, the start handler, at the first fire, reads the pause record from the
// schedule (GetSchedule), starts the missed runs (ListExecutions to see which exist and whether
// one runs) and clears the record (UpdateSchedule, which sends the whole schedule back, its role
// included: hence iam:PassRole of the schedule's role, to Scheduler only). All on this schedule,
// this state machine and this role only (handlers/schedule-catch-up.ts).
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Schedule } from '../generator/model.ts';
import { SCHEDULE_GROUP, scheduleName } from '../generator/contract/schedule-names.ts';
import { regionalArn } from './arns.ts';
import type { HandlerFunction } from './handler-function.ts';

export function scheduleCatchUp(schedule: Schedule, workflow: string, start: HandlerFunction, stateMachine: IStateMachine, schedulerRole: IRole): void {
  if (schedule.catchUp !== true) return;
  const name = scheduleName(workflow);
  start.function.addEnvironment('SCHEDULE_NAME', name);
  // skip and queue granted ListExecutions already (infra/schedule-control.ts); allow did not.
  if (schedule.overlap !== 'skip' && schedule.overlap !== 'queue') {
    start.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:ListExecutions'], resources: [stateMachine.stateMachineArn] }));
  }
  // queue granted GetSchedule already.
  const actions = schedule.overlap === 'queue' ? ['scheduler:UpdateSchedule'] : ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'];
  start.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [regionalArn('scheduler', `schedule/${SCHEDULE_GROUP}/${name}`)] }));
  start.role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['iam:PassRole'], resources: [schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
  );
}
