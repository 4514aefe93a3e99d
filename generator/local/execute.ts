// One execution of an emitted definition on the embedded engine: placeholders resolved, every
// Task served locally, the context object filled in (the engine only knows Execution.Input and
// StartTime), every event of every branch recorded. A workflow split into child state machines
// (emit/parts.ts) runs its children as nested local executions, started by the parent's
// startExecution.sync Tasks as Step Functions would. Used by simulate (on the virtual clock) and
// by `run --local` (in real time).
import { localForm } from './distributed-for-each.ts';
import type { Definition } from '../emit/asl.ts';
import { ACTIVATOR_FUNCTION, DEADLINE_FUNCTION, MARKER_BUCKET, partArnName, ROUTER_FUNCTION } from '../contract/placeholders.ts';
import type { Workflow } from '../model.ts';
import type { SyncEdge } from '../plan/plan.ts';
import type { SweepPlan } from '../sweep/plan.ts';
import { ExecutionAbortedError, ExecutionError, StateMachine, type EventLog, type ExecutionKind, type JsonValue, type RunOptions, type StateMachineDefinition } from './engine.ts';
import { localHandlers, statesError, type JobRunner, type JobWork } from './handlers.ts';
import type { OutputValues } from './outputs.ts';
import { indexStates, type StateIndex } from './roles.ts';
import { LocalRouter } from './router.ts';
import { InstanceEvents } from '../sweep/local.ts';
import { scaledTimes } from './time-scale.ts';
import type { MarkerStore } from './store.ts';
import type { RunInput } from '../contract/run.ts';

/** A child state machine of a split workflow: `part-<n>` in CompiledWorkflow.definitions. */
export interface ChildDefinition {
  id: string;
  name: string;
  definition: Definition;
}

export interface ExecutionSetup {
  workflow: Workflow;
  definition: Definition;
  /** The child state machines of a split workflow. */
  children?: readonly ChildDefinition[];
  /** The plan's in-run waits (they name the `J waits for D` states). */
  sync: readonly SyncEdge[];
  /** The plan's sweep plans, by job: sweep jobs' items are served from them. */
  sweeps: ReadonlyMap<string, SweepPlan>;
  input: RunInput;
  executionName: string;
  store: MarkerStore;
  runner: JobRunner;
  /** The run date's marker key part: yyyymmdd or yyyymmddHH. */
  datekey: string;
  track?: <T>(work: Promise<T>) => Promise<T>;
  /** Where handlers record each job's attempts (pass one to watch it live). */
  work?: Map<string, JobWork>;
  /** Called with every event as it is read (live progress). */
  onEvent?: (event: RecordedEvent) => void;
  /** The run's router, when the caller writes markers during the run too (simulate's late markers). */
  router?: LocalRouter;
  /** Skips the engine's own definition validation (the compiler's output is already checked). */
  skipValidation?: boolean;
  /** run --local --speed: every retry pause and Wait state scaled by this (time-scale.ts); absent: as defined. */
  timeScale?: number;
  /** Values of jobs' declared outputs (simulate --output, --items). */
  outputValues?: OutputValues;
}

