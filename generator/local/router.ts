// The router of a local run: what the router Lambda is in AWS, built on the same contract
// functions (generator/contract/waits.ts), so a local wait is released by the same logic. A wait
// Task's handler registers and sleeps on a promise; a marker written through `markers` is an
// "Object Created" event; a signal is a signal; an instance's end comes from the sweep's local EC2;
// a local SageMaker pipeline execution's end is its status-change event (settled, as the router
// settles it: the waiting Task is released, or failed when the execution failed).
import { pipelineOutcome } from '../contract/sagemaker-pipeline.ts';
import { backstop, registerWait, settle, signal, subjectEvent, type BackstopOutcome, type SignalRequest, type WaitDeps, type WaitRequest } from '../contract/waits.ts';
import type { MarkerStore } from './store.ts';
import { MemoryWaiterStore } from '../contract/memory-waiter-store.ts';
import type { PoolReleaseRequest } from '../contract/pools.ts';
import { LocalPools } from './pools.ts';

interface Pending {
  resolve: (output: Record<string, unknown>) => void;
  /** SendTaskFailure: the Task fails with this error (its name is the States error). */
  reject: (error: Error) => void;
  /** Epoch ms after which the engine has timed the Task out: a release then finds it gone. */
  deadline: number;
}

export interface LocalRouterOptions {
  /** Keeps a virtual clock from jumping while store I/O is in flight. */
  track?: <T>(work: Promise<T>) => Promise<T>;
  /** Sweeps: whether a local instance has terminated. */
  instanceEnded?: (region: string, instanceId: string) => boolean;
  /** Shared by several runs (as the table is in AWS); default: the run's own. */
  waiters?: MemoryWaiterStore;
  /** Shared by several runs (as the pool table is in AWS); default: the run's own. */
  pools?: LocalPools;
}

export class LocalRouter {
  readonly waiters: MemoryWaiterStore;
  readonly pools: LocalPools;
  /** The store the run writes through: every put is an S3 "Object Created" event. */
  readonly markers: MarkerStore;
  private readonly pending = new Map<string, Pending>();
  private readonly deps: WaitDeps;
  private instanceEnded?: (region: string, instanceId: string) => boolean;
  private readonly track: <T>(work: Promise<T>) => Promise<T>;

  constructor(store: MarkerStore, options: LocalRouterOptions = {}) {
    this.track = options.track ?? ((w) => w);
    this.waiters = options.waiters ?? new MemoryWaiterStore();
    this.pools = options.pools ?? new LocalPools(this.track);
    this.instanceEnded = options.instanceEnded;
    this.deps = {
      store: this.waiters,
      probe: {
        satisfied: async (subject) =>
          subject.kind === 'marker' ? (await this.track(store.get(subject.bucket, subject.key))) !== undefined : (this.instanceEnded?.(subject.region, subject.instanceId) ?? false),
      },
      releaser: {
        release: async (token, output) => {
          const waiting = this.take(token);
          waiting?.resolve(output);
          return waiting ? 'released' : 'gone';
        },
        fail: async (token, error, cause) => {
          const waiting = this.take(token);
          waiting?.reject(Object.assign(new Error(cause), { name: error }));
          return waiting ? 'released' : 'gone';
        },
      },
      now: () => Date.now(),
    };
    const router = this;
    this.markers = {
      where: store.where,
      get: (bucket, key) => store.get(bucket, key),
      delete: (bucket, key) => store.delete(bucket, key),
      async put(bucket, key, body) {
        await store.put(bucket, key, body);
        await router.objectCreated(bucket, key);
      },
    };
  }

  /** Sweeps: the local EC2 tells the router which instances have ended (its probe) and when. */
  useInstances(events: { satisfied(s: { region: string; instanceId: string }): boolean; onTerminated(listener: (region: string, instanceId: string) => void): void }): void {
    this.instanceEnded = (region, instanceId) => events.satisfied({ region, instanceId });
    events.onTerminated((region, instanceId) => void this.instanceTerminated(region, instanceId));
  }

  /** The token's pending Task, forgotten; undefined when it waits no more (released, or past its deadline). */
  private take(token: string): Pending | undefined {
    const waiting = this.pending.get(token);
    this.pending.delete(token);
    return waiting && Date.now() <= waiting.deadline ? waiting : undefined;
  }

  /** A wait Task: resolves when released, rejects when failed; the engine's TimeoutSeconds ends it otherwise. */
  wait(request: WaitRequest): Promise<Record<string, unknown>> {
    // A pool's waiters queue in the pool, shared by every run (contract/pools.ts).
    if (request.subject.kind === 'pool') return this.pools.acquire({ ...request, subject: request.subject });
    const released = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.pending.set(request.token, { resolve, reject, deadline: Date.now() + request.timeoutSeconds * 1000 });
    });
    return this.track(registerWait(request, this.deps)).then(() => released);
  }

  releaseSlot(request: PoolReleaseRequest): Promise<boolean> {
    return this.pools.release(request);
  }

  signal(request: SignalRequest): Promise<number> {
    return this.track(signal(request, this.deps));
  }

  objectCreated(bucket: string, key: string): Promise<number> {
    return this.track(subjectEvent({ kind: 'marker', bucket, key }, this.deps));
  }

  instanceTerminated(region: string, instanceId: string): Promise<number> {
    return this.track(subjectEvent({ kind: 'instance', region, instanceId }, this.deps));
  }

  /** A pipeline execution's status changed (SageMaker's event): a terminal status settles its waiters. */
  pipelineStatusChanged(arn: string, status: string, failureReason?: string): Promise<number> {
    const outcome = pipelineOutcome(status, arn, failureReason);
    return outcome ? this.track(settle({ kind: 'pipeline_execution', arn }, outcome, this.deps)) : Promise.resolve(0);
  }

  /** The backstop's look at every open waiter (for markers written past the router: by hand, by another process). */
  backstop(): Promise<BackstopOutcome> {
    return this.track(backstop(this.deps));
  }

  /** Runs the backstop every `intervalMs` until the returned function is called. */
  watch(intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void this.backstop().finally(() => (running = false));
    }, intervalMs);
    return () => clearInterval(timer);
  }
}
