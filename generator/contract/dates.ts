// Run dates, the one reader for every runtime (docs/architecture.md, "runtime contract"): a run
// date is "2019-03-12" (daily) or "2019-03-12T05" (hourly, UTC hours); its datekey, written in
// marker keys, is "20190312" or "2019031205". The compiler's CLI, the local engine and the Lambda
// handlers all read dates here; each says in its own words why a date was refused.

export type Partition = 'daily' | 'hourly';

export interface RunDate {
  yyyy: string;
  mm: string;
  dd: string;
  /** Only for hourly runs. */
  hh?: string;
  /** As written in inputs and execution names: `2019-03-12` or `2019-03-12T05`. */
  text: string;
  /** As written in marker keys: `20190312` or `2019031205`. */
  key: string;
  /** Milliseconds since the epoch of the partition's start (UTC). */
  time: number;
}

/** Why a text is not a run date (of the partition asked for). */
export type RunDateProblem =
  /** Neither outline: not `YYYY-MM-DD` nor `YYYY-MM-DDTHH`. */
  | { problem: 'outline' }
  /** An hour where a daily workflow wants a day. */
  | { problem: 'hour-for-daily' }
  /** A day where an hourly workflow wants an hour. */
  | { problem: 'day-for-hourly' }
  /** The right outline, but no such month, day or hour. */
  | { problem: 'calendar'; why: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/;
const DATEKEY = /^(\d{4})(\d{2})(\d{2})(\d{2})?$/;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The length of one run's partition in milliseconds. */
export const stepOf = (partition: Partition): number => (partition === 'daily' ? DAY_MS : HOUR_MS);

/**
 * Reads a run date; with `partition`, only its outline is accepted. The one parser of run dates:
 * the problem says which rule the text breaks, for callers that explain it.
 */
export function readRunDate(text: string, partition?: Partition): RunDate | RunDateProblem {
  const m = typeof text === 'string' ? DATE.exec(text) : null;
  if (!m) return { problem: 'outline' };
  const [, yyyy, mm, dd, hh] = m;
  if (partition === 'daily' && hh !== undefined) return { problem: 'hour-for-daily' };
  if (partition === 'hourly' && hh === undefined) return { problem: 'day-for-hourly' };
  const why = calendarProblem(yyyy, mm, dd, hh);
  return why ? { problem: 'calendar', why } : runDate(yyyy, mm, dd, hh);
}

export const isRunDateProblem = (r: RunDate | RunDateProblem): r is RunDateProblem => 'problem' in r;

/** Parses "2019-03-12" or "2019-03-12T05"; undefined when it is not a real calendar date/hour. */
export function parseRunDate(text: string, partition?: Partition): RunDate | undefined {
  const r = readRunDate(text, partition);
  return isRunDateProblem(r) ? undefined : r;
}

/** "20190312" / "2019031205" back to a run date, checked against the partition. */
export function parseDatekey(datekey: string, partition: Partition): RunDate | undefined {
  const m = DATEKEY.exec(datekey);
  if (!m || (m[4] !== undefined) !== (partition === 'hourly')) return undefined;
  return calendarProblem(m[1], m[2], m[3], m[4]) ? undefined : runDate(m[1], m[2], m[3], m[4]);
}

/** The run date of a partition starting at `time` (milliseconds, UTC). */
export function runDateOfTime(time: number, partition: Partition): RunDate {
  const d = new Date(time);
  const two = (n: number): string => String(n).padStart(2, '0');
  return runDate(String(d.getUTCFullYear()).padStart(4, '0'), two(d.getUTCMonth() + 1), two(d.getUTCDate()), partition === 'hourly' ? two(d.getUTCHours()) : undefined);
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):?(\d{2}))$/i;

/**
 * An ISO-8601 instant (`2019-03-12T01:00:00Z`, seconds, fraction and offset optional) as a Date,
 * or undefined when any part is out of range: `2019-02-30`, `T24:00`, `:60`, year 0000 are
 * refused, never rolled over into another day (JavaScript's Date would roll them).
 */
export function parseInstant(text: string): Date | undefined {
  const m = typeof text === 'string' ? INSTANT.exec(text) : null;
  if (!m) return undefined;
  const [, yyyy, mm, dd, hh, mi, ss = '00', fraction = '', zone, offH = '00', offM = '00'] = m;
  if (Number(yyyy) < 1 || calendarProblem(yyyy, mm, dd, hh)) return undefined;
  if (Number(mi) > 59 || Number(ss) > 59 || Number(offH) > 23 || Number(offM) > 59) return undefined;
  const offsetMinutes = zone.toUpperCase() === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  const instant = new Date(0);
  // setUTCFullYear: Date.UTC would read years 0-99 as 1900-1999.
  instant.setUTCFullYear(Number(yyyy), Number(mm) - 1, Number(dd));
  instant.setUTCHours(Number(hh), Number(mi) - offsetMinutes, Number(ss), Number(fraction.padEnd(3, '0').slice(0, 3)));
  return instant;
}

/**
 * The run date an instant belongs to, as seen on the wall clock of `timeZone` (UTC when absent):
 * the calendar day for daily workflows, the day and hour for hourly ones.
 */
export function runDateAt(instant: Date, partition: Partition, timeZone = 'UTC'): RunDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)!.value;
  // Intl writes year 1 as '1': a run date always has four digits.
  return runDate(part('year').padStart(4, '0'), part('month'), part('day'), partition === 'hourly' ? part('hour') : undefined);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function calendarProblem(yyyy: string, mm: string, dd: string, hh: string | undefined): string | undefined {
  const [y, m, d] = [Number(yyyy), Number(mm), Number(dd)];
  if (m < 1 || m > 12) return 'months run from 01 to 12';
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate() - (m === 2 && !leap(y) ? 1 : 0);
  if (d < 1 || d > days) return `${MONTHS[m - 1]} ${y} has no day ${d}`;
  if (hh !== undefined && Number(hh) > 23) return 'hours run from 00 to 23';
  return undefined;
}

const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function runDate(yyyy: string, mm: string, dd: string, hh: string | undefined): RunDate {
  const at = new Date(0);
  at.setUTCFullYear(Number(yyyy), Number(mm) - 1, Number(dd));
  at.setUTCHours(Number(hh ?? 0));
  return {
    yyyy,
    mm,
    dd,
    ...(hh !== undefined && { hh }),
    text: `${yyyy}-${mm}-${dd}${hh === undefined ? '' : `T${hh}`}`,
    key: `${yyyy}${mm}${dd}${hh ?? ''}`,
    time: at.getTime(),
  };
}
