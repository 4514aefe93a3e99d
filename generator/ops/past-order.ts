// Backfill of a workflow whose jobs wait for its own past (`marker: daily_rollup, date: -1d`): the
// run of a date waits for the marker an earlier date's run writes, so that run must go first. A
// date of the range starts only when the dates it depends on (inside the range and to be run) have
// finished; when one of them failed, the date is not started at all (its wait could only time out).
import { runDateOfTime, type Partition, type RunDate } from '../contract/dates.ts';
import type { Workflow } from '../model.ts';

/** The offsets (hours, negative) at which the workflow's jobs wait for its own earlier markers. */
export function pastOffsets(workflow: Pick<Workflow, 'jobs' | 'markers' | 'partition'>): number[] {
  const own = new Set(workflow.jobs.map((j) => j.name));
  const hours = workflow.jobs.flatMap((j) =>
    j.waitsFor.filter((w) => w.dates?.offset && !w.dates.partition && own.has(w.marker) && w.bucket === undefined && w.prefix === workflow.markers.prefix).map((w) => w.dates!.offset!.hours),
  );
  return [...new Set(hours)].sort((a, b) => b - a);
}

/** The dates (as written) a date's run waits for, by `offsets`, at or after the first of `dates`. */
export function datesBefore(date: RunDate, offsets: readonly number[], partition: Partition): string[] {
  return offsets.map((h) => runDateOfTime(date.time + h * 3_600_000, partition).text);
}
