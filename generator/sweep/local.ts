// Running a compiled sweep on the embedded engine: the same definition, with a distributed Map
// run inline (the engine has no Distributed Map) and every Task served locally by state name.
// EC2 is a small in-memory model: an instance runs for its scripted time on whatever clock is
// installed (virtual under simulate), then terminates and, when its command reports, carries an
// exit-status tag. A termination is news, as EC2's state-change event is in AWS: the model tells
// its listeners (InstanceEvents.onTerminated), and the release path of the contract
// (contract/waits.ts: subjectEvent) releases the item's callback wait. Nothing polls. It counts
// what a real account would show: instances alive at once and launches per item.
import { emitSweepMachine } from '../emit/sweep.ts';
import { itemNames } from '../emit/sweep-item.ts';
import type { Definition } from '../emit/asl.ts';
import type { Workflow } from '../model.ts';
import type { SweepItem } from './model.ts';
import type { SweepPlan } from './plan.ts';
import { EXIT_STATUS_TAG } from './userdata.ts';
import { LocalInstanceWaits, taskTokens, type InstanceSource } from './local-waits.ts';

type Handler = (input: unknown) => Promise<unknown> | unknown;

/**
 * The region of instances whose items name none. Their wait subject's region is read from the
 * execution's ARN, and local executions are `arn:aws:states:local:...`.
 */
export const LOCAL_REGION = 'local';

/**
 * The definition the local engine runs: a distributed plan is emitted inline (tolerance counted
 * after the Map). The engine reads a Task's TimeoutSecondsPath from the Task's Parameters where
 * Step Functions reads the state's input, so the item's wait has none here: its deadline
 * (`timeoutSeconds` in the request) is kept by the local wait handler (local-waits.ts).
 */
export function localDefinition(plan: SweepPlan): Definition {
  const definition = emitSweepMachine(plan, { mode: 'inline' });
  const map = definition.States[plan.sweep.name] as { ItemProcessor: { States: Record<string, Record<string, unknown>> } };
  for (const state of Object.values(map.ItemProcessor.States)) delete state.TimeoutSecondsPath;
  return definition;
}

export interface InstanceScript {
  /** Seconds (on whatever clock runs, virtual under simulate) from launch to its end; default 0. */
  runSeconds?: number;
  /** The exit status its command records (undefined: none recorded). */
  exitStatus?: number;
  /** RunInstances fails for this item. */
  launchFails?: boolean;
  /** Why EC2 says it ended (StateTransitionReason); default 'Client.UserInitiatedShutdown'. */
  endReason?: string;
}

export interface Instance {
  id: string;
  index: number;
  region: string;
  launchedAt: number;
  /** When it terminated. */
  endedAt?: number;
  state: 'running' | 'terminated';
  exitStatus?: number;
  endReason: string;
  userData: string;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * What the local engine learns of instances: EC2's "terminated" state-change events and the
 * probe's answer, shared by every in-memory EC2 of a run (instance ids are unique across them).
 * The local engine registers its release path with `onTerminated` and answers instance subjects
 * with `satisfied`.
 */
export class InstanceEvents implements InstanceSource {
  private readonly listeners: ((region: string, instanceId: string) => void)[] = [];
  private readonly ended = new Set<string>();
  private next = 1;

  /** Called once for each instance that terminates, after it has (satisfied() is already true). */
  onTerminated(listener: (region: string, instanceId: string) => void): void {
    this.listeners.push(listener);
  }

  /** Whether the instance has terminated: the SubjectProbe's answer for an instance subject. */
  satisfied(subject: { region: string; instanceId: string }): boolean {
    return this.ended.has(`${subject.region}/${subject.instanceId}`);
  }

  /** A new instance id. */
  newId(): string {
    return `i-${String(this.next++).padStart(17, '0')}`;
  }

  /** The in-memory EC2 reports a termination. */
  terminated(region: string, instanceId: string): void {
    this.ended.add(`${region}/${instanceId}`);
    for (const listener of this.listeners) listener(region, instanceId);
  }
}

/** An account's EC2 as a sweep sees it, in memory. */
export class FakeEc2 {
  readonly instances = new Map<string, Instance>();
  readonly launchesByIndex = new Map<number, number>();
  /** Instances launched and not yet terminated, at the worst moment. */
  peakRunning = 0;
  readonly events: InstanceEvents;
  private running = 0;
  private readonly byToken = new Map<string, Instance>();
  private readonly region: string;

  constructor(
    private readonly script: (index: number) => InstanceScript,
    options: { events?: InstanceEvents; region?: string } = {},
  ) {
    this.events = options.events ?? new InstanceEvents();
    this.region = options.region ?? LOCAL_REGION;
  }

