// The ARNs stepgraph's operations read and build: an execution's, its state machine's, and the
// console link to it. The run names themselves are the runtime contract's (contract/run-names.ts).

export interface ExecutionArnParts {
  partition: string;
  region: string;
  account: string;
  stateMachine: string;
  execution: string;
}

/** `arn:<partition>:states:<region>:<account>:execution:<stateMachine>:<execution>` (undefined otherwise). */
export function parseExecutionArn(arn: string): ExecutionArnParts | undefined {
  const m = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], stateMachine: m[4], execution: m[5] } : undefined;
}

/** The ARN an execution named `name` of this state machine has (Step Functions derives it the same way). */
export function executionArn(stateMachineArn: string, name: string): string {
  const m = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/.exec(stateMachineArn);
  if (!m) throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return `arn:${m[1]}:states:${m[2]}:${m[3]}:execution:${m[4]}:${name}`;
}

export function stateMachineArnOf(execution: ExecutionArnParts): string {
  return `arn:${execution.partition}:states:${execution.region}:${execution.account}:stateMachine:${execution.stateMachine}`;
}

export const consoleLink = (region: string, executionArn: string): string =>
  `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
