// A platform rule of schedule control (SG4014): a schedule without `overlap` (so `allow`) whose
// runs are estimated to take longer than the time between two of its fire times. Each run would
// still start on time, but runs pile up, several at once, each competing with the others for the
// same services: the warning names the estimate and the interval and offers queue or skip.
import { fireTimes } from '../contract/fire-times.ts';
import { Codes } from '../messages.ts';
import { topologicalOrder, type Job, type Schedule } from '../model.ts';
import type { Entry, Reader } from './reader.ts';

/** How many coming fire times the shortest interval is taken from (a year of a weekly schedule). */
const SAMPLE = 60;

export function checkScheduleOverlap(r: Reader, entry: Entry, schedule: Schedule, jobs: readonly Job[], now: Date): void {
  // An overlap written out, allow included, is a choice made: only the unset default warns.
  if (schedule.overlap !== undefined) return;
  // Only estimated jobs count: without estimates nothing says a run is long.
  const finish = new Map<string, number>();
  for (const job of topologicalOrder(jobs)) {
    finish.set(job.name, Math.max(0, ...job.needs.map((n) => finish.get(n) ?? 0)) + (job.estimateSeconds ?? 0));
  }
  const runSeconds = Math.max(0, ...finish.values());
  if (runSeconds === 0) return;
  const t = now.getTime();
  const times = fireTimes(schedule.expression, schedule.timezone ?? 'UTC', { after: t, until: t + 2 * 366 * 86_400_000, limit: SAMPLE, anchor: t });
  if (times.length < 2) return;
  const interval = Math.min(...times.slice(1).map((x, i) => x - times[i])) / 1000;
  if (runSeconds <= interval) return;
  r.warning(
    entry.keySpan,
    Codes.runsOverlap,
    `runs are estimated at ${hours(runSeconds)} (the critical path of the jobs' estimates) but ${schedule.expression} fires every ${hours(interval)} at the shortest: with overlap 'allow' (the default), runs will overlap`,
    "add 'overlap: queue' (start each run when the one before ends) or 'overlap: skip' to the schedule, or 'overlap: allow' to say overlapping runs are fine",
  );
}

const hours = (s: number): string => (s % 3600 === 0 ? `${s / 3600}h` : s >= 3600 ? `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m` : `${Math.round(s / 60)}m`);
