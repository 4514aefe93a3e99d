// What a schedule's start does under `overlap` and `catch_up`, decided in one place: the start
// handler (at a fire and when a queued schedule's run ends), `schedule resume` (the catch-up) and
// `simulate --schedule` (which replays both on the virtual clock) call these functions, so the
// simulation cannot drift from what the deployed handlers do.
import { fireTimes, type FireWindow, type Overlap } from './fire-times.ts';
import { dateOfRunName } from './run-names.ts';

/** What a scheduled start does: start now, skip for good, or wait for the running run's end. */
export type FireDecision = 'start' | 'skipped' | 'queued';

/**
 * At a fire: `runningOthers` are the workflow's running executions other than the fire date's own
 * (a run of the same date running already is no overlap: its start is a duplicate).
 */
export function decideAtFire(overlap: Overlap | undefined, runningOthers: readonly string[]): FireDecision {
  if ((overlap !== 'skip' && overlap !== 'queue') || runningOthers.length === 0) return 'start';
  return overlap === 'skip' ? 'skipped' : 'queued';
}

/** How far back a queue looks for held starts: more than any run of a queued schedule should last. */
const QUEUE_LOOKBACK_MS = 35 * 86_400_000;
/** At most this many fire times are read back (a rate(1 minute) schedule over 35 days has 50,400). */
const QUEUE_FIRE_TIMES = 2000;

/**
 * Where a drain reads the schedule's fire times: since the schedule's start (StartDate, else its
 * creation; a resume without catch-up moves StartDate to the resume, so a pause's fire times are
 * not queued), at most QUEUE_LOOKBACK_MS back, up to now or the schedule's EndDate (a time past
 * its end never fired, so nothing was queued for it).
 */
export function queueWindow(now: number, since: number | undefined, end?: number): FireWindow {
  const from = since ?? now - QUEUE_LOOKBACK_MS;
  return { after: Math.max(from - 1, now - QUEUE_LOOKBACK_MS), until: end === undefined ? now : Math.min(now, end), limit: QUEUE_FIRE_TIMES, anchor: from };
}

/** The newest run date among executions' names (any status), undefined when none is a run of the workflow. */
export function newestRunDate(names: readonly string[], workflow: string): string | undefined {
  let newest: string | undefined;
  for (const name of names) {
    const date = dateOfRunName(name, workflow);
    if (date !== undefined && (newest === undefined || date > newest)) newest = date;
  }
  return newest;
}

/**
 * The queue's head when a run ended and nothing else runs: the oldest fire time whose run date
 * comes after the newest run's date. Nothing records the queue: it is read off the schedule, so
 * queued starts stack in fire-time order and start one at a time, each at the end of the one before.
 */
export function oldestQueuedDate(expression: string, timeZone: string, window: FireWindow, dateOf: (t: number) => string, newest: string | undefined): string | undefined {
  for (const t of fireTimes(expression, timeZone, window)) {
    const date = dateOf(t);
    if (newest === undefined || date > newest) return date;
  }
  return undefined;
}

/** Fire times grouped by run date: several fire times of one date (an hourly cron on a daily workflow) are one run. */
export function runsOfFireTimes(times: readonly number[], dateOf: (t: number) => string): { time: number; date: string }[] {
  const byDate = new Map<string, { time: number; date: string }>();
  for (const time of times) {
    const date = dateOf(time);
    if (!byDate.has(date)) byDate.set(date, { time, date });
  }
  return [...byDate.values()];
}

/**
 * A resume with catch_up: which of the missed runs (oldest first, those without an execution)
 * start now. `allow` starts them all; `skip` and `queue` one at a time: the oldest, unless a run is
 * running (`busy`). The others are held: `queue` starts them as runs end (they are the queue's
 * head), `skip` never (each would have started while the one before it ran).
 */
export function catchUpSplit<T>(missed: readonly T[], overlap: Overlap | undefined, busy: boolean): { start: T[]; held: T[] } {
  if (overlap !== 'skip' && overlap !== 'queue') return { start: [...missed], held: [] };
  if (busy) return { start: [], held: [...missed] };
  return { start: missed.slice(0, 1), held: missed.slice(1) };
}

/** Whether a resume must ask if a run is running: only when a one-at-a-time rule has missed runs to start. */
export const resumeNeedsBusy = (overlap: Overlap | undefined, missed: number): boolean => (overlap === 'skip' || overlap === 'queue') && missed > 0;
