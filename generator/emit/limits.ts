// Step Functions' hard limits, measured on emitted definitions: the definition's size, the
// worst-case number of history events of one execution, and the worst-case size of the state
// data. The compiler warns (SG4001) when a figure comes within 20% of its limit and splits
// graphs too big for one state machine (plan/split.ts); these are the measurements both use.
//
// The history estimate is a worst case of a run that goes through, counted per state type:
// - every state on the longest path (Choice: its longest branch; Parallel: all branches; a
//   Catch counts as a path too), with the events AWS records for its type;
// - each job Task retried up to its MaxAttempts, each failed attempt adding its events;
// - a wait is one callback Task: a small constant whatever its deadline (nothing polls);
// - transient-error retriers (Lambda's own errors, marker writes to S3) are not counted: they
//   need AWS itself to misbehave on many states of one run;
// - an inline Map is counted at INLINE_MAP_ITEMS iterations unless the caller says otherwise;
//   a Distributed Map runs its items as child executions (their events are not the parent's).
import type { Definition } from './asl.ts';
import type { State, States } from './job.ts';

export const LIMITS = {
  /** Largest definition Step Functions accepts, in UTF-8 bytes (and largest API request). */
  definitionBytes: 1_048_576,
  /** Largest history of one execution; past it the execution fails. */
  historyEvents: 25_000,
  /** Largest input, output or state data passed between states, in UTF-8 bytes. */
  payloadBytes: 262_144,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Warn from this fraction of a limit on ("within 20% of a limit"). */
export const WARN_FRACTION = 0.8;

/** Iterations an inline Map is counted at when the caller does not know its item count. */
const INLINE_MAP_ITEMS = 40;

/** Retriers of these errors only are transient (not counted in the worst case). */
const TRANSIENT = new Set(['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.SdkClientException', 'Lambda.AWSLambdaException']);
/** Marker writes retry any failure (emit/job.ts); only S3 failing makes them retry. */
const S3_WRITE = /^arn:aws:states:::aws-sdk:s3:(putObject|deleteObject)$/;

export interface HistoryOptions {
  /** Iterations of an inline Map state; undefined: INLINE_MAP_ITEMS. */
  mapItems?: (stateName: string, state: State) => number | undefined;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  MaxAttempts?: number;
}

export interface Measurement {
  /** UTF-8 bytes of the definition as deployed (compact JSON). */
  definitionBytes: number;
  /**
   * What the size limit is checked against: the request that creates the state machine, which
   * carries the definition JSON-escaped (every quote doubles up) with its placeholders
   * substituted, plus the rest of the request. Step Functions caps requests at 1 MB as well.
   */
  requestBytes: number;
  /** Worst-case history events of one execution of this definition (see the header). */
  historyEvents: number;
  /** States, all levels. */
  states: number;
}

/** A substituted placeholder at its longest (an ARN; a bucket name is at most 63 characters). */
const PLACEHOLDER_VALUE_BYTES = 140;
/** The rest of a CreateStateMachine request: name, role ARN, logging and tracing settings, tags. */
const REQUEST_OVERHEAD_BYTES = 4096;

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The deployed form of a definition: compact JSON (the limit counts these bytes). */
export const deployedText = (definition: Definition): string => JSON.stringify(definition);

/** Bytes of the request that creates a state machine with this (compact) definition text. */
export function requestBytes(text: string): number {
  return requestBytesOf(text, textBytes(text).jsonString);
}

function requestBytesOf(text: string, jsonString: number): number {
  let growth = 0;
  // Most texts hold no placeholder: the scan is skipped where there is no `${` at all.
  if (text.includes('${')) for (const m of text.matchAll(/\$\{[A-Za-z0-9]+\}/g)) growth += PLACEHOLDER_VALUE_BYTES - m[0].length;
  return jsonString + growth + REQUEST_OVERHEAD_BYTES;
}

/**
 * UTF-8 bytes of JSON.stringify(text), counted without building it: a definition of a split
 * graph is most of a megabyte, and hundreds of them are measured per compile.
 */
export const jsonStringBytes = (text: string): number => textBytes(text).jsonString;

/**
 * UTF-8 bytes of a text and of the JSON string that quotes it, counted natively: a 100,000-job
 * graph's definitions are 230 MB of text, and a character loop in JavaScript over them costs
 * seconds where these native passes cost a fraction. JSON.stringify escapes exactly what a
 * definition's text must escape (`"`, `\`, control characters, lone surrogates as \uXXXX); a
 * text whose UTF-8 bytes are as many as its characters is ASCII, and so is its quoted form.
 */
function textBytes(text: string): { utf8: number; jsonString: number } {
  const utf8 = utf8Bytes(text);
  const quoted = JSON.stringify(text);
  return { utf8, jsonString: utf8 === text.length ? quoted.length : utf8Bytes(quoted) };
}

export function measureDefinition(definition: Definition, options: HistoryOptions = {}, text = deployedText(definition)): Measurement {
  const bytes = textBytes(text);
  return {
    definitionBytes: bytes.utf8,
    requestBytes: requestBytesOf(text, bytes.jsonString),
    // ExecutionStarted and ExecutionSucceeded (or Failed).
    historyEvents: 2 + historyOfStates(definition.StartAt, definition.States, options),
    states: countStates(definition.States),
  };
}

/** Worst-case events from `startAt` to the end of a States object (longest path). */
export function historyOfStates(startAt: string, states: States, options: HistoryOptions = {}): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  // Iterative post-order: thousands of states in one scope would overflow a recursive walk. The
  // stack holds names and, beside them, whether the name is being finished; one scratch list
  // takes each state's successors (this runs over the 600,000 states of a 100,000-job graph twice).
  const stack: string[] = [startAt];
  const finishing: boolean[] = [false];
  const next: string[] = [];
  while (stack.length > 0) {
    const name = stack.pop()!;
    const expanded = finishing.pop()!;
    if (!Object.hasOwn(states, name) || (!expanded && (memo.has(name) || visiting.has(name)))) continue;
    successorsInto(states[name], next);
    if (!expanded) {
      visiting.add(name);
      stack.push(name);
      finishing.push(true);
      for (const s of next) {
        if (memo.has(s) || visiting.has(s)) continue;
        stack.push(s);
        finishing.push(false);
      }
      continue;
    }
    visiting.delete(name);
    // A successor still being visited closes a loop: its states are counted once.
    let after = 0;
    for (const s of next) after = Math.max(after, memo.get(s) ?? 0);
    memo.set(name, stateEvents(name, states[name], options) + after);
  }
  return memo.get(startAt) ?? 0;
}

