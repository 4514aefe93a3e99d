// Phase 3, model: the resolved workflow. Every default is applied and every duration is in
// seconds, so plan and emit never look at YAML. Graph queries that several phases share live here.

export type Partition = 'daily' | 'hourly';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  attempts: number;
  intervalSeconds: number;
  backoff: number;
}

export interface WaitPolicy {
  /** A wait's deadline: past it, the wait fails in its own state. */
  timeoutSeconds: number;
}

// Each kind's model is its module's (generator/kinds/); the registry names the union.
export type { JobKind } from './kinds/registry.ts';
import type { JobKind } from './kinds/registry.ts';
import type { DateOffset } from './contract/marker-dates.ts';

/** A marker that another producer writes: `<prefix><marker>__<datekey>.done` in `bucket`. */
export interface ExternalMarker {
  marker: string;
  /** undefined: the workflow's marker bucket. */
  bucket?: string;
  prefix: string;
  timeoutSeconds: number;
  /** Other dates than the run's own, or the other partition (check/marker-dates.ts); absent: the run's own date. */
  dates?: MarkerDatesSpec;
}

/** Which markers of `marker` a run waits for: its date moved by `offset`, in `partition` (contract/marker-dates.ts). */
export interface MarkerDatesSpec {
  offset?: DateOffset;
  /** The markers' partition, only when it is not the workflow's. */
  partition?: Partition;
  /** A datekey: markers dated before it are not waited for (the first dates of a chain). */
  since?: string;
}

/**
 * How a wait is named in its state (`J waits for <label>`) and in reports: the marker, then its
 * offset and partition when they are not the run's own (`daily_rollup -1d`, `events (hourly)`).
 */
export function waitLabel(w: ExternalMarker): string {
  const offset = w.dates?.offset ? ` ${w.dates.offset.text}` : '';
  const partition = w.dates?.partition ? ` (${w.dates.partition})` : '';
  return `${w.marker}${offset}${partition}`;
}

/**
 * A value a job hands downstream, picked from its Task's result by a JSONPath. At run time the
 * run's state holds every finished job's outputs at `$.outputs.<job>.<name>`, and its marker body
 * holds them under `outputs` (contract/run.ts).
 */
export interface JobOutput {
  name: string;
  /** JSONPath into the job's result, e.g. `$.Payload.partitions`. */
  path: string;
  /** The largest the value can be, when declared (`max_size`): the compile-time payload check adds these up. */
  maxBytes?: number;
}

/** `for_each: <job>.<output>`: the job runs once per element of that list output, as a Map. */
export interface ForEach {
  job: string;
  output: string;
  /** Iterations at a time; absent: as many as Step Functions runs. */
  maxConcurrent?: number;
  /** Items that may fail (after their retries) with the job still succeeding; absent: none. */
  toleratedFailures?: { count: number } | { percent: number };
  /** `max_items`: the most elements the list can hold, when declared (history budget, mode). */
  maxItems?: number;
  /** `map`: the Map's mode when forced; absent: decided by size (emit/for-each-mode.ts). */
  map?: 'inline' | 'distributed';
}

export interface Job {
  name: string;
  kind: JobKind;
  needs: string[];
  waitsFor: ExternalMarker[];
  timeoutSeconds: number;
  retry: RetryPolicy;
  params: Record<string, unknown>;
  /** Typical duration in seconds, used by simulate, cost and the planner's tie-breaks. */
  estimateSeconds?: number;
  description?: string;
  local?: { command: string };
  /** In source order; absent (or empty) when the job declares none. */
  outputs?: JobOutput[];
  /** By when the job must be done (check/deadlines.ts; contract/deadlines.ts at run time). */
  deadline?: Deadline;
  /** Runs only when this holds; otherwise skipped, which counts as done for its dependents. */
  when?: Condition;
  /** When the job runs, given how its needs ended; absent: all_success. */
  runIf?: TriggerRule;
  /** The pool it takes a slot of while it runs (Workflow.pools). */
  pool?: string;
  forEach?: ForEach;
}

/** A semaphore shared by every run and workflow of the account and region: `pools: { name: { slots } }`. */
export interface Pool {
  name: string;
  slots: number;
  /** How long a job of this workflow waits for a slot before it fails in `J acquires <pool>`. */
  timeoutSeconds: number;
}

/** `06:00` on the schedule's wall clock (the first after the run's start), or a duration after the start. */
export type Deadline = { clock: string } | { afterSeconds: number };

import type { Condition, TriggerRule } from './conditions.ts';

