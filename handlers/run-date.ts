// The run key contract shared by every handler (docs/architecture.md, "runtime contract"):
// a run date is "2019-03-12" (daily) or "2019-03-12T05" (hourly); its datekey is "20190312" or
// "2019031205"; markers are `<prefix><job>__<datekey>.done`; a run's execution is `<workflow>-<date>`.

export type Partition = 'daily' | 'hourly';

export interface RunDate {
  yyyy: string;
  mm: string;
  dd: string;
  /** Only for hourly runs. */
  hh?: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/;
const DATEKEY = /^(\d{4})(\d{2})(\d{2})(\d{2})?$/;

/** Parses "2019-03-12" or "2019-03-12T05"; undefined when it is not a real calendar date/hour. */
export function parseRunDate(date: string): RunDate | undefined {
  const m = DATE.exec(date);
  return m ? validated(m[1], m[2], m[3], m[4]) : undefined;
}

/** "20190312" / "2019031205" back to a run date, checked against the partition. */
export function parseDatekey(datekey: string, partition: Partition): RunDate | undefined {
  const m = DATEKEY.exec(datekey);
  if (!m || (m[4] !== undefined) !== (partition === 'hourly')) return undefined;
  return validated(m[1], m[2], m[3], m[4]);
}

export const formatDate = (d: RunDate): string => `${d.yyyy}-${d.mm}-${d.dd}${d.hh === undefined ? '' : `T${d.hh}`}`;
export const formatDatekey = (d: RunDate): string => `${d.yyyy}${d.mm}${d.dd}${d.hh ?? ''}`;

export const markerKey = (prefix: string, job: string, datekey: string): string => `${prefix}${job}__${datekey}.done`;

/** The deterministic execution name of a workflow's run for a date (`player-analytics-2019-03-12`). */
export const executionName = (workflow: string, date: string): string => `${workflow}-${date}`;

export interface ParsedMarker {
  job: string;
  date: RunDate;
}

/** `<prefix><job>__<datekey>.done` -> job and date; undefined for any other key. */
export function parseMarkerKey(key: string, prefix: string, partition: Partition): ParsedMarker | undefined {
  if (!key.startsWith(prefix) || !key.endsWith('.done')) return undefined;
  const stem = key.slice(prefix.length, -'.done'.length);
  // The datekey never contains '__', so the last separator splits job from date even when a job
  // name contains '__' itself.
  const at = stem.lastIndexOf('__');
  if (at <= 0) return undefined;
  const job = stem.slice(0, at);
  if (job.includes('/')) return undefined;
  const date = parseDatekey(stem.slice(at + 2), partition);
  return date ? { job, date } : undefined;
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
  if (Number(yyyy) < 1 || !validated(yyyy, mm, dd, hh)) return undefined;
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
  return { yyyy: part('year').padStart(4, '0'), mm: part('month'), dd: part('day'), ...(partition === 'hourly' && { hh: part('hour') }) };
}

function validated(yyyy: string, mm: string, dd: string, hh: string | undefined): RunDate | undefined {
  const y = Number(yyyy);
  const m = Number(mm);
  const d = Number(dd);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth) return undefined;
  if (hh !== undefined && Number(hh) > 23) return undefined;
  return { yyyy, mm, dd, ...(hh !== undefined && { hh }) };
}
