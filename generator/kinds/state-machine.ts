// `state_machine: <ARN>`: runs a child state machine to completion (startExecution.sync:2),
// passing the run's date and params; the child's failure is the job's.
import { Codes } from '../messages.ts';
import { arnProblem, report } from '../check/values.ts';
import type { KindGrant, KindModule, State } from './kind.ts';
import { resultAt } from './local-result.ts';

export interface StateMachineKind {
  type: 'state_machine';
  arn: string;
}

const START_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

/** StartExecution on child machines; `.sync` also watches and stops them through a managed rule. */
export function startExecutionAccess(stateMachineArns: readonly string[], sync: boolean): KindGrant[] {
  if (stateMachineArns.length === 0) return [];
  const grants: KindGrant[] = [{ actions: ['states:StartExecution'], resources: [...stateMachineArns] }];
  if (!sync) return grants;
  return [
    ...grants,
    {
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: stateMachineArns.map((arn) => `${arn.replace(':stateMachine:', ':execution:')}:*`),
      wildcardReason: 'Executions of a child state machine get their names at run time; the grant covers only executions of the named child machines.',
    },
    managedRuleAccess('StepFunctionsGetEventsForStepFunctionsExecutionRule'),
  ];
}

/** The managed EventBridge rule through which Step Functions learns that a `.sync` job ended. */
export const managedRuleAccess = (rule: string): KindGrant => ({
  actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
  resources: [`arn:\${Partition}:events:\${Region}:\${Account}:rule/${rule}`],
});

const input = (item: State): State => ({ ...item, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' });

export const stateMachine: KindModule<StateMachineKind> = {
  type: 'state_machine',
  doc: { spelling: 'state_machine: <ARN>', runs: 'a child state machine, with the run\'s date and params', done: 'when the child execution succeeds' },
  schema: { description: 'A child state machine ARN, run to completion.', type: 'string', pattern: '^arn:(aws|aws-cn|aws-us-gov):states:' },
  read(r, entry) {
    const arn = r.string(entry);
    const example = 'arn:aws:states:eu-west-1:123456789012:stateMachine:my-machine';
    return arn !== undefined && report(r, entry.span, Codes.badArn, arnProblem(arn, 'stateMachine', example)) ? { type: 'state_machine', arn } : undefined;
  },
  task: (kind) => ({ Resource: START_SYNC, Parameters: { StateMachineArn: kind.arn, Input: input({ 'date.$': '$.date', 'params.$': '$.params' }) } }),
  access: (kind) => ({ grants: startExecutionAccess([kind.arn], true) }),
  local: { mode: 'work', output: (kind) => ({ StateMachineArn: kind.arn, Status: 'SUCCEEDED', Output: '{}' }), result: resultAt('Output') },
  sweepRunner: (kind, item) => ({ Resource: START_SYNC, Parameters: { StateMachineArn: kind.arn, Input: input(item) } }),
};