  /** `region`: where the call goes (the item's region); otherwise the model's own. */
  runInstances(input: RunInstancesInput, region = this.region): unknown {
    // EC2's idempotency: a repeated ClientToken is the same launch, not a second instance.
    const again = input.ClientToken !== undefined ? this.byToken.get(input.ClientToken) : undefined;
    if (again) return launched(again);
    const index = Number(input.TagSpecifications[0].Tags.find((t) => t.Key === 'stepgraph:index')?.Value);
    const plan = this.script(index);
    if (plan.launchFails) throw Object.assign(new Error('InsufficientInstanceCapacity: no capacity (fake)'), { name: 'Ec2.Ec2Exception' });
    this.launchesByIndex.set(index, (this.launchesByIndex.get(index) ?? 0) + 1);
    const instance: Instance = {
      id: this.events.newId(),
      index,
      region,
      launchedAt: Date.now(),
      state: 'running',
      exitStatus: plan.exitStatus,
      endReason: plan.endReason ?? 'Client.UserInitiatedShutdown: User initiated shutdown',
      userData: Buffer.from(input.UserData, 'base64').toString('utf8'),
    };
    this.instances.set(instance.id, instance);
    if (input.ClientToken !== undefined) this.byToken.set(input.ClientToken, instance);
    this.running++;
    this.peakRunning = Math.max(this.peakRunning, this.running);
    // It shuts itself down when its work is done (InstanceInitiatedShutdownBehavior: terminate).
    instance.timer = setTimeout(() => this.end(instance), Math.max(0, plan.runSeconds ?? 0) * 1000);
    return launched(instance);
  }

  describeInstances(input: { InstanceIds: string[] }): unknown {
    const instance = this.get(input.InstanceIds[0]);
    return { Reservations: [{ Instances: [{ InstanceId: instance.id, State: { Name: instance.state }, StateTransitionReason: instance.state === 'terminated' ? instance.endReason : '' }] }] };
  }

  terminateInstances(input: { InstanceIds: string[] }): unknown {
    const instance = this.get(input.InstanceIds[0]);
    // Terminated from outside, the command never gets to record its exit status.
    if (instance.state === 'running') {
      instance.exitStatus = undefined;
      instance.endReason = 'Client.UserInitiatedShutdown: User initiated shutdown (terminated by stepgraph)';
      this.end(instance);
    }
    return { TerminatingInstances: [{ InstanceId: instance.id }] };
  }

  describeTags(input: { Filters: { Name: string; Values: string[] }[] }): unknown {
    const instance = this.get(input.Filters.find((f) => f.Name === 'resource-id')!.Values[0]);
    const tags = instance.exitStatus === undefined ? [] : [{ Key: EXIT_STATUS_TAG, Value: String(instance.exitStatus), ResourceId: instance.id, ResourceType: 'instance' }];
    return { Tags: tags };
  }

  /** Whether an instance has terminated (the probe, for this model alone). */
  satisfied(subject: { region: string; instanceId: string }): boolean {
    return this.events.satisfied(subject);
  }

  /** The run has ended: instances still on the clock leave it (no event; nobody waits any more). */
  stopClocks(): void {
    for (const instance of this.instances.values()) if (instance.timer) clearTimeout(instance.timer);
  }

  private get(id: string): Instance {
    const instance = this.instances.get(id);
    if (!instance) throw Object.assign(new Error(`InvalidInstanceID.NotFound: ${id}`), { name: 'Ec2.Ec2Exception' });
    return instance;
  }

  private end(instance: Instance): void {
    if (instance.state === 'terminated') return;
    if (instance.timer) clearTimeout(instance.timer);
    instance.state = 'terminated';
    instance.endedAt = Date.now();
    this.running--;
    this.events.terminated(instance.region, instance.id);
  }
}

const launched = (instance: Instance): unknown => ({ Instances: [{ InstanceId: instance.id, LaunchTime: new Date(instance.launchedAt).toISOString() }] });

interface RunInstancesInput {
  UserData: string;
  ClientToken?: string;
  TagSpecifications: { Tags: { Key: string; Value: string }[] }[];
}

/**
 * Local implementations of the sweep's Task states, by state name, but for the item's callback
 * waits (`<p> wait`, `<p> terminated`): inside a workflow the local engine's router serves them,
 * on a sweep's own run `localWaitHandlers`. `prefix`: the sweep's state names start with it, the
 * sweep's name on its own, the job's name in a workflow.
 */
export function localOverrides(
  plan: SweepPlan,
  ec2: FakeEc2,
  run?: Handler,
  prefix = plan.sweep.name,
): { taskResourceLocalHandlers: Record<string, Handler>; waitTimeOverrides: Record<string, number>; retryIntervalOverrides: Record<string, number> } {
  const n = itemNames(prefix);
  const handlers: Record<string, Handler> = {};
  const crossRegion = plan.ec2?.crossRegion === true;
  const unwrap = (input: unknown): Record<string, unknown> => {
    const i = input as { Payload?: { input: Record<string, unknown> } } & Record<string, unknown>;
    return crossRegion ? i.Payload!.input : i;
  };
  // Where the instance runs, as its wait's subject names it (emit/sweep-item.ts: subjectRegion).
  const single = plan.ec2?.regions.length === 1 ? plan.ec2.regions[0] : undefined;
  const regionOf = (input: unknown): string | undefined => (crossRegion ? (input as { Payload: { region: string } }).Payload.region : single);
  const wrap = (output: unknown): unknown => (crossRegion ? { Payload: output } : output);
  if (plan.ec2) {
    const shapes = plan.ec2.shapes.length;
    for (let i = 0; i < shapes; i++) handlers[n.launch(i, shapes)] = (input) => wrap(ec2.runInstances(unwrap(input) as unknown as RunInstancesInput, regionOf(input)));
    handlers[n.terminate] = (input) => wrap(ec2.terminateInstances(unwrap(input) as { InstanceIds: string[] }));
    handlers[n.exitStatus] = (input) => wrap(ec2.describeTags(unwrap(input) as { Filters: { Name: string; Values: string[] }[] }));
    handlers[n.endReason] = (input) => wrap(ec2.describeInstances(unwrap(input) as { InstanceIds: string[] }));
  } else {
    const timeouts = plan.runner!.timeouts.length;
    for (let i = 0; i < timeouts; i++) handlers[n.runWith(i, timeouts)] = run ?? (() => ({}));
  }
  // Delays and retries take no time here: the order of events is what a local run shows.
  return {
    taskResourceLocalHandlers: handlers,
    waitTimeOverrides: { [n.delay]: 0 },
    retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])),
  };
}

