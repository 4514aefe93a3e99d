// Waits on the workflow's own markers, once every job is read: a job may wait for a marker its
// own workflow writes on an earlier date (`marker: daily_rollup, date: -1d`: it depends on its own
// past), but the first date of such a chain waits for a marker no run wrote, and a job waiting for
// its own marker of the run's own date waits for itself. Two waits of one job for the same
// markers would be two states of one name.
import { Codes } from '../messages.ts';
import { waitLabel, type Job, type Workflow } from '../model.ts';
import type { JobSpans } from './jobs.ts';
import type { Reader } from './reader.ts';

export function checkPastWaits(r: Reader, jobs: readonly Job[], jobSpans: ReadonlyMap<string, JobSpans>, markers: Workflow['markers']): void {
  const own = new Set(jobs.map((j) => j.name));
  for (const job of jobs) {
    const spans = jobSpans.get(job.name)?.waits ?? [];
    const labels = new Map<string, number>();
    job.waitsFor.forEach((w, i) => {
      const at = spans[i] ?? jobSpans.get(job.name)!.name;
      const label = waitLabel(w);
      const first = labels.get(label);
      if (first !== undefined) {
        r.error(at, Codes.duplicateWait, `job '${job.name}' waits for '${label}' twice`, 'remove one of the two entries', { message: 'first written', file: r.file, offset: (spans[first] ?? at).start });
        return;
      }
      labels.set(label, i);
      // Another bucket or prefix holds another producer's markers of the same name.
      if (!own.has(w.marker) || w.bucket !== undefined || w.prefix !== markers.prefix) return;
      if (!w.dates?.offset && !w.dates?.partition && w.marker === job.name) {
        r.error(at, Codes.waitsForItself, `job '${job.name}' waits for its own marker of the run's date, which only it writes: the wait is never released`, `to depend on an earlier run, give the date: { marker: ${w.marker}, date: -1d }`);
      } else if (w.dates?.offset && w.dates.since === undefined) {
        r.warning(
          at,
          Codes.pastWithoutStart,
          `job '${job.name}' waits for '${w.marker}' ${w.dates.offset.text}, a marker of this workflow's own past: the first date's run waits for a marker no run wrote, until its deadline`,
          `add 'since: "<first date>"' to the wait (markers dated before it are not waited for), or write the first marker by hand; 'stepgraph backfill' runs the dates in order`,
        );
      }
    });
  }
}
