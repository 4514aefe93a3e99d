// The deployed names stepgraph relies on (see docs/architecture.md, runtime contract): the state
// machine is named after the workflow, a date's first run is `<workflow>-<date>`, and replays are
// `<workflow>-<date>-replay-<n>`. Pure functions, so every name is reproducible from the history.

export const runName = (workflow: string, date: string): string => `${workflow}-${date}`;

export const replayName = (workflow: string, date: string, n: number): string => `${runName(workflow, date)}-replay-${n}`;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** 1 + the highest replay number among `names` for that workflow and date (1 when there is none). */
export function nextReplayNumber(names: Iterable<string>, workflow: string, date: string): number {
  const pattern = new RegExp(`^${escape(runName(workflow, date))}-replay-(\\d+)$`);
  let highest = 0;
  for (const name of names) {
    const m = pattern.exec(name);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return highest + 1;
}

/** Whether `name` is a run of `workflow` for `date`: the first run or any replay of it. */
export function isRunOfDate(name: string, workflow: string, date: string): boolean {
  return new RegExp(`^${escape(runName(workflow, date))}(-replay-\\d+)?$`).test(name);
}

/** The date part of a stepgraph execution name, if it is one (`undefined` for hand-named runs). */
export function dateOfRunName(name: string, workflow: string): string | undefined {
  const m = new RegExp(`^${escape(workflow)}-(\\d{4}-\\d{2}-\\d{2}(?:T\\d{2})?)(?:-replay-\\d+)?$`).exec(name);
  return m?.[1];
}

export const markerKey = (prefix: string, job: string, datekey: string): string => `${prefix}${job}__${datekey}.done`;

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

export const isExecutionArn = (text: string): boolean => parseExecutionArn(text) !== undefined;

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