/** The item's callback waits on a sweep's own local run, served by `waits` (local-waits.ts). */
export function localWaitHandlers(plan: SweepPlan, waits: LocalInstanceWaits, prefix = plan.sweep.name): Record<string, Handler> {
  if (!plan.ec2) return {};
  const n = itemNames(prefix);
  return { [n.wait]: waits.handler, [n.terminated]: waits.handler };
}

/** Run options for the engine: the overrides and the context a real execution would have. */
export function localRunOptions(plan: SweepPlan, ec2: FakeEc2, execution: string, run?: Handler) {
  const startTime = new Date(0).toISOString();
  const waits = new LocalInstanceWaits(ec2.events);
  const overrides = localOverrides(plan, ec2, run);
  return {
    waits,
    overrides: { ...overrides, taskResourceLocalHandlers: { ...overrides.taskResourceLocalHandlers, ...localWaitHandlers(plan, waits) } },
    context: {
      Execution: { Id: `arn:aws:states:${LOCAL_REGION}:000000000000:execution:${plan.sweep.name}:${execution}`, Name: execution, StartTime: startTime },
      // The engine does not track state entry times: the time a path is read stands in.
      State: {
        get EnteredTime(): string {
          return new Date().toISOString();
        },
      },
      Task: taskTokens(),
    },
  };
}

/**
 * Local handlers for the sweeps inside a workflow (jobs of kind `sweep`), for the local engine's
 * handler table: instances run for their default simulated time (their ttl without a command,
 * else the smaller of ttl and 30m, else 10m) on whatever clock is installed, runner items the same.
 * The items' callback waits are the engine's router's to serve: pass `events` and subscribe to its
 * terminations (`events.onTerminated((region, instanceId) => subjectEvent({kind: 'instance',
 * region, instanceId}, deps))`) and answer instance subjects with `events.satisfied(subject)`.
 * Instances of items that name no region are in LOCAL_REGION, which the execution ARNs must name.
 */
/**
 * `timeScale`: run --local --speed, which every item's run time is multiplied by (1: as long as it
 * says). `stopped`: the run's end; items still running stop their clocks then, so a stopped run
 * (Ctrl-C) does not keep the process alive for the rest of an item's time.
 */
export function sweepJobHandlers(workflow: Workflow, events: InstanceEvents, plans: ReadonlyMap<string, SweepPlan>, timeScale = 1, stopped?: AbortSignal): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const job of workflow.jobs) {
    if (job.kind.type !== 'sweep') continue;
    const items = job.kind.sweep.items;
    // The workflow's plan (Plan.sweeps): the same plan the ASL was emitted from.
    const plan = plans.get(job.name)!;
    const seconds = (index: number): number => defaultItemSeconds(items[index]) * timeScale;
    const ec2 = new FakeEc2((index) => ({ runSeconds: seconds(index), exitStatus: 0 }), { events });
    stopped?.addEventListener('abort', () => ec2.stopClocks(), { once: true });
    const run: Handler = async (input) => {
      const index = (input as { Payload?: { index?: number }; Input?: { index?: number } }).Payload?.index ?? (input as { Input?: { index?: number } }).Input?.index ?? 0;
      await itemTime(seconds(index), stopped);
      return { Payload: {} };
    };
    Object.assign(handlers, localOverrides(plan, ec2, run, job.name).taskResourceLocalHandlers);
  }
  return handlers;
}

/** An item's run time, cut short when the run stops (its answer then goes nowhere). */
function itemTime(seconds: number, stopped: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (stopped?.aborted) return resolve();
    const timer = setTimeout(done, seconds * 1000);
    stopped?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      stopped?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** How long an item runs when nothing says: its ttl without a command (spawn's "until ttl"), else the smaller of ttl and 30m, else 10m. */
export const defaultItemSeconds = (item: SweepItem): number => {
  const command = typeof item.fields.command === 'string';
  if (item.ttlSeconds === undefined) return 600;
  return command ? Math.min(item.ttlSeconds, 1800) : item.ttlSeconds;
};
