// `run --local --speed X` scales every wait of the run, not only the jobs' estimates: the pauses
// between retries (a job's retry interval of 10 minutes takes 0.6 s at --speed 0.001) and Wait
// states, through the engine's own overrides (and, for a Wait reading its seconds from the input,
// such as a sweep item's launch delay, a scale engine.ts adds), so the definition runs unchanged.
//
// The engine takes one pause per retrier (no backoff), so a job's retrier pauses for the mean of
// its pauses, scaled: its whole time scales by exactly X (0: retries at once). Waits are callbacks
// released by their events (nothing to scale but their deadlines, which the engine keeps).
import type { JsonValue } from './engine.ts';

export interface TimeOverrides {
  retryIntervalOverrides: Record<string, number[]>;
  waitTimeOverrides: Record<string, number>;
  /** Wait states that read their seconds from the input (a sweep item's launch delay): each wait x this (engine.ts). */
  waitTimeScale: number;
}


interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

interface State {
  Type: string;
  Retry?: Retrier[];
  Seconds?: number;
  Branches?: { States: Record<string, State> }[];
  Iterator?: { States: Record<string, State> };
  ItemProcessor?: { States: Record<string, State> };
}

/** Overrides for every state of the definition (nested branches and Map iterations included). */
export function scaledTimes(definition: { States: Record<string, State> } | JsonValue, speed: number): TimeOverrides {
  const out: TimeOverrides = { retryIntervalOverrides: {}, waitTimeOverrides: {}, waitTimeScale: speed };
  const walk = (states: Record<string, State>): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Retry) out.retryIntervalOverrides[name] = state.Retry.map((r) => scaledPause(r, speed));
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') out.waitTimeOverrides[name] = state.Seconds * 1000 * speed;
      for (const branch of state.Branches ?? []) walk(branch.States);
      const inner = state.ItemProcessor ?? state.Iterator;
      if (inner) walk(inner.States);
    }
  };
  walk((definition as { States: Record<string, State> }).States);
  return out;
}

/** The retrier's mean pause in ms (Step Functions' defaults: 1 s, 3 attempts, backoff 2), scaled. */
function scaledPause(retrier: Retrier, speed: number): number {
  const attempts = retrier.MaxAttempts ?? 3;
  if (attempts === 0) return 0;
  const interval = retrier.IntervalSeconds ?? 1;
  const backoff = retrier.BackoffRate ?? 2;
  let total = 0;
  for (let k = 0; k < attempts; k++) total += Math.min(interval * backoff ** k, retrier.MaxDelaySeconds ?? Infinity);
  return (total / attempts) * 1000 * speed;
}