/** Events of one state (its own, its retries, and for Parallel and Map what runs inside). */
export function stateEvents(name: string, state: State, options: HistoryOptions = {}): number {
  switch (state.Type) {
    case 'Task': {
      const resource = String(state.Resource ?? '');
      // A .sync or callback Task also records TaskSubmitted.
      const perAttempt = /\.sync(:\d+)?$|\.waitForTaskToken$/.test(resource) ? 4 : 3;
      return 2 + perAttempt * (1 + retries(state));
    }
    case 'Parallel': {
      const branches = (state.Branches as { StartAt: string; States: States }[]) ?? [];
      return 4 + branches.reduce((sum, b) => sum + historyOfStates(b.StartAt, b.States, options), 0);
    }
    case 'Map': {
      const processor = (state.ItemProcessor ?? state.Iterator) as { StartAt: string; States: States; ProcessorConfig?: { Mode?: string } } | undefined;
      // MapStateEntered/Started/Succeeded/Exited; a distributed Map adds MapRunStarted/Succeeded.
      if (!processor || processor.ProcessorConfig?.Mode === 'DISTRIBUTED') return 6;
      const items = options.mapItems?.(name, state) ?? INLINE_MAP_ITEMS;
      // Each iteration: MapIterationStarted and MapIterationSucceeded around its states.
      return 4 + items * (2 + historyOfStates(processor.StartAt, processor.States, options));
    }
    default:
      // Pass, Choice, Wait, Succeed, Fail: Entered and Exited.
      return 2;
  }
}

function retries(state: State): number {
  if (S3_WRITE.test(String(state.Resource ?? ''))) return 0;
  let total = 0;
  for (const retrier of (state.Retry as Retrier[] | undefined) ?? []) {
    if (retrier.ErrorEquals.every((e) => TRANSIENT.has(e))) continue;
    total += retrier.MaxAttempts ?? 3;
  }
  return total;
}

/** Fills `out` with a state's successors (Next, Choices, Default, Catch), in that order. */
function successorsInto(state: State, out: string[]): void {
  out.length = 0;
  if (typeof state.Next === 'string') out.push(state.Next);
  const choices = state.Choices as { Next: string }[] | undefined;
  if (choices) for (const c of choices) out.push(c.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  const catches = state.Catch as { Next: string }[] | undefined;
  if (catches) for (const c of catches) out.push(c.Next);
}

function countStates(states: States): number {
  let n = 0;
  for (const state of Object.values(states)) {
    n++;
    for (const b of (state.Branches as { States: States }[] | undefined) ?? []) n += countStates(b.States);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
    if (processor) n += countStates(processor.States);
  }
  return n;
}

/** A figure against its limit, as printed: "1,012,345 bytes (97% of the 1,048,576-byte limit)". */
export function describeFigure(limit: LimitName, value: number): string {
  const unit = limit === 'historyEvents' ? 'events' : 'bytes';
  const limitText = limit === 'historyEvents' ? `${fmt(LIMITS[limit])}-event` : `${fmt(LIMITS[limit])}-byte`;
  return `${fmt(value)} ${unit} (${Math.round((100 * value) / LIMITS[limit])}% of the ${limitText} limit)`;
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** 'ok' below WARN_FRACTION, 'near' from there to the limit, 'over' past it. */
export function level(limit: LimitName, value: number): 'ok' | 'near' | 'over' {
  if (value > LIMITS[limit]) return 'over';
  return value >= WARN_FRACTION * LIMITS[limit] ? 'near' : 'ok';
}
