// Where `stepgraph schedule pause` records when it paused a schedule: in the schedule's target
// input, as `pausedAt`. The input is what EventBridge Scheduler hands the start handler at each
// fire (its Description is not), and UpdateSchedule keeps it whatever else enables the schedule
// (the AWS console, the CLI), so the first fire after any resume carries the pause instant. The
// record is written only when the deployed input says `catchUp: true` (the stack pastes it, and
// only then lets the start handler read and clear the record), and it is cleared by whoever
// catches up first: `schedule resume`, or the start handler at that first fire.
import { runsOfFireTimes } from './schedule-decisions.ts';
import { fireTimes } from './fire-times.ts';

const PAUSED_AT = 'pausedAt';

/** A pause missing more runs than this is a backfill's job, not a catch-up's (as `schedule resume` says). */
export const MAX_CATCH_UP_RUNS = 366;

/** The input as an object, undefined when it is missing or not a JSON object (then nothing is recorded). */
function inputObject(input: string | undefined): Record<string, unknown> | undefined {
  if (input === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(input);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded pause instant (ms), undefined when none (or not an instant). */
export function recordedPause(input: string | undefined): number | undefined {
  const at = inputObject(input)?.[PAUSED_AT];
  if (typeof at !== 'string') return undefined;
  const t = Date.parse(at);
  return Number.isNaN(t) ? undefined : t;
}

/** The input with the pause instant recorded; undefined when the schedule does not catch up (nothing to record). */
export function withPause(input: string | undefined, at: number): string | undefined {
  const object = inputObject(input);
  if (object?.catchUp !== true) return undefined;
  return JSON.stringify({ ...object, [PAUSED_AT]: new Date(at).toISOString() });
}

/** The input without a pause record; undefined when it has none (nothing to clear). */
export function withoutPause(input: string | undefined): string | undefined {
  const object = inputObject(input);
  if (object === undefined || !(PAUSED_AT in object)) return undefined;
  const { [PAUSED_AT]: _at, ...rest } = object;
  return JSON.stringify(rest);
}

/**
 * At the first fire after a resume made anywhere: the runs of the fire times the pause missed,
 * in (pausedAt, fireAt), oldest first, whether or not they exist. The fire's own date is not
 * among them: the fire starts it as any fire does.
 */
export function missedBeforeFire(expression: string, timeZone: string, pausedAt: number, fireAt: number, anchor: number | undefined, dateOf: (t: number) => string, limit: number): { time: number; date: string }[] {
  const own = dateOf(fireAt);
  const times = fireTimes(expression, timeZone, { after: pausedAt, until: fireAt - 1, limit, anchor });
  return runsOfFireTimes(times, dateOf).filter((r) => r.date !== own);
}
