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
//   * Local Task handlers get the state input as a second argument (the engine passes only the
//     effective input): a job's local command reads its element and upstream outputs from it.
//   * Wait states reading their seconds from the input (SecondsPath) scaled by `waitTimeScale`
//     (run --local --speed): the engine's own override is one figure per state.
//   * Choice type tests with `false`. The engine evaluates `"IsPresent": false` (and IsNull,
//     IsNumeric, IsString, IsBoolean, IsTimestamp) as never matching; in Step Functions it
//     matches when the test fails. The emitted selection guard (`$.select.<job>` IsPresent
//     false) depends on it: without the fix a replay would run every job.
//   * Escapes in intrinsic string literals. The engine keeps `\'` and `\{` in a literal and
//     deletes every backslash from each intrinsic's result, data included; Step Functions reads
//     the escapes in the literal. A date template's text reaches the service as written.
// - a lossless event feed. The engine forwards a branch's events to the root's log
//   asynchronously and drops what arrives after the root has ended, so the root log misses the
//   last events of nested branches. Every execution (root, branch, Map iteration) is created with
//   StateMachine.run, so run is wrapped to hand each execution's own events to a sink as they
//   are read (forwarded copies are the same objects and are skipped by identity).
import './polyfill.ts';
import Module, { createRequire } from 'node:module';
import { cloneJson, jsonPath } from './engine-speed.ts';
import type { RunOptions as EngineRunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';

type Engine = typeof import('aws-local-stepfunctions');

interface SourcePatch {
  why: string;
  find: RegExp;
  replace: string;
  /** How many places the pattern must match. */
  count: number;
}

// The engine splits an intrinsic's arguments one character at a time into a growing string; a
// sweep item's boot script template is kilobytes long and is split for every item. Slicing
// gives the same arguments: an argument runs from `start` to its comma, and a quote is escaped
// when the character before it, within the argument, is a backslash.
const INTRINSIC_SPLIT_ORIGINAL = String.raw`  let partialArg = "";
  let parensCount = 0;
  let apostropheCount = 0;
  for (let i = 0; i < funcArgs.length; i++) {
    const char = funcArgs[i];
    if (char === "(") {
      parensCount++;
    } else if (char === ")") {
      parensCount--;
    }
    if (char === "'" && partialArg[partialArg.length - 1] !== "\\") {
      if (apostropheCount === 1) {
        apostropheCount--;
      } else {
        apostropheCount++;
      }
    }
    if (char === "," && parensCount === 0 && apostropheCount === 0 || i === funcArgs.length - 1) {
      if (i === funcArgs.length - 1) partialArg += char;
      partialArg = partialArg.trim();
      if (partialArg.startsWith("States")) {
        const evaluatedNestedFunction = evaluateIntrinsicFunction(partialArg, input, context);
        splitArgs.push(JSON.stringify(evaluatedNestedFunction));
      } else {
        splitArgs.push(partialArg);
      }
      partialArg = "";
    } else {
      partialArg += char;
    }
  }`;
const INTRINSIC_SPLIT_FASTER = String.raw`  let parensCount = 0;
  let apostropheCount = 0;
  let start = 0;
  for (let i = 0; i < funcArgs.length; i++) {
    const char = funcArgs[i];
    if (char === "(") {
      parensCount++;
    } else if (char === ")") {
      parensCount--;
    }
    if (char === "'" && !(i > start && funcArgs[i - 1] === "\\")) {
      if (apostropheCount === 1) {
        apostropheCount--;
      } else {
        apostropheCount++;
      }
    }
    if (char === "," && parensCount === 0 && apostropheCount === 0 || i === funcArgs.length - 1) {
      const partialArg = funcArgs.slice(start, i === funcArgs.length - 1 ? i + 1 : i).trim();
      start = i + 1;
      if (partialArg.startsWith("States")) {
        const evaluatedNestedFunction = evaluateIntrinsicFunction(partialArg, input, context);
        splitArgs.push(JSON.stringify(evaluatedNestedFunction));
      } else {
        splitArgs.push(partialArg);
      }
    }
  }`;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the patched engine finds engine-speed.ts's functions (it is CommonJS source compiled on its own). */
const SPEED_KEY = 'stepgraph.engine-speed';
(globalThis as Record<symbol, unknown>)[Symbol.for(SPEED_KEY)] = { jsonPath, cloneJson };

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
  // A local Task handler is handed the state input too (the same value): a job's local command reads
  // `{item}`, `{index}` and `{inputs.<job>.<name>}` from the run's state, as the Task's Parameters do.
  { why: 'the state input for local Task handlers', find: /options\.overrideFn\(input\)/g, replace: 'options.overrideFn(input, options.timeoutInput ?? input)', count: 1 },
  { why: 'Choice type tests with false', find: /return (\w+True) && (.+);/g, replace: 'return $1 ? ($2) : !($2);', count: 6 },
  // Escapes in intrinsic string literals undone where the literal is read, not by deleting every
  // backslash of every intrinsic's result (which loses the backslashes of the data itself).
  { why: 'intrinsic escapes (1/2)', find: /return arg\.slice\(1, lastSingleQuote\);/g, replace: 'return arg.slice(1, lastSingleQuote).replace(/\\\\(.)/gs, "$1");', count: 1 },
  { why: 'intrinsic escapes (2/2)', find: /result = result\.replaceAll\("\\\\", ""\);/g, replace: 'result = result;', count: 1 },
  // Speed only (engine-speed.ts): the same answers, without the general JSONPath evaluator and
  // the entries-based copy on every state of every Map iteration.
  {
    why: 'simple JSONPaths evaluated directly',
    find: /evaluation = \(0, import_jsonpath_plus\.JSONPath\)\(/g,
    replace: `evaluation = globalThis[Symbol.for(${JSON.stringify(SPEED_KEY)})].jsonPath(import_jsonpath_plus.JSONPath, `,
    count: 2,
  },
  {
    why: 'a faster deep copy of JSON data',
    find: /function cloneJSON\(value\) \{\n {2}if \(value === null \|\| typeof value !== "object"\) return value;\n {2}if \(Array\.isArray\(value\)\) return value\.map\(cloneJSON\);\n {2}return Object\.fromEntries\(Object\.entries\(value\)\.map\(\(\[k, v\]\) => \[k, cloneJSON\(v\)\]\)\);\n\}/g,
    replace: `function cloneJSON(value) {\n  return globalThis[Symbol.for(${JSON.stringify(SPEED_KEY)})].cloneJson(value);\n}`,
    count: 1,
  },
  {
    why: 'intrinsic arguments split by slicing',
    find: new RegExp(escapeRegExp(INTRINSIC_SPLIT_ORIGINAL), 'g'),
    replace: INTRINSIC_SPLIT_FASTER,
    count: 1,
  },
  // The engine overrides a Wait state's time with one fixed figure per state; a wait read from the
  // input (a sweep item's launch delay, `SecondsPath`) differs per item, so `--speed` scales it.
  { why: 'Wait SecondsPath scaled (1/2)', find: /(\n\s*)waitTimeOverrideOption,\n/g, replace: '$1waitTimeOverrideOption,$1waitTimeScale: options.runOptions?.overrides?.waitTimeScale,\n', count: 1 },
  { why: 'Wait SecondsPath scaled (2/2)', find: /await sleep\(seconds \* 1e3, options\.abortSignal\);/g, replace: 'await sleep(seconds * 1e3 * (options.waitTimeScale ?? 1), options.abortSignal);', count: 1 },
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
type EventSink = (event: EventLog, kind: ExecutionKind) => void;

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
