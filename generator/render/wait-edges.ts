// How a job's external waits are drawn: a wait for the run's own date is a dashed edge from its
// marker; a wait across dates says its offset on the edge (`-1d`), a wait for the other partition
// comes from a marker node of its own (`events`, 24 hourly markers), and a wait for this
// workflow's own past (`marker: daily_rollup, date: -1d`) is an edge from the job that writes that
// marker, labelled with the offset: the run of an earlier date, not this run, satisfies it.
import type { Workflow } from '../model.ts';

export interface WaitEdge {
  /** The node the edge comes from: a marker node, or the job (of an earlier run) for `past`. */
  from: string;
  /** The marker node's label (unused for `past`). */
  label: string;
  /** What the marker node is: 'marker', '24 hourly markers', 'daily marker'. */
  detail: string;
  job: string;
  timeoutSeconds: number;
  /** The offset as written (`-1d`); absent: the run's own date. */
  offset?: string;
  /** The marker is written by a job of this workflow, on an earlier date. */
  past: boolean;
}

export function waitEdges(workflow: Workflow): WaitEdge[] {
  const own = new Set(workflow.jobs.map((j) => j.name));
  return workflow.jobs.flatMap((job) =>
    job.waitsFor.map((w) => {
      const offset = w.dates?.offset?.text;
      const partition = w.dates?.partition;
      const past = offset !== undefined && own.has(w.marker) && w.bucket === undefined && w.prefix === workflow.markers.prefix;
      const detail = partition === 'hourly' ? '24 hourly markers' : partition === 'daily' ? 'daily marker' : 'marker';
      return {
        from: past ? w.marker : `marker:${w.marker}${partition ? `::${partition}` : ''}`,
        label: w.marker,
        detail,
        job: job.name,
        timeoutSeconds: w.timeoutSeconds,
        ...(offset !== undefined && { offset }),
        past,
      };
    }),
  );
}
