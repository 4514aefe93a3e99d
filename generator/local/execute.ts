// One execution of an emitted definition on the embedded engine: placeholders resolved, every
// Task served locally, the context object filled in (the engine only knows Execution.Input and
// StartTime), every event of every branch recorded. Used by simulate (on the virtual clock) and
// by `run --local` (in real time).
import type { Definition } from '../emit/asl.ts';
import type { Workflow } from '../model.ts';
import type { SyncEdge } from '../plan/plan.ts';
import { ExecutionAbortedError, ExecutionError, StateMachine, type EventLog, type ExecutionKind, type JsonValue, type RunOptions, type StateMachineDefinition } from './engine.ts';
import { localHandlers, type JobRunner, type JobWork } from './handlers.ts';
import { indexStates, type StateIndex } from './roles.ts';
import type { MarkerStore } from './store.ts';

export interface RunInput {
  date: string;
  params?: Record<string, unknown>;
  /** Replay: only these jobs run; the others are skipped as already done. */
  select?: Record<string, true>;
}

export interface ExecutionSetup {
  workflow: Workflow;
  definition: Definition;
  /** The plan's in-run waits (they name the `J waits for D` states). */
  sync: readonly SyncEdge[];
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
  onPipelineFailure?: (job: string, error: Error) => void;
  /** Skips the engine's own definition validation (the compiler's output is already checked). */
  skipValidation?: boolean;
}

export interface RecordedEvent {
  type: string;
  time: number;
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
  /** In the order they happened. */
  events: RecordedEvent[];
  work: Map<string, JobWork>;
  index: StateIndex;
  bucket: string;
}

export interface LocalExecution {
  outcome: Promise<ExecutionOutcome>;
  /** Stops the execution (Ctrl-C); the outcome then has status ABORTED. */
  abort(): void;
}

const LOCAL_ACCOUNT = 'arn:aws:states:local:000000000000';

/** Values of the definition's `${...}` placeholders in a local run. */
export function localSubstitutions(workflow: Workflow): Record<string, string> {
  return {
    MarkerBucket: workflow.markers.bucket ?? `stepgraph-${workflow.name}-markers`,
    ActivatorFunctionArn: 'arn:aws:lambda:local:000000000000:function:stepgraph-activator',
  };
}

export function startExecution(setup: ExecutionSetup): LocalExecution {
  const substitutions = localSubstitutions(setup.workflow);
  const text = JSON.stringify(setup.definition).replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => substitutions[name] ?? whole);
  const definition = JSON.parse(text) as StateMachineDefinition;
  const index = indexStates(setup.workflow, setup.sync, definition as never);
  const events: RecordedEvent[] = [];
  const work = setup.work ?? new Map<string, JobWork>();
  let ended = false;
  const handlers = localHandlers({
    workflow: setup.workflow,
    index,
    store: setup.store,
    runner: setup.runner,
    bucket: substitutions.MarkerBucket,
    datekey: setup.datekey,
    work,
    track: setup.track ?? ((w) => w),
    ended: () => ended,
    onPipelineFailure: setup.onPipelineFailure,
  });

  const machine = new StateMachine(definition, { validationOptions: { noValidate: setup.skipValidation ?? false, checkArn: true, checkPaths: true } });
  const startedAt = Date.now();
  const stateMachineName = setup.workflow.name;
  const options: RunOptions = {
    overrides: { taskResourceLocalHandlers: handlers },
    context: {
      Execution: { Id: `${LOCAL_ACCOUNT}:execution:${stateMachineName}:${setup.executionName}`, Name: setup.executionName },
      StateMachine: { Id: `${LOCAL_ACCOUNT}:stateMachine:${stateMachineName}`, Name: stateMachineName },
      // Read when a path is evaluated: the time of evaluation stands in for the state's entry.
      State: {
        get EnteredTime(): string {
          return new Date().toISOString();
        },
      },
    },
    stepgraphSink: {
      iterations: index.iterations,
      sink: (event: EventLog, kind: ExecutionKind) => {
        const recorded = record(event, kind);
        events.push(recorded);
        setup.onEvent?.(recorded);
      },
    },
  };
  const execution = machine.run(setup.input as unknown as JsonValue, options);
  const consumed = (async () => {
    for await (const _ of execution.eventLogs);
  })();

  const outcome = (async (): Promise<ExecutionOutcome> => {
    let status: ExecutionStatus = 'SUCCEEDED';
    let error: ExecutionOutcome['error'];
    try {
      await execution.result;
    } catch (e) {
      if (e instanceof ExecutionAbortedError) status = 'ABORTED';
      else {
        status = 'FAILED';
        const cause = e instanceof ExecutionError ? (e.cause as Error) : (e as Error);
        error = { name: cause?.name ?? 'Error', cause: cause?.message ?? String(e) };
      }
    }
    const endedAt = Date.now();
    ended = true;
    // Branch events reach the log a few promise reactions after the end; let them arrive.
    if (status !== 'ABORTED') await consumed;
    await new Promise((resolve) => setImmediate(resolve));
    events.sort((a, b) => a.time - b.time);
    return { status, error, executionName: setup.executionName, startedAt, endedAt, events, work, index, bucket: substitutions.MarkerBucket };
  })();
  return { outcome, abort: () => execution.abort() };
}

function record(event: EventLog, kind: ExecutionKind): RecordedEvent {
  const out: RecordedEvent = { type: event.type, time: event.timestamp, kind };
  if (event.state) {
    out.state = event.state.name;
    out.stateType = event.state.type;
  }
  if (event.Error !== undefined) out.error = event.Error;
  if (event.Cause !== undefined) out.cause = typeof event.Cause === 'string' ? event.Cause : String((event.Cause as Error)?.message ?? event.Cause);
  return out;
}
