// Loads aws-local-stepfunctions, the embedded engine that runs an emitted definition as is, and
// adds what stepgraph needs around it:
// - the Node 20 polyfill (polyfill.ts), imported first: the engine calls Promise.withResolvers;
// - corrections, applied to the engine's CommonJS build as it loads (each must match the
//   source exactly, or loading fails: a new engine version has to be looked at again):
//   * Parallel branches without a concurrency cap. The engine starts at most 40 branches of a
//     Parallel state at a time; Step Functions starts them all. With in-run waits between
//     branches, a held-back branch could be the one another waits for, and the run would stall
//     until the wait's deadline. (Map keeps its MaxConcurrency.)
//   * No Task timeout unless the state sets one. The engine times a Task out after 60 s when
//     it has no TimeoutSeconds; Step Functions' default is 99999999 s. A child state machine
//     run by startExecution.sync (a split workflow) runs for hours without one.
//   * TimeoutSecondsPath read from the state's input. The engine reads it from the Task's
//     effective input (after Parameters); Step Functions reads the reference path from the state
//     input. A sweep item's wait takes its deadline from `$.item.deadline` of its input.
//   * Escaped backslashes in intrinsic string literals. The engine drops every backslash of an
//     intrinsic's string result; Step Functions reads `\\` as one backslash (and `\'`, `\{`,
//     `\}` as the character escaped). A date-templated value with a backslash (kinds/templates.ts)
//     reached the local handlers without it.
//   * Choice type tests with `false`. The engine evaluates `"IsPresent": false` (and IsNull,
//     IsNumeric, IsString, IsBoolean, IsTimestamp) as never matching; in Step Functions it
//     matches when the test fails. The emitted selection guard (`$.select.<job>` IsPresent
//     false) depends on it: without the fix a replay would run every job.
// - a lossless event feed. The engine forwards a branch's events to the root's log
//   asynchronously and drops what arrives after the root has ended, so the root log misses the
//   last events of nested branches. Every execution (root, branch, Map iteration) is created with
//   StateMachine.run, so run is wrapped to hand each execution's own events to a sink as they
//   are read (forwarded copies are the same objects and are skipped by identity).
import './polyfill.ts';
import Module, { createRequire } from 'node:module';
import type { RunOptions as EngineRunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';

type Engine = typeof import('aws-local-stepfunctions');

interface SourcePatch {
  why: string;
  find: RegExp;
  replace: string;
  /** How many places the pattern must match. */
  count: number;
}

const PATCHES: SourcePatch[] = [
  { why: 'Parallel branches without a cap', find: /var DEFAULT_CONCURRENCY = 40;/g, replace: 'var DEFAULT_CONCURRENCY = Infinity;', count: 1 },
  { why: 'the default Task timeout', find: /var DEFAULT_TIMEOUT_SECONDS = 60;/g, replace: 'var DEFAULT_TIMEOUT_SECONDS = 99999999;', count: 1 },
  // Node fires a timer longer than 2^31-1 ms at once; such a timeout (24.8 days and more) is none.
  {
    why: 'timeouts beyond the longest timer',
    find: /const timeoutId = setTimeout\(\(\) => rejectTimeout\(new StatesTimeoutError\(\)\), timeoutMs\);/g,
    replace: 'const timeoutId = timeoutMs <= 2147483647 ? setTimeout(() => rejectTimeout(new StatesTimeoutError()), timeoutMs) : undefined;',
    count: 1,
  },
  {
    why: 'TimeoutSecondsPath from the state input (1/2)',
    find: /const executionResult = await taskStateAction\.execute\(input, context, \{ overrideFn, awsConfig \}\);/g,
    replace:
      'const executionResult = await taskStateAction.execute(input, context, { overrideFn, awsConfig, timeoutInput: "InputPath" in stateDefinition ? processInputPath(stateDefinition.InputPath, rawInput, context) : rawInput });',
    count: 1,
  },
  { why: 'TimeoutSecondsPath from the state input (2/2)', find: /const timeoutMs = this\.getTimeoutMs\(input, context\);/g, replace: 'const timeoutMs = this.getTimeoutMs(options.timeoutInput ?? input, context);', count: 1 },
  { why: 'escaped backslashes in intrinsic strings', find: /result = result\.replaceAll\("\\\\", ""\);/g, replace: 'result = result.replace(/\\\\([\\s\\S])/g, "$1");', count: 1 },
  { why: 'Choice type tests with false', find: /return (\w+True) && (.+);/g, replace: 'return $1 ? ($2) : !($2);', count: 6 },
];

function patchSource(source: string): string {
  let out = source;
  for (const patch of PATCHES) {
    const found = out.match(patch.find)?.length ?? 0;
    if (found !== patch.count) {
      throw new Error(`aws-local-stepfunctions: expected ${patch.count} place(s) for '${patch.why}', found ${found}; review generator/local/engine.ts for this engine version`);
    }
    out = out.replace(patch.find, patch.replace);
  }
  return out;
}

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

type Compile = (this: unknown, content: string, filename: string) => unknown;

function loadEngine(): Engine {
  const projectRequire = createRequire(import.meta.url);
  // The CommonJS build: require goes through Module#_compile, where the source can be patched.
  const enginePath = projectRequire.resolve('aws-local-stepfunctions');
  delete projectRequire.cache[enginePath];
  const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = proto._compile;
  let patched = false;
  proto._compile = function (content, filename) {
    if (filename !== enginePath) return compile.call(this, content, filename);
    patched = true;
    return compile.call(this, patchSource(content), filename);
  };
  let engine: Engine;
  try {
    engine = projectRequire(enginePath) as Engine;
  } finally {
    proto._compile = compile;
  }
  if (!patched) throw new Error(`aws-local-stepfunctions was not loaded from ${enginePath}; its corrections could not be applied`);
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
