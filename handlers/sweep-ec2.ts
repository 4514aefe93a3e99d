// The EC2 calls of a sweep whose items span regions. Step Functions' AWS SDK integrations call
// the state machine's own region only, so each item's launch, checks and termination come here
// as {region, action, input} and go to that region's EC2; the response is returned as it is (the
// Task reads it as `Payload`). EC2's own errors pass through with their names, for the Task's
// Retry and Catch.
import {
  DescribeInstancesCommand,
  DescribeTagsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeTagsCommandInput,
  type RunInstancesCommandInput,
  type TerminateInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { list } from './config.ts';
import { HandlerError, InvalidEventError } from './errors.ts';

export interface SweepEc2Event {
  region: string;
  /** The action as the emitted Task names it (generator/emit/sweep-item.ts). */
  action: string;
  input: Record<string, unknown>;
}

export class UnknownEc2Action extends HandlerError {}
export class RegionNotAllowed extends HandlerError {}

type Call = (client: EC2Client, input: Record<string, unknown>) => Promise<object>;

/** The calls a sweep item makes, and nothing else. */
export const ACTIONS: Record<string, Call> = {
  runInstances: (c, input) => c.send(new RunInstancesCommand(input as unknown as RunInstancesCommandInput)),
  describeInstances: (c, input) => c.send(new DescribeInstancesCommand(input as DescribeInstancesCommandInput)),
  describeTags: (c, input) => c.send(new DescribeTagsCommand(input as DescribeTagsCommandInput)),
  terminateInstances: (c, input) => c.send(new TerminateInstancesCommand(input as unknown as TerminateInstancesCommandInput)),
};

export interface Deps {
  clientFor: (region: string) => EC2Client;
  /** The regions the sweep names (the stack sets them); others are refused before any call. */
  regions: readonly string[];
}

export async function callEc2(event: SweepEc2Event, deps: Deps): Promise<Record<string, unknown>> {
  if (typeof event?.region !== 'string' || typeof event.action !== 'string' || typeof event.input !== 'object' || event.input === null) {
    throw new InvalidEventError('expected {region, action, input} from the sweep state machine');
  }
  const call = Object.hasOwn(ACTIONS, event.action) ? ACTIONS[event.action] : undefined;
  if (!call) throw new UnknownEc2Action(`'${event.action}' is not one of ${Object.keys(ACTIONS).join(', ')}`);
  if (!deps.regions.includes(event.region)) {
    throw new RegionNotAllowed(`region '${event.region}' is not one of this sweep's regions (${deps.regions.join(', ')}); redeploy the sweep's stack after changing its regions`);
  }
  const { $metadata: _, ...response } = (await call(deps.clientFor(event.region), event.input)) as Record<string, unknown>;
  return response;
}

/** One client per region, kept for the container's life. */
const clients = new Map<string, EC2Client>();
export function clientFor(region: string): EC2Client {
  let client = clients.get(region);
  if (!client) clients.set(region, (client = new EC2Client({ region })));
  return client;
}

export const handler = async (event: SweepEc2Event): Promise<Record<string, unknown>> => callEc2(event, { clientFor, regions: list(process.env, 'REGIONS') });
