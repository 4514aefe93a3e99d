// Deploy-time placeholders (docs/architecture.md, "runtime contract"): names the emitted ASL
// leaves for CDK's definition substitutions (or the local engine) to fill. One list, so the
// compiler that writes them, the manifest that lists them and infra that fills them agree.

/** The marker bucket, when the stack creates it. */
export const MARKER_BUCKET = 'MarkerBucket';
/** The stack's router Lambda (waits and signals). */
export const ROUTER_FUNCTION = 'RouterFunctionArn';
/** The data pipeline activator Lambda. */
export const ACTIVATOR_FUNCTION = 'ActivatorFunctionArn';
/** The deadline handler of a workflow with deadlines (contract/deadline-watch.ts). */
export const DEADLINE_FUNCTION = 'DeadlineFunctionArn';
/** The cross-region EC2 function of a multi-region sweep. */
export const SWEEP_EC2_FUNCTION = 'SweepEc2FunctionArn';

/** The substitution name of child state machine `n` of a split graph. */
export const partArnName = (n: number): string => `Part${n}Arn`;

/** `${Name}` as written in a definition. */
export const placeholder = (name: string): string => `\${${name}}`;

const NAMES = new RegExp(`^(${[MARKER_BUCKET, ACTIVATOR_FUNCTION, ROUTER_FUNCTION, SWEEP_EC2_FUNCTION, DEADLINE_FUNCTION].join('|')}|Part\\d+Arn)$`);

/** Whether `name` is one of stepgraph's placeholders. */
export const isPlaceholderName = (name: string): boolean => NAMES.test(name);

/** The stepgraph placeholders a definition's text uses, sorted, each once. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]).filter(isPlaceholderName))].sort();
}