export interface RecordedEvent {
  type: string;
  time: number;
  /** The execution it belongs to (the run's, or a child's). */
  execution: string;
  kind: ExecutionKind;
  state?: string;
  stateType?: string;
  error?: string;
  cause?: string;
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionOutcome {
  status: ExecutionStatus;
  error?: { name: string; cause: string };
  executionName: string;
  startedAt: number;
  endedAt: number;
  /** In the order they happened, of the execution and its children. */
  events: RecordedEvent[];
  work: Map<string, JobWork>;
  index: StateIndex;
  bucket: string;
}

export interface LocalExecution {
  outcome: Promise<ExecutionOutcome>;
  /** Stops the execution and its children (Ctrl-C); the outcome then has status ABORTED. */
  abort(): void;
}

const LOCAL_ACCOUNT = 'arn:aws:states:local:000000000000';
const stateMachineArn = (name: string): string => `${LOCAL_ACCOUNT}:stateMachine:${name}`;
const executionArn = (machine: string, name: string): string => `${LOCAL_ACCOUNT}:execution:${machine}:${name}`;

/** Values of the definition's `${...}` placeholders in a local run. */
export function localSubstitutions(workflow: Workflow, children: readonly ChildDefinition[] = []): Record<string, string> {
  const out: Record<string, string> = {
    [MARKER_BUCKET]: workflow.markers.bucket ?? `stepgraph-${workflow.name}-markers`,
    [ACTIVATOR_FUNCTION]: 'arn:aws:lambda:local:000000000000:function:stepgraph-activator',
    [ROUTER_FUNCTION]: LOCAL_ROUTER_ARN,
    [DEADLINE_FUNCTION]: 'arn:aws:lambda:local:000000000000:function:stepgraph-deadline',
  };
  for (const child of children) {
    const n = /^part-(\d+)$/.exec(child.id)?.[1];
    if (n !== undefined) out[partArnName(Number(n))] = stateMachineArn(child.name);
  }
  return out;
}

/** The router's stand-in ARN: Tasks invoking it are served by the local router (router.ts). */
const LOCAL_ROUTER_ARN = 'arn:aws:lambda:local:000000000000:function:stepgraph-router';

function substitute(definition: Definition, substitutions: Record<string, string>): StateMachineDefinition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => (Object.hasOwn(substitutions, name) ? substitutions[name] : whole));
  // State names are the user's job names: the engine looks them up as `States[name]`, so each
  // States table has no prototype (a job named `constructor` is a state, not Object's constructor).
  return JSON.parse(text, (key, value: unknown) => (key === 'States' && value !== null && typeof value === 'object' ? Object.assign(Object.create(null), value) : value)) as StateMachineDefinition;
}

interface Machine {
  name: string;
  definition: StateMachineDefinition;
  engine: InstanceType<typeof StateMachine>;
}

interface Running {
  result: Promise<JsonValue>;
  consumed: Promise<void>;
  abort: () => void;
}

