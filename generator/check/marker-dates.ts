// Reads the dates of one `waits_for` entry: `date: -1d` (an offset of the run's date, into the
// past), `partition: hourly|daily` (the markers' partition, when it is not the workflow's) and
// `since: <date>` (markers dated before it are not waited for: how a chain that depends on its own
// past starts). What the offsets mean at run time is contract/marker-dates.ts.
import { readRunDate, isRunDateProblem } from '../contract/dates.ts';
import { isOffsetProblem, MAX_OFFSET_DAYS, readOffset } from '../contract/marker-dates.ts';
import { closest } from '../contract/suggest.ts';
import { Codes } from '../messages.ts';
import type { MarkerDatesSpec, Partition } from '../model.ts';
import type { Fields, Reader } from './reader.ts';

/** The keys a `waits_for` entry takes for its dates. */
export const MARKER_DATE_KEYS = ['date', 'partition', 'since'] as const;

const PARTITIONS: Partition[] = ['daily', 'hourly'];

/**
 * The entry's dates: `undefined` when it waits for the run's own date in the workflow's partition
 * (the plain wait), `false` when something is wrong (reported).
 */
export function readMarkerDates(r: Reader, fields: Fields, runPartition: Partition, where: string): MarkerDatesSpec | undefined | false {
  let ok = true;
  const spec: MarkerDatesSpec = {};

  const dateEntry = fields.get('date');
  if (dateEntry) {
    const value = r.scalar(dateEntry.value);
    const text = typeof value === 'number' ? String(value) : value;
    const offset = typeof text === 'string' ? readOffset(text) : { problem: 'outline' as const };
    if (!isOffsetProblem(offset)) {
      if (offset.unit === 'h' && runPartition === 'daily') {
        r.error(dateEntry.span, Codes.hourOffsetInDaily, `'date: ${offset.text}' of ${where}: a daily run has no hour to move by hours`, `write whole days ('-1d'), or make the workflow 'partition: hourly'`);
        ok = false;
      } else spec.offset = offset;
    } else {
      ok = false;
      const shown = JSON.stringify(text ?? null);
      const unit = runPartition === 'hourly' ? "'-1h' (an hour before), '-1d'" : "'-1d' (the day before), '-7d'";
      switch (offset.problem) {
        case 'outline':
          r.error(dateEntry.span, Codes.badDateOffset, `'date' of ${where} is ${shown}, not an offset of the run's date`, `write a number of days or hours back: ${unit}${typeof value === 'number' ? `; '${value}' needs its unit, e.g. '${value}d'` : ''}`);
          break;
        case 'future':
          r.error(dateEntry.span, Codes.badDateOffset, `'date: ${text}' of ${where} is after the run's date: no run has written that marker yet`, `waits reach back only: write '-${String(text).replace(/^\+/, '')}'`);
          break;
        case 'zero':
          r.error(dateEntry.span, Codes.badDateOffset, `'date: ${text}' of ${where} is the run's own date`, "leave 'date' out: a wait is for the run's own date by default");
          break;
        case 'too-far':
          r.error(dateEntry.span, Codes.badDateOffset, `'date: ${text}' of ${where} reaches back more than ${MAX_OFFSET_DAYS} days`, `keep offsets within a year ('-${MAX_OFFSET_DAYS}d')`);
          break;
      }
    }
  }

  const partitionEntry = fields.get('partition');
  let partition = runPartition;
  if (partitionEntry) {
    const value = r.scalar(partitionEntry.value);
    if (value === 'daily' || value === 'hourly') {
      partition = value;
      if (value !== runPartition) spec.partition = value;
    } else {
      ok = false;
      const near = typeof value === 'string' ? closest(value, PARTITIONS) : undefined;
      r.error(
        partitionEntry.span,
        Codes.badWaitPartition,
        `'partition' of ${where} is ${JSON.stringify(value ?? null)}, not 'daily' or 'hourly'`,
        near ? `did you mean '${near}'?` : "'hourly': the 24 hourly markers of the run's date (in a daily workflow); 'daily': the day's marker (in an hourly workflow)",
      );
    }
  }

  const sinceEntry = fields.get('since');
  if (sinceEntry) {
    const value = r.scalar(sinceEntry.value);
    const read = typeof value === 'string' ? readRunDate(value) : undefined;
    if (!read || isRunDateProblem(read)) {
      ok = false;
      const why = read && read.problem === 'calendar' ? `: ${read.why}` : '';
      r.error(sinceEntry.span, Codes.badSince, `'since' of ${where} is ${JSON.stringify(value instanceof Date ? value.toISOString().slice(0, 10) : (value ?? null))}, not a date${why}`, `write the first date whose marker exists, quoted: since: "2019-03-01"${partition === 'hourly' ? ' (or an hour: "2019-03-01T05")' : ''}`);
    } else if (read.hh !== undefined && partition === 'daily') {
      ok = false;
      r.error(sinceEntry.span, Codes.badSince, `'since' of ${where} names an hour, but the markers are daily`, `write the day: since: "${read.text.slice(0, 10)}"`);
    } else spec.since = read.key;
  }

  if (!ok) return false;
  return spec.offset || spec.partition || spec.since ? spec : undefined;
}
