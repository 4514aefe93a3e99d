// Markers of other dates than the run's own (docs/architecture.md, "runtime contract", dated
// waits): `date: -1d` (a day before the run's date), `-7d`, `-1h` (hourly runs), and markers of
// the other partition: a daily run waiting for `partition: hourly` waits for the 24 hourly
// markers of its date, an hourly run waiting for a daily marker waits for its hour's date.
//
// Step Functions has no date arithmetic, so the state machine sends the run's datekey and the
// offset as written, and the router computes the keys here when the wait registers: the same
// function for the router Lambda, the local engine, `status` and the compiler. Run dates are UTC
// (contract/dates.ts), so a day is always 24 hours and no daylight-saving change moves a key.
import { parseDatekey, runDateOfTime, type Partition, type RunDate } from './dates.ts';
import { markerKey } from './markers.ts';

const HOUR_MS = 3_600_000;
/** How far back an offset may reach: a year, leap years included. */
export const MAX_OFFSET_DAYS = 366;

/** An offset of the run's date, always into the past: `-1d` is -24 hours. */
export interface DateOffset {
  hours: number;
  unit: 'd' | 'h';
  /** As written: `-1d`, `-7d`, `-1h`. */
  text: string;
}

export type OffsetProblem =
  /** Not `-<n>d` or `-<n>h`. */
  | { problem: 'outline' }
  /** `+1d`, `1d`: a date after the run's, which no run has written yet. */
  | { problem: 'future' }
  /** `-0d`: the run's own date (leave `date` out). */
  | { problem: 'zero' }
  /** Further back than MAX_OFFSET_DAYS. */
  | { problem: 'too-far' };

const OFFSET = /^([+-]?)(\d{1,6})([dh])$/;

/** Reads an offset; the problem says which rule the text breaks. */
export function readOffset(text: string): DateOffset | OffsetProblem {
  const m = typeof text === 'string' ? OFFSET.exec(text.trim()) : null;
  if (!m) return { problem: 'outline' };
  const [, sign, digits, unit] = m;
  const count = Number(digits);
  if (count === 0) return { problem: 'zero' };
  if (sign !== '-') return { problem: 'future' };
  const hours = unit === 'd' ? count * 24 : count;
  if (hours > MAX_OFFSET_DAYS * 24) return { problem: 'too-far' };
  return { hours: -hours, unit: unit as 'd' | 'h', text: `-${count}${unit}` };
}

export const isOffsetProblem = (r: DateOffset | OffsetProblem): r is OffsetProblem => 'problem' in r;

/** The partition of a run, read from its datekey (8 digits: daily, 10: hourly). */
const partitionOfDatekey = (datekey: string): Partition => (datekey.length === 10 ? 'hourly' : 'daily');

/**
 * The dates of the markers a run waits for, oldest first: the run's date moved by `offsetHours`
 * (zero or negative), then seen in the marker's partition (a daily run and hourly markers: the 24
 * hours of that day). Dates before `since` (a time, epoch ms) are left out: nothing writes them
 * (the first dates of a chain that depends on its own past). Undefined for a datekey that is not
 * a run date.
 */
export function markerDates(datekey: string, offsetHours: number, partition: Partition, since?: number): RunDate[] | undefined {
  const run = parseDatekey(datekey, partitionOfDatekey(datekey));
  if (!run || !Number.isInteger(offsetHours) || offsetHours > 0) return undefined;
  const moved = run.time + offsetHours * HOUR_MS;
  const dates =
    partition === 'hourly' && !run.hh
      ? Array.from({ length: 24 }, (_, h) => runDateOfTime(runDateOfTime(moved, 'daily').time + h * HOUR_MS, 'hourly'))
      : [runDateOfTime(moved, partition)];
  return since === undefined ? dates : dates.filter((d) => d.time >= since);
}

