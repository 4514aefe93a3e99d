// What goes into a run and what a run leaves behind (docs/architecture.md, "runtime contract").

/**
 * A workflow execution's input. Without `select` every job runs; with it only the named jobs
 * run and the others are skipped as already done (replay).
 */
export interface RunInput {
  /** The run date: `2019-03-12` (daily) or `2019-03-12T05` (hourly). */
  date: string;
  params?: Record<string, unknown>;
  select?: Record<string, true>;
}

/** The JSON body of a job's marker (`contract/markers.ts`). */
export interface MarkerBody {
  workflow: string;
  job: string;
  date: string;
  execution: string;
  startedAt: string;
  finishedAt: string;
  /** The job's declared outputs, by name (absent when it declares none). */
  outputs?: Record<string, unknown>;
}
