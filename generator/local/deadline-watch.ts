// The deadline handler's two calls in a local run. Arming and ending a watch touch only
// EventBridge Scheduler in AWS; locally there is nothing to schedule: simulate and `run --local`
// judge the deadlines from the run's own timeline once it ends (local/deadline-report.ts), by the
// same contract logic the handler applies at each checkpoint.
import { DEADLINE_STATES } from '../contract/deadline-watch.ts';
import type { JsonValue } from './engine.ts';
import type { StateIndex } from './roles.ts';

export function deadlineWatchHandlers(index: StateIndex): Record<string, (input: JsonValue) => Promise<JsonValue>> {
  const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const name of Object.values(DEADLINE_STATES)) if (index.tasks.has(name)) handlers[name] = async () => ({});
  return handlers;
}