/** A wait for markers of other dates or of the other partition (contract/waits.ts: WaitSubject). */
export interface MarkerDatesSubject {
  kind: 'marker_dates';
  bucket: string;
  prefix: string;
  /** The job part of the keys. */
  job: string;
  /** The run's datekey (`$.run.datekey`). */
  datekey: string;
  /** The markers' partition. */
  partition: Partition;
  /** As written in the workflow (`-1d`); absent: the run's own date. */
  offset?: string;
  /** A datekey: markers dated before it are not waited for. */
  since?: string;
}

/** The marker keys of a dated wait, oldest first; undefined when the subject cannot be read. */
export function markerDatesKeys(subject: MarkerDatesSubject): string[] | undefined {
  const offset = subject.offset === undefined ? undefined : readOffset(subject.offset);
  if (offset && isOffsetProblem(offset)) return undefined;
  let since: number | undefined;
  if (subject.since !== undefined) {
    since = parseDatekey(subject.since, partitionOfDatekey(subject.since))?.time;
    if (since === undefined) return undefined;
  }
  const dates = markerDates(subject.datekey, offset?.hours ?? 0, subject.partition, since);
  return dates?.map((d) => markerKey(subject.prefix, subject.job, d.key));
}

/** Reads a subject that came from outside the type system (a request, a stored record). */
export function parseMarkerDatesSubject(value: Record<string, unknown>): MarkerDatesSubject | undefined {
  const { bucket, prefix, job, datekey, partition, offset, since } = value;
  if (typeof bucket !== 'string' || !bucket || typeof prefix !== 'string' || typeof job !== 'string' || !job || typeof datekey !== 'string') return undefined;
  if (partition !== 'daily' && partition !== 'hourly') return undefined;
  if ((offset !== undefined && typeof offset !== 'string') || (since !== undefined && typeof since !== 'string')) return undefined;
  const subject: MarkerDatesSubject = { kind: 'marker_dates', bucket, prefix, job, datekey, partition, ...(offset !== undefined && { offset }), ...(since !== undefined && { since }) };
  return markerDatesKeys(subject) ? subject : undefined;
}

/** The subject's id in logs and `status`: `dates://<bucket>/<prefix><job>__<datekey><offset>[/hourly]`. */
export const markerDatesId = (s: MarkerDatesSubject): string =>
  `dates://${s.bucket}/${s.prefix}${s.job}__${s.datekey}${s.offset ?? ''}${s.partition === partitionOfDatekey(s.datekey) ? '' : `/${s.partition}`}${s.since ? `/since-${s.since}` : ''}`;

/**
 * The runs (in `runPartition`) whose markers, moved by `offsetHours` and seen in the marker's
 * partition, include the marker of `marker`: the inverse of `markerDates`, asked of it (every run
 * near the marker's date moved forward by the offset), so the two never disagree. A dated
 * `on_markers` trigger (which run a marker may start) and `replay --downstream` (which later runs
 * a replayed marker makes stale) use it.
 */
export function runDatesReading(marker: RunDate, offsetHours: number, markerPartition: Partition, runPartition: Partition): RunDate[] {
  const centre = marker.time - offsetHours * HOUR_MS;
  const seen = new Set<string>();
  const runs: RunDate[] = [];
  for (let t = centre - 24 * HOUR_MS; t <= centre + 24 * HOUR_MS; t += HOUR_MS) {
    const candidate = runDateOfTime(t, runPartition);
    if (seen.has(candidate.key)) continue;
    seen.add(candidate.key);
    if (markerDates(candidate.key, offsetHours, markerPartition)?.some((d) => d.key === marker.key)) runs.push(candidate);
  }
  return runs;
}

/**
 * An `on_markers` entry as the router's configuration carries it (MARKER_TRIGGERS): a name (the
 * run's own date), or the marker with its offset as written and its partition when not the run's.
 */
export type TriggerEntry = string | { marker: string; offset?: string; partition?: Partition };
