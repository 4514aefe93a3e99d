// Finding a workflow's deployed state machine and what its definition tells us (the marker bucket
// the stack created, resolved at deploy time).
import { DescribeStateMachineCommand, ListStateMachinesCommand, type DescribeStateMachineOutput } from '@aws-sdk/client-sfn';
import { UserError } from '../errors.ts';
import { didYouMean } from '../contract/suggest.ts';
import { stackName } from '../model.ts';
import type { Aws } from './aws.ts';

/** `--state-machine-arn` when given (checked for shape), else the state machine named after the workflow. */
export async function resolveStateMachineArn(aws: Aws, workflow: string, explicitArn?: string): Promise<string> {
  if (explicitArn !== undefined) {
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(explicitArn)) {
      throw new UserError(
        `--state-machine-arn '${explicitArn}' is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
      );
    }
    return explicitArn;
  }
  return findStateMachineArn(aws, workflow);
}

/** Lists every state machine of the region (all pages) and picks the one named `name`. */
export async function findStateMachineArn(aws: Aws, name: string): Promise<string> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.call('ListStateMachines', () => aws.sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken })));
    for (const sm of page.stateMachines ?? []) {
      if (sm.name === name && sm.stateMachineArn) return sm.stateMachineArn;
      if (sm.name) names.push(sm.name);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const hint = didYouMean(name, names);
  throw new UserError(
    `no state machine named '${name}' in ${aws.region}` +
      (hint ? `; ${hint}` : `; deploy it with \`npx cdk deploy ${stackName(name)}\`, or pass --region or --state-machine-arn`),
  );
}

export async function describeStateMachine(aws: Aws, arn: string): Promise<DescribeStateMachineOutput> {
  return aws.call('DescribeStateMachine', () => aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })));
}

/**
 * The workflow's own marker bucket as the deployed definition names it. `J done` writes the job's
 * marker there; a data pipeline job's Task waits for its own marker there (its Payload's
 * `wait.subject`); `J waits for X` may wait on another producer's bucket, so it is only the last
 * resort.
 */
export function markerBucketFromDefinition(definition: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    return undefined;
  }
  const found: { rank: number; bucket: string }[] = [];
  // `${MarkerBucket}` is the undeployed placeholder: only a resolved name is an answer.
  const add = (rank: number, bucket: unknown): void => {
    if (typeof bucket === 'string' && bucket !== '' && !bucket.includes('${')) found.push({ rank, bucket });
  };
  visitStates(parsed, (name, state) => {
    const resource = typeof state.Resource === 'string' ? state.Resource : '';
    const parameters = (state.Parameters ?? {}) as { Bucket?: unknown; Payload?: { subject?: Subject; wait?: { subject?: Subject } } };
    if (/:s3:putObject$/.test(resource) && / done$/.test(name)) add(0, parameters.Bucket);
    if (!resource.endsWith(':lambda:invoke.waitForTaskToken')) return;
    const own = parameters.Payload?.wait?.subject;
    if (own?.kind === 'marker') add(1, own.bucket);
    const other = parameters.Payload?.subject;
    if (other?.kind === 'marker' && / waits for /.test(name)) add(2, other.bucket);
  });
  found.sort((a, b) => a.rank - b.rank || (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  return found[0]?.bucket;
}

interface Subject {
  kind?: unknown;
  bucket?: unknown;
}

type State = Record<string, unknown>;

/** Every state of a definition, nested Parallel branches and Map processors included. */
function visitStates(node: unknown, visit: (name: string, state: State) => void): void {
  const states = (node as { States?: unknown } | null)?.States;
  if (!states || typeof states !== 'object') return;
  for (const [name, state] of Object.entries(states as Record<string, State>)) {
    if (!state || typeof state !== 'object') continue;
    visit(name, state);
    for (const branch of (state.Branches as unknown[] | undefined) ?? []) visitStates(branch, visit);
    visitStates(state.ItemProcessor, visit);
    visitStates(state.Iterator, visit);
  }
}
