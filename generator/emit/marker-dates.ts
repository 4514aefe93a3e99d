// The subject of a wait for markers of other dates or of the other partition
// (contract/marker-dates.ts). Step Functions has no date arithmetic: the state sends the run's
// datekey and the offset as written, and the router computes the keys when the wait registers.
// Every value but the datekey is a static string of the definition, never an intrinsic.
import type { MarkerDatesSubject } from '../contract/marker-dates.ts';
import type { ExternalMarker, Partition } from '../model.ts';
import type { SubjectParameters } from './waits.ts';

export function markerDatesSubject(bucket: string, w: ExternalMarker, runPartition: Partition): SubjectParameters {
  const dates = w.dates!;
  return {
    kind: 'marker_dates' satisfies MarkerDatesSubject['kind'],
    bucket,
    prefix: w.prefix,
    job: w.marker,
    'datekey.$': '$.run.datekey',
    partition: dates.partition ?? runPartition,
    ...(dates.offset && { offset: dates.offset.text }),
    ...(dates.since !== undefined && { since: dates.since }),
  };
}