export interface Schedule {
  /** The full EventBridge Scheduler expression: cron(...), rate(...) or at(...). */
  expression: string;
  timezone?: string;
  flexibleWindowSeconds?: number;
  /** What a scheduled start does while an earlier run still runs; absent: 'allow'. */
  overlap?: 'skip' | 'queue' | 'allow';
  /** After a pause, `schedule resume` starts the runs whose fire times were missed. */
  catchUp?: boolean;
}

/** An `on_markers` entry: the run of D waits for `marker` of D moved by `dates` (contract/marker-dates.ts). */
export interface TriggerMarker {
  marker: string;
  dates?: MarkerDatesSpec;
}

export type Trigger =
  | { type: 'on_markers'; markers: string[]; /** Every entry, when one reads other dates or the other partition (check/trigger-markers.ts). */ dated?: TriggerMarker[] }
  | { type: 'event'; pattern: Record<string, unknown>; params: Record<string, unknown> };

export interface Alerts {
  snsTopic?: string;
  /** Name or ARN of a Secrets Manager secret holding a Slack incoming-webhook URL. */
  slackWebhookSecret?: string;
}

export interface Workflow {
  file: string;
  name: string;
  description?: string;
  partition: Partition;
  markers: { bucket?: string; prefix: string };
  schedule?: Schedule;
  defaults: { timeoutSeconds: number; retry: RetryPolicy; wait: WaitPolicy };
  alerts: Alerts;
  /** By when the run must be done. */
  deadline?: Deadline;
  /** In source order. */
  jobs: Job[];
  triggers: Trigger[];
  /** In source order; absent when the workflow declares none. */
  pools?: Pool[];
}

export const DEFAULTS = {
  timeoutSeconds: 3600,
  retry: { attempts: 0, intervalSeconds: 60, backoff: 2 } satisfies RetryPolicy,
  wait: { timeoutSeconds: 3 * 3600 } satisfies WaitPolicy,
  markerPrefix: 'done/',
};

export const stackName = (workflow: string): string => `stepgraph-${workflow}`;


export function jobMap(workflow: Workflow): Map<string, Job> {
  return new Map(workflow.jobs.map((j) => [j.name, j]));
}

/** Jobs in an order where every job comes after its needs; ties keep source order. */
export function topologicalOrder(jobs: readonly Job[]): Job[] {
  // By index, with a queue read from its head: this runs several times per compile, on graphs
  // of up to 100,000 jobs.
  const index = new Map(jobs.map((j, i) => [j.name, i]));
  const indegree = new Int32Array(jobs.length);
  const dependents: number[][] = jobs.map(() => []);
  jobs.forEach((j, i) => {
    indegree[i] = j.needs.length;
    for (const n of j.needs) {
      const k = index.get(n);
      if (k !== undefined) dependents[k].push(i);
    }
  });
  const ready: number[] = [];
  jobs.forEach((j, i) => {
    if (j.needs.length === 0) ready.push(i);
  });
  const out: Job[] = [];
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head];
    out.push(jobs[i]);
    for (const d of dependents[i]) if (--indegree[d] === 0) ready.push(d);
  }
  return out;
}

/** The jobs and everything downstream of them, in topological order (what `replay --from` runs). */
export function downstreamClosure(workflow: Workflow, from: readonly string[]): string[] {
  const selected = new Set(from);
  for (const job of topologicalOrder(workflow.jobs)) {
    if (job.needs.some((n) => selected.has(n))) selected.add(job.name);
  }
  return topologicalOrder(workflow.jobs)
    .map((j) => j.name)
    .filter((n) => selected.has(n));
}

/**
 * Every job's transitive needs, computed only for the jobs asked about (most graphs pass no data,
 * and graphs reach 100,000 jobs): iteratively, never recursively.
 */
export function upstreamOf(byName: ReadonlyMap<string, Job>): (job: string) => ReadonlySet<string> {
  const cache = new Map<string, Set<string>>();
  return (job) => {
    const known = cache.get(job);
    if (known) return known;
    const seen = new Set<string>();
    const stack = [...(byName.get(job)?.needs ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(byName.get(n)?.needs ?? []));
    }
    cache.set(job, seen);
    return seen;
  };
}

/** Earliest finish of every job if each takes its estimate (or `fallback` seconds). */
export function earliestFinish(workflow: Workflow, fallback = 60): Map<string, number> {
  const finish = new Map<string, number>();
  for (const job of topologicalOrder(workflow.jobs)) {
    const start = Math.max(0, ...job.needs.map((n) => finish.get(n) ?? 0));
    finish.set(job.name, start + (job.estimateSeconds ?? fallback));
  }
  return finish;
}
