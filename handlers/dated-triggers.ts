// `on_markers` triggers with markers of other dates or of the other partition
// (`{ marker: daily_rollup, date: -1d }`, `{ marker: events, partition: hourly }`): the run of
// date D starts when every entry's markers exist, an entry's being those of D moved by its offset
// and seen in its partition (contract/marker-dates.ts: `markerDates`, the function a wait's keys
// come from). A marker that lands may complete the runs that read it (`runDatesReading`: the
// same entry's run dates, inverted), each checked in full, oldest first; the run is named
// `<workflow>-<date>`, so duplicate and out-of-order events converge on one execution.
import type { Partition, RunDate } from '../generator/contract/dates.ts';
import { markerDates, readOffset, isOffsetProblem, runDatesReading, type TriggerEntry } from '../generator/contract/marker-dates.ts';
import { markerKey, parseMarkerKey } from '../generator/contract/markers.ts';
import { log } from './log.ts';
import type { TriggerDeps, TriggerOutcome } from './marker-triggers.ts';
import { logStart, startRun } from './start-run.ts';
import { objectExists } from './subject-probe.ts';

interface Entry {
  marker: string;
  hours: number;
  partition: Partition;
}

/** A MARKER_TRIGGERS entry read from outside the type system. */
export function isTriggerEntry(value: unknown): value is TriggerEntry {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null) return false;
  const { marker, offset, partition } = value as Record<string, unknown>;
  if (typeof marker !== 'string' || (partition !== undefined && partition !== 'daily' && partition !== 'hourly')) return false;
  return offset === undefined || (typeof offset === 'string' && !isOffsetProblem(readOffset(offset)));
}

const entryOf = (e: TriggerEntry, runPartition: Partition): Entry =>
  typeof e === 'string' ? { marker: e, hours: 0, partition: runPartition } : { marker: e.marker, hours: e.offset ? (readOffset(e.offset) as { hours: number }).hours : 0, partition: e.partition ?? runPartition };

/**
 * The outcome for a marker of a trigger with dated entries; undefined when no such trigger names
 * it (the plain triggers decide then).
 */
export async function datedTriggerRuns(keys: readonly string[], deps: TriggerDeps): Promise<TriggerOutcome | undefined> {
  const { config } = deps;
  const groups = config.triggers.filter((t) => t.some((m) => typeof m !== 'string')).map((t) => t.map((m) => entryOf(m, config.partition)));
  // The runs the marker may complete, oldest first, with the triggers that read it.
  const candidates = new Map<string, { date: RunDate; groups: Entry[][] }>();
  for (const partition of ['daily', 'hourly'] as const) {
    const parsed = keys.map((k) => parseMarkerKey(k, config.prefix, partition)).find((m) => m !== undefined);
    if (!parsed) continue;
    for (const group of groups) {
      for (const entry of group) {
        if (entry.marker !== parsed.job || entry.partition !== partition) continue;
        for (const run of runDatesReading(parsed.date, entry.hours, partition, config.partition)) {
          const c = candidates.get(run.key) ?? { date: run, groups: [] };
          if (!c.groups.includes(group)) c.groups.push(group);
          candidates.set(run.key, c);
        }
      }
    }
  }
  if (candidates.size === 0) return undefined;
  let waiting: TriggerOutcome | undefined;
  for (const { date, groups: read } of [...candidates.values()].sort((a, b) => a.date.time - b.date.time)) {
    for (const group of read) {
      const missing = await missingKeys(group, date, deps);
      if (missing.length === 0) {
        const run = await startRun(deps.sfn, { stateMachineArn: config.stateMachineArn, workflow: config.workflow, date: date.text }, deps.now);
        logStart(run, { workflow: config.workflow, date: date.text, trigger: group.map((e) => e.marker) });
        return { outcome: run.started ? 'started' : 'duplicate', date: date.text, executionName: run.executionName, executionArn: run.executionArn };
      }
      waiting ??= { outcome: 'waiting', date: date.text, missing };
    }
  }
  log.info('waiting for markers', { workflow: config.workflow, ...(waiting?.outcome === 'waiting' && { date: waiting.date, missing: waiting.missing }) });
  return waiting;
}

/** The keys of the group's markers for the run of `date` that do not exist yet (stops at the first). */
async function missingKeys(group: readonly Entry[], date: RunDate, deps: TriggerDeps): Promise<string[]> {
  const { config } = deps;
  for (const entry of group) {
    const dates = markerDates(date.key, entry.hours, entry.partition) ?? [];
    for (const d of dates) {
      const key = markerKey(config.prefix, entry.marker, d.key);
      if (!(await objectExists(deps.s3, config.bucket, key))) return [key];
    }
  }
  return [];
}
