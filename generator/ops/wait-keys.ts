// The marker keys a waiting job of a deployed run waits for, as the router computes them
// (contract/marker-dates.ts): `status` shows them, so "waiting (events (hourly))" also says which
// objects, for the run's real date, must appear. Computed from the run's input date; the stack's
// own bucket (when the workflow names none) is shown as `<marker bucket>`.
import { parseRunDate } from '../contract/dates.ts';
import { markerDatesKeys } from '../contract/marker-dates.ts';
import { markerKey } from '../contract/markers.ts';
import { waitLabel, type Workflow } from '../model.ts';

export function waitingKeys(workflow: Workflow, job: string, what: string, input: unknown): string[] | undefined {
  const wait = workflow.jobs.find((j) => j.name === job)?.waitsFor.find((w) => waitLabel(w) === what);
  const text = typeof input === 'object' && input !== null ? (input as { date?: unknown }).date : undefined;
  const date = typeof text === 'string' ? parseRunDate(text, workflow.partition) : undefined;
  if (!wait || !date) return undefined;
  const bucket = wait.bucket ?? workflow.markers.bucket ?? '<marker bucket>';
  const keys = wait.dates
    ? markerDatesKeys({
        kind: 'marker_dates',
        bucket,
        prefix: wait.prefix,
        job: wait.marker,
        datekey: date.key,
        partition: wait.dates.partition ?? workflow.partition,
        ...(wait.dates.offset && { offset: wait.dates.offset.text }),
        ...(wait.dates.since !== undefined && { since: wait.dates.since }),
      })
    : [markerKey(wait.prefix, wait.marker, date.key)];
  return keys?.map((k) => `s3://${bucket}/${k}`);
}
