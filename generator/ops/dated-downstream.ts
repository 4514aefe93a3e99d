// Runs of other dates that read the markers a replay rewrites: a job that waits for a marker with
// an offset (`marker: load, date: -1d`) or in the other partition (`partition: hourly`) reads the
// marker of the replayed date from the run of a *later* date (or of the day holding the hour).
// Their data is stale once the replay rewrites it, so `replay --downstream` names those runs too,
// following the chain (a job that waits for its own past makes every later date stale, up to
// `through`), in date order: each run's replay must start after the earlier one invalidated the
// markers it reads, so that its dated wait holds until they are rewritten (ops/past-order.ts).
import { runDatesReading } from '../contract/marker-dates.ts';
import { parseDatekey, type RunDate } from '../contract/dates.ts';
import { downstreamClosure, waitLabel, type Workflow } from '../model.ts';
import { sameStore } from './downstream.ts';

export interface LaterRun {
  workflow: Workflow;
  date: RunDate;
  /** The dated waits that read a rewritten marker, as the state names them (`load -1d`). */
  markers: string[];
  /** Its jobs with such a wait, before their own downstream closure. */
  waitingJobs: string[];
  /** What to rerun in it: the waiting jobs and their downstream. */
  selection: string[];
  /** The jobs of the selection that start first (`replay --from` these gives the selection). */
  from: string[];
  /** The run whose replay makes it stale: `<workflow> <date>`. */
  via: string;
}

interface Found {
  workflow: Workflow;
  date: RunDate;
  markers: Set<string>;
  waiting: Set<string>;
  via: string;
}

/**
 * The later-date runs depending on `jobs` of `source`'s run of `date`, transitively, none after
 * `through`, oldest first (then by workflow); at most `limit` (truncated says more were found).
 */
export function laterRuns(all: readonly Workflow[], source: Workflow, date: RunDate, jobs: readonly string[], through: RunDate, limit = 100): { runs: LaterRun[]; truncated: boolean } {
  const found = new Map<string, Found>();
  const queue: { workflow: Workflow; date: RunDate; jobs: readonly string[] }[] = [{ workflow: source, date, jobs }];
  let truncated = false;
  while (queue.length > 0 && !truncated) {
    const producer = queue.shift()!;
    const rewritten = new Set(producer.jobs);
    for (const consumer of all) {
      for (const job of consumer.jobs) {
        for (const wait of job.waitsFor) {
          if (!wait.dates || !rewritten.has(wait.marker) || !sameStore(wait.bucket ?? consumer.markers.bucket, wait.prefix, producer.workflow)) continue;
          // The wait reads markers of its own partition: the producer must write that one.
          if ((wait.dates.partition ?? consumer.partition) !== producer.workflow.partition) continue;
          for (const runDate of readersOf(producer.date, wait.dates, consumer)) {
            if (runDate.time > through.time || (consumer === source && runDate.key === date.key)) continue;
            const key = `${consumer.name}\u0000${runDate.key}`;
            const entry = found.get(key) ?? { workflow: consumer, date: runDate, markers: new Set<string>(), waiting: new Set<string>(), via: `${producer.workflow.name} ${producer.date.text}` };
            const grew = !entry.waiting.has(job.name);
            entry.markers.add(waitLabel(wait));
            entry.waiting.add(job.name);
            if (!found.has(key)) {
              if (found.size >= limit) {
                truncated = true;
                continue;
              }
              found.set(key, entry);
            }
            if (grew) queue.push({ workflow: consumer, date: runDate, jobs: downstreamClosure(consumer, [...entry.waiting]) });
          }
        }
      }
    }
  }
  const runs = [...found.values()].map(toLaterRun);
  runs.sort((a, b) => a.date.time - b.date.time || (a.workflow.name < b.workflow.name ? -1 : a.workflow.name > b.workflow.name ? 1 : 0));
  return { runs, truncated };
}

function toLaterRun(f: Found): LaterRun {
  const waitingJobs = f.workflow.jobs.map((j) => j.name).filter((n) => f.waiting.has(n));
  const selection = downstreamClosure(f.workflow, waitingJobs);
  const selected = new Set(selection);
  const from = f.workflow.jobs.filter((j) => selected.has(j.name) && !j.needs.some((n) => selected.has(n))).map((j) => j.name);
  // The selection is the waiting jobs' closure, so every first job waits for a rewritten marker:
  // replayed at once, the run holds until the earlier replay rewrites it.
  return { workflow: f.workflow, date: f.date, markers: [...f.markers].sort(), waitingJobs, selection, from, via: f.via };
}

/** The runs of `consumer` whose dated wait reads the marker of `marker` (none dated before its `since`). */
function readersOf(marker: RunDate, spec: NonNullable<Workflow['jobs'][number]['waitsFor'][number]['dates']>, consumer: Workflow): RunDate[] {
  const since = spec.since === undefined ? undefined : parseDatekey(spec.since, spec.since.length === 10 ? 'hourly' : 'daily')?.time;
  if (since !== undefined && marker.time < since) return [];
  return runDatesReading(marker, spec.offset?.hours ?? 0, spec.partition ?? consumer.partition, consumer.partition);
}
