// Running a compiled sweep on the embedded engine: the same definition, with a distributed Map
// run inline (the engine has no Distributed Map) and every Task served locally by state name.
// EC2 is a small in-memory fake: an instance "runs" for a number of status checks, then ends and,
// when its command reports, carries an exit-status tag. It counts what a real account would
// show: instances alive at once and launches per item.
import { emitSweepMachine } from '../emit/sweep.ts';
import { itemNames } from '../emit/sweep-item.ts';
import type { Definition } from '../emit/asl.ts';
import type { Workflow } from '../model.ts';
import type { SweepItem } from './model.ts';
import { planSweep, type SweepPlan } from './plan.ts';
import { EXIT_STATUS_TAG } from './userdata.ts';

type Handler = (input: unknown) => Promise<unknown> | unknown;

/** The definition the local engine runs: a distributed plan is emitted inline (tolerance counted after the Map). */
export function localDefinition(plan: SweepPlan): Definition {
  return emitSweepMachine(plan, { mode: 'inline' });
}

export interface InstanceScript {
  /** Status checks the instance stays 'running' for before it ends (0: it has ended at the first check). */
  checks: number;
  /** Or: seconds (on whatever clock runs, virtual under simulate) from launch to its end. */
  runSeconds?: number;
  /** The exit status its command records (undefined: none recorded). */
  exitStatus?: number;
  /** RunInstances fails for this item. */
  launchFails?: boolean;
}

export interface Instance {
  id: string;
  index: number;
  checksLeft: number;
  launchedAt: number;
  /** When it ended (for runSeconds instances: when it was due to, not when a check saw it). */
  endedAt?: number;
  endsAt?: number;
  state: 'running' | 'terminated';
  exitStatus?: number;
  userData: string;
}

/** An account's EC2 as a sweep sees it, in memory. */
export class FakeEc2 {
  readonly instances = new Map<string, Instance>();
  readonly launchesByIndex = new Map<number, number>();
  /** Instances launched and not yet terminated, at the worst moment. */
  peakRunning = 0;
  private running = 0;
  private next = 1;

  constructor(private readonly script: (index: number) => InstanceScript) {}

  runInstances(input: RunInstancesInput): unknown {
    const index = Number(input.TagSpecifications[0].Tags.find((t) => t.Key === 'stepgraph:index')?.Value);
    const plan = this.script(index);
    if (plan.launchFails) throw Object.assign(new Error('InsufficientInstanceCapacity: no capacity (fake)'), { name: 'Ec2.Ec2Exception' });
    this.launchesByIndex.set(index, (this.launchesByIndex.get(index) ?? 0) + 1);
    const id = `i-${String(this.next++).padStart(17, '0')}`;
    const launchedAt = Date.now();
    this.instances.set(id, {
      id,
      index,
      checksLeft: plan.checks,
      launchedAt,
      ...(plan.runSeconds !== undefined && { endsAt: launchedAt + plan.runSeconds * 1000 }),
      state: 'running',
      exitStatus: plan.exitStatus,
      userData: Buffer.from(input.UserData, 'base64').toString('utf8'),
    });
    this.running++;
    this.peakRunning = Math.max(this.peakRunning, this.running);
    return { Instances: [{ InstanceId: id, LaunchTime: new Date(0).toISOString() }] };
  }

  describeInstances(input: { InstanceIds: string[] }): unknown {
    const instance = this.get(input.InstanceIds[0]);
    const due = instance.endsAt !== undefined ? Date.now() >= instance.endsAt : instance.checksLeft-- <= 0;
    if (instance.state === 'running' && due) this.end(instance, instance.endsAt ?? Date.now());
    return { Reservations: [{ Instances: [{ InstanceId: instance.id, State: { Name: instance.state }, StateTransitionReason: instance.state === 'terminated' ? 'User initiated' : '' }] }] };
  }

  terminateInstances(input: { InstanceIds: string[] }): unknown {
    const instance = this.get(input.InstanceIds[0]);
    // Terminated from outside, the command never gets to record its exit status.
    instance.exitStatus = undefined;
    if (instance.state === 'running') this.end(instance, Date.now());
    return { TerminatingInstances: [{ InstanceId: instance.id }] };
  }

  describeTags(input: { Filters: { Name: string; Values: string[] }[] }): unknown {
    const instance = this.get(input.Filters.find((f) => f.Name === 'resource-id')!.Values[0]);
    const tags = instance.exitStatus === undefined ? [] : [{ Key: EXIT_STATUS_TAG, Value: String(instance.exitStatus), ResourceId: instance.id, ResourceType: 'instance' }];
    return { Tags: tags };
  }

