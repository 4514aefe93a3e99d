// The marker keys one external wait of a run needs, as the router computes them
// (contract/marker-dates.ts): the run's own date, or other dates and the other partition. The
// local engine seeds them, and `run --local` names them when a job starts waiting.
import { markerDatesKeys } from '../contract/marker-dates.ts';
import { markerKey } from '../contract/markers.ts';
import type { ExternalMarker, Partition } from '../model.ts';

export function waitKeys(wait: ExternalMarker, bucket: string, datekey: string, runPartition: Partition): string[] {
  if (!wait.dates) return [markerKey(wait.prefix, wait.marker, datekey)];
  const { offset, partition, since } = wait.dates;
  return (
    markerDatesKeys({
      kind: 'marker_dates',
      bucket,
      prefix: wait.prefix,
      job: wait.marker,
      datekey,
      partition: partition ?? runPartition,
      ...(offset && { offset: offset.text }),
      ...(since !== undefined && { since }),
    }) ?? []
  );
}
