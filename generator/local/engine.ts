// Loads aws-local-stepfunctions, the embedded engine that runs an emitted definition as is, and
// adds what stepgraph needs around it:
// - the Node 20 polyfill (polyfill.ts), imported first: the engine calls Promise.withResolvers;
// - Parallel branches without a concurrency cap. The engine starts at most 40 branches of a
//   Parallel state at a time (through p-limit); Step Functions starts them all. With in-run waits
//   between branches, a capped branch could wait for a branch not yet allowed to start and the
//   run would stall until the wait's deadline. The engine's CommonJS build is loaded after the
//   cached p-limit export has been replaced by a wrapper that lifts the cap for Parallel states
//   (Map keeps its MaxConcurrency);
// - a lossless event feed. The engine forwards a branch's events to the root's log
//   asynchronously and drops what arrives after the root has ended, so the root log misses the
//   last events of nested branches. Every execution (root, branch, Map iteration) is created with
//   StateMachine.run, so run is wrapped to hand each execution's own events to a sink as they
//   are read (forwarded copies are the same objects and are skipped by identity).
import './polyfill.ts';
import { createRequire } from 'node:module';
import type { RunOptions as EngineRunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';

type Engine = typeof import('aws-local-stepfunctions');
type PLimit = ((concurrency: number) => unknown) & { stepgraphUncapped?: boolean };

export type { StateMachineDefinition };

/** The part of the engine's event records stepgraph reads (the engine does not export the type). */
export interface EventLog {
  type: string;
  /** Date.now() when it happened: virtual time under simulate. */
  timestamp: number;
  state?: { name: string; type: string };
  Error?: string;
  Cause?: unknown;
}
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type ExecutionKind = 'root' | 'branch' | 'iteration';
/** Receives every event of every execution of a run once, tagged with the kind of execution. */
export type EventSink = (event: EventLog, kind: ExecutionKind) => void;

export interface RunOptions extends EngineRunOptions {
  /** stepgraph's own option; the engine passes run options on to branches unchanged. */
  stepgraphSink?: { sink: EventSink; iterations: WeakSet<object> };
}

function loadEngine(): Engine {
  const projectRequire = createRequire(import.meta.url);
  const enginePath = projectRequire.resolve('aws-local-stepfunctions');
  const engineRequire = createRequire(enginePath);
  const pLimitPath = engineRequire.resolve('p-limit');
  const pLimit = engineRequire('p-limit') as PLimit;
  if (!pLimit.stepgraphUncapped) {
    const uncapped = (concurrency: number): unknown => pLimit(new Error().stack?.includes('ParallelStateAction') ? Infinity : concurrency);
    engineRequire.cache[pLimitPath]!.exports = Object.assign(uncapped, { stepgraphUncapped: true });
  }
  const engine = projectRequire(enginePath) as Engine;
  wrapRun(engine.StateMachine);
  return engine;
}

function wrapRun(StateMachine: Engine['StateMachine']): void {
  const proto = StateMachine.prototype as unknown as { run: StateMachineRun; stepgraphWrapped?: boolean };
  if (proto.stepgraphWrapped) return;
  const original = proto.run;
  proto.run = function run(this: { definition: object }, input, options) {
    const execution = original.call(this, input, options);
    const tap = options?.stepgraphSink;
    if (!tap) return execution;
    // Branches and iterations run with the root's options plus the engine's own root signal.
    const kind: ExecutionKind = !(options as { _rootAbortSignal?: unknown })._rootAbortSignal ? 'root' : tap.iterations.has(this.definition) ? 'iteration' : 'branch';
    return { ...execution, eventLogs: tapped(execution.eventLogs, tap.sink, kind) };
  };
  proto.stepgraphWrapped = true;
}

type StateMachineRun = (input: JsonValue, options?: RunOptions) => { abort: () => void; result: Promise<JsonValue>; eventLogs: AsyncGenerator<EventLog> };

const seen = new WeakSet<object>();

async function* tapped(events: AsyncGenerator<EventLog>, sink: EventSink, kind: ExecutionKind): AsyncGenerator<EventLog> {
  for await (const event of events) {
    if (!seen.has(event)) {
      seen.add(event);
      sink(event, kind);
    }
    yield event;
  }
}

const engine = loadEngine();

export const { StateMachine, ExecutionError, ExecutionAbortedError } = engine;