  private get(id: string): Instance {
    const instance = this.instances.get(id);
    if (!instance) throw Object.assign(new Error(`InvalidInstanceID.NotFound: ${id}`), { name: 'Ec2.Ec2Exception' });
    return instance;
  }

  private end(instance: Instance, at: number): void {
    instance.state = 'terminated';
    instance.endedAt = at;
    this.running--;
  }
}

interface RunInstancesInput {
  UserData: string;
  TagSpecifications: { Tags: { Key: string; Value: string }[] }[];
}

/** Local implementations of the sweep's Task states, by state name; Wait states that take no time. */
/** `prefix`: the sweep's state names start with it, the sweep's name on its own, the job's name in a workflow. */
export function localOverrides(
  plan: SweepPlan,
  ec2: FakeEc2,
  run?: Handler,
  prefix = plan.sweep.name,
): { taskResourceLocalHandlers: Record<string, Handler>; waitTimeOverrides: Record<string, number>; retryIntervalOverrides: Record<string, number> } {
  const n = itemNames(prefix);
  const handlers: Record<string, Handler> = {};
  const unwrap = (input: unknown): Record<string, unknown> => {
    const i = input as { Payload?: { input: Record<string, unknown> } } & Record<string, unknown>;
    return plan.ec2?.crossRegion ? i.Payload!.input : i;
  };
  const wrap = (output: unknown): unknown => (plan.ec2?.crossRegion ? { Payload: output } : output);
  if (plan.ec2) {
    plan.ec2.shapes.forEach((_, i) => (handlers[n.launch(i, plan.ec2!.shapes.length)] = (input) => wrap(ec2.runInstances(unwrap(input) as unknown as RunInstancesInput))));
    handlers[n.check] = (input) => wrap(ec2.describeInstances(unwrap(input) as { InstanceIds: string[] }));
    handlers[n.terminate] = (input) => wrap(ec2.terminateInstances(unwrap(input) as { InstanceIds: string[] }));
    handlers[n.exitStatus] = (input) => wrap(ec2.describeTags(unwrap(input) as { Filters: { Name: string; Values: string[] }[] }));
  } else {
    const timeouts = plan.runner!.timeouts.length;
    for (let i = 0; i < timeouts; i++) handlers[n.runWith(i, timeouts)] = run ?? (() => ({}));
  }
  // Waits and retries take no time here: the order of events is what a local run shows.
  return {
    taskResourceLocalHandlers: handlers,
    waitTimeOverrides: { [n.wait]: 0, [n.delay]: 0 },
    retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])),
  };
}

/** Run options for the engine: the overrides and the context a real execution would have. */
export function localRunOptions(plan: SweepPlan, ec2: FakeEc2, execution: string, run?: Handler) {
  const startTime = new Date(0).toISOString();
  return {
    overrides: localOverrides(plan, ec2, run),
    context: {
      Execution: { Id: `arn:aws:states:local:000000000000:execution:${plan.sweep.name}:${execution}`, Name: execution, StartTime: startTime },
      // The engine does not track state entry times: the time a path is read stands in.
      State: {
        get EnteredTime(): string {
          return new Date().toISOString();
        },
      },
    },
  };
}

/**
 * Local handlers for the sweeps inside a workflow (jobs of kind `sweep`), for the local engine's
 * handler table: instances run for their default simulated time (their ttl without a command,
 * else the smaller of ttl and 30m, else 10m) on whatever clock is installed, runner items the same.
 */
export function sweepJobHandlers(workflow: Workflow): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const job of workflow.jobs) {
    if (job.kind.type !== 'sweep') continue;
    const items = job.kind.sweep.items;
    const seconds = (index: number): number => defaultItemSeconds(items[index]);
    const ec2 = new FakeEc2((index) => ({ checks: 0, runSeconds: seconds(index), exitStatus: 0 }));
    const run: Handler = async (input) => {
      const index = (input as { Payload?: { index?: number }; Input?: { index?: number } }).Payload?.index ?? (input as { Input?: { index?: number } }).Input?.index ?? 0;
      await new Promise((resolve) => setTimeout(resolve, seconds(index) * 1000));
      return { Payload: {} };
    };
    Object.assign(handlers, localOverrides(planSweep(job.kind.sweep), ec2, run, job.name).taskResourceLocalHandlers);
  }
  return handlers;
}

/** How long an item runs when nothing says: its ttl without a command (spawn's "until ttl"), else the smaller of ttl and 30m, else 10m. */
export const defaultItemSeconds = (item: SweepItem): number => {
  const command = typeof item.fields.command === 'string';
  if (item.ttlSeconds === undefined) return 600;
  return command ? Math.min(item.ttlSeconds, 1800) : item.ttlSeconds;
};