export function startExecution(setup: ExecutionSetup): LocalExecution {
  const children = setup.children ?? [];
  const substitutions = localSubstitutions(setup.workflow, children);
  const validation = { validationOptions: { noValidate: setup.skipValidation ?? false, checkArn: true, checkPaths: true } };
  const machine = (name: string, definition: Definition): Machine => {
    const parsed = substitute(localForm(setup.workflow, definition), substitutions);
    return { name, definition: parsed, engine: new StateMachine(parsed, validation) };
  };
  const main = machine(setup.workflow.name, setup.definition);
  const childMachines = new Map(children.map((c) => [stateMachineArn(c.name), machine(c.name, c.definition)]));
  const index = indexStates(setup.workflow, setup.sync, [main.definition, ...[...childMachines.values()].map((m) => m.definition)] as never);
  const events: RecordedEvent[] = [];
  const work = setup.work ?? new Map<string, JobWork>();
  const running = new Set<Running>();
  let ended = false;
  let childCount = 0;
  let tokens = 0;
  const router = setup.router ?? new LocalRouter(setup.store, { track: setup.track });
  // Sweep jobs' instances end on the local EC2, which tells the router (as EC2's events would).
  const instances = new InstanceEvents();
  router.useInstances(instances);

  const run = (m: Machine, input: JsonValue, executionName: string): Running => {
    const options: RunOptions = {
      overrides: { taskResourceLocalHandlers: handlers, ...(setup.timeScale !== undefined && scaledTimes(m.definition as never, setup.timeScale)) },
      context: {
        Execution: { Id: executionArn(m.name, executionName), Name: executionName },
        StateMachine: { Id: stateMachineArn(m.name), Name: m.name },
        // Read when a path is evaluated: the time of evaluation stands in for the state's entry.
        State: {
          get EnteredTime(): string {
            return new Date().toISOString();
          },
          // The engine does not count retries for the context; locally nothing depends on it.
          RetryCount: 0,
        },
        // Read when a callback Task's Parameters are evaluated: one token per attempt.
        Task: {
          get Token(): string {
            return `local-task-token-${++tokens}`;
          },
        },
      },
      stepgraphSink: {
        iterations: index.iterations,
        sink: (event: EventLog, kind: ExecutionKind) => {
          const recorded = record(event, kind, executionName);
          events.push(recorded);
          setup.onEvent?.(recorded);
        },
      },
    };
    const execution = m.engine.run(input, options);
    const consumed = (async () => {
      for await (const _ of execution.eventLogs);
    })();
    const handle: Running = { result: execution.result, consumed, abort: () => execution.abort() };
    running.add(handle);
    void execution.result.then(
      () => running.delete(handle),
      () => running.delete(handle),
    );
    return handle;
  };

  /** startExecution.sync:2 of a child: run it here (its Output as JSON); fail as Step Functions reports a failed child. */
  const runChild = async (arn: string, input: JsonValue, given?: string): Promise<JsonValue> => {
    const child = childMachines.get(arn)!;
    const name = given ?? `${setup.executionName}-${child.name.slice(setup.workflow.name.length + 1)}-${++childCount}`;
    const execution = executionArn(child.name, name);
    try {
      const output = await run(child, input, name).result;
      await router.pools.runEnded(execution, 'SUCCEEDED');
      return { ExecutionArn: execution, Status: 'SUCCEEDED', Output: output };
    } catch (e) {
      // A child's end event gives back the slots its jobs still hold, as the parent's does.
      await router.pools.runEnded(execution, e instanceof ExecutionAbortedError ? 'ABORTED' : 'FAILED');
      const cause = e instanceof ExecutionError ? (e.cause as Error) : (e as Error);
      throw statesError('States.TaskFailed', JSON.stringify({ ExecutionArn: execution, Status: e instanceof ExecutionAbortedError ? 'ABORTED' : 'FAILED', Error: cause?.name, Cause: cause?.message }));
    }
  };

  // Aborted with the run: local work on a clock (a sweep item's time) stops instead of outliving it.
  const stopped = new AbortController();
  const handlers = localHandlers({
    workflow: setup.workflow,
    sweeps: setup.sweeps,
    ...(setup.timeScale !== undefined && { timeScale: setup.timeScale }),
    stopped: stopped.signal,
    index,
    store: router.markers,
    router,
    routerArn: LOCAL_ROUTER_ARN,
    instances,
    runner: setup.runner,
    bucket: substitutions[MARKER_BUCKET],
    datekey: setup.datekey,
    work,
    track: setup.track ?? ((w) => w),
    ended: () => ended,
    childMachine: (arn, input, name) => (childMachines.has(arn) ? runChild(arn, input, name) : undefined),
    ...(setup.outputValues && { outputValues: setup.outputValues }),
  });

  const startedAt = Date.now();
  const root = run(main, setup.input as unknown as JsonValue, setup.executionName);
  const stopAll = (): void => {
    for (const r of running) r.abort();
    stopped.abort();
  };

  const outcome = (async (): Promise<ExecutionOutcome> => {
    let status: ExecutionStatus = 'SUCCEEDED';
    let error: ExecutionOutcome['error'];
    try {
      await root.result;
    } catch (e) {
      if (e instanceof ExecutionAbortedError) status = 'ABORTED';
      else {
        status = 'FAILED';
        const cause = e instanceof ExecutionError ? (e.cause as Error) : (e as Error);
        error = { name: cause?.name ?? 'Error', cause: cause?.message ?? String(e) };
      }
    }
    const endedAt = Date.now();
    // Time stands still until the outcome is whole, so whoever awaits it acts at the end's instant
    // (a schedule's queue starts the next run then), not after the clock's next jump.
    let whole = (): void => undefined;
    void setup.track?.(new Promise<void>((resolve) => (whole = resolve)));
    ended = true;
    try {
      // A failed run leaves no child running (Step Functions stops them with the parent).
      stopAll();
      // Its end event: the slots it still holds go back to their pools (contract/pools.ts).
      await router.pools.runEnded(executionArn(main.name, setup.executionName), status);
      // Branch events reach the log a few promise reactions after the end; let them arrive.
      await root.consumed;
      await new Promise((resolve) => setImmediate(resolve));
      events.sort((a, b) => a.time - b.time);
    } finally {
      // Even when the end fails: a clock held still forever would spin instead of reporting it.
      whole();
    }
    return { status, error, executionName: setup.executionName, startedAt, endedAt, events, work, index, bucket: substitutions[MARKER_BUCKET] };
  })();
  return { outcome, abort: stopAll };
}

function record(event: EventLog, kind: ExecutionKind, execution: string): RecordedEvent {
  const out: RecordedEvent = { type: event.type, time: event.timestamp, execution, kind };
  if (event.state) {
    out.state = event.state.name;
    out.stateType = event.state.type;
  }
  if (event.Error !== undefined) out.error = event.Error;
  if (event.Cause !== undefined) out.cause = typeof event.Cause === 'string' ? event.Cause : String((event.Cause as Error)?.message ?? event.Cause);
  return out;
}
