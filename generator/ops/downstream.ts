// Workflows that consume the markers a replay invalidates: a marker is named after the job that
// writes it, and another workflow depends on it through `triggers.on_markers` or a job's
// `waits_for`. Their data is stale once the replayed jobs rerun, so `replay --downstream` lists
// them (and with --yes replays them too), following the chain transitively.
import { downstreamClosure, type Workflow } from '../model.ts';

export interface Dependent {
  workflow: Workflow;
  /** The replayed markers it reads. */
  markers: string[];
  /** Its jobs that wait for them (`waits_for`), before their own downstream closure. */
  waitingJobs: string[];
  /** True when an `on_markers` trigger starts the whole workflow on those markers. */
  triggered: boolean;
  /** What to rerun in it: every job when triggered, else the waiting jobs and their downstream. */
  selection: string[];
  /** The jobs of the selection that start first (`replay --from` these gives the selection). */
  from: string[];
  /** The workflow whose replay makes it stale (the chain, for the listing). */
  via: string;
  /**
   * Whether its replay can start at once: every job it starts first waits for a rewritten
   * marker, so the invalidation holds it until the new completion. Otherwise starting it now
   * would read the old data; it has to wait until the workflow it depends on has finished.
   */
  holdsUntilRewritten: boolean;
}

/**
 * Workflows depending on `jobs` of `source`, then on what those reruns rewrite, and so on; each
 * workflow at most once, in the order they are reached (breadth first, names sorted per level).
 */
export function dependentWorkflows(all: readonly Workflow[], source: Workflow, jobs: readonly string[]): Dependent[] {
  const found: Dependent[] = [];
  const seen = new Set([source.name]);
  let frontier: { workflow: Workflow; jobs: readonly string[] }[] = [{ workflow: source, jobs }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { workflow: producer, jobs: rewritten } of frontier) {
      const candidates = [...all].filter((w) => !seen.has(w.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const consumer of candidates) {
        const dependent = dependsOn(consumer, producer, rewritten);
        if (!dependent) continue;
        seen.add(consumer.name);
        found.push(dependent);
        next.push({ workflow: consumer, jobs: dependent.selection });
      }
    }
    frontier = next;
  }
  return found;
}

function dependsOn(consumer: Workflow, producer: Workflow, jobs: readonly string[]): Dependent | undefined {
  const rewritten = new Set(jobs);
  const markers = new Set<string>();
  let triggered = false;
  for (const trigger of consumer.triggers) {
    if (trigger.type !== 'on_markers') continue;
    const hit = trigger.markers.filter((m) => rewritten.has(m));
    if (hit.length > 0) triggered = true;
    hit.forEach((m) => markers.add(m));
  }
  const waitingJobs: string[] = [];
  for (const job of consumer.jobs) {
    // A wait across dates reads another date's marker: ops/dated-downstream.ts finds those runs.
    const hit = job.waitsFor.filter((w) => !w.dates && rewritten.has(w.marker) && sameStore(w.bucket ?? consumer.markers.bucket, w.prefix, producer));
    if (hit.length === 0) continue;
    waitingJobs.push(job.name);
    hit.forEach((w) => markers.add(w.marker));
  }
  if (markers.size === 0) return undefined;
  const selection = triggered ? downstreamClosure(consumer, consumer.jobs.filter((j) => j.needs.length === 0).map((j) => j.name)) : downstreamClosure(consumer, waitingJobs);
  const selected = new Set(selection);
  const firsts = consumer.jobs.filter((j) => selected.has(j.name) && !j.needs.some((n) => selected.has(n)));
  const holdsUntilRewritten = firsts.every((j) => waitingJobs.includes(j.name));
  const from = firsts.map((j) => j.name);
  return { workflow: consumer, markers: [...markers].sort(), waitingJobs, triggered, selection, from, via: producer.name, holdsUntilRewritten };
}

/**
 * Whether a wait reads the producer's markers. Prefixes must match; buckets only when both are
 * named (a stack-created bucket's name is known only after deploy, so it cannot rule anything out).
 */
export function sameStore(bucket: string | undefined, prefix: string, producer: Workflow): boolean {
  if (prefix !== producer.markers.prefix) return false;
  return bucket === undefined || producer.markers.bucket === undefined || bucket === producer.markers.bucket;
}
