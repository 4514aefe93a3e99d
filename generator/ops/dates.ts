// Run dates: the `date` of an execution's input. A daily workflow runs per `YYYY-MM-DD`, an hourly
// one per `YYYY-MM-DDTHH` (UTC hours). Everything here is pure so names and ranges are deterministic.
import { UserError } from '../cli/errors.ts';
import type { Partition } from '../model.ts';

export interface RunDate {
  /** As written in inputs and execution names: `2019-03-12` or `2019-03-12T05`. */
  text: string;
  /** As written in marker keys: `20190312` or `2019031205`. */
  key: string;
  /** Milliseconds since the epoch of the partition's start (UTC). */
  time: number;
}

const DAILY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOURLY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const stepOf = (partition: Partition): number => (partition === 'daily' ? DAY_MS : HOUR_MS);

/** Reads `text` as a date of `partition`; `what` names the flag in messages (e.g. `--date`). */
export function parseRunDate(text: string, partition: Partition, what = '--date'): RunDate {
  const daily = DAILY.exec(text);
  const hourly = HOURLY.exec(text);
  if (partition === 'daily' && hourly) {
    throw new UserError(`${what} ${text} is an hour, but this workflow is partitioned daily; use ${text.slice(0, 10)}`);
  }
  if (partition === 'hourly' && daily) {
    throw new UserError(
      `${what} ${text} is a day, but this workflow is partitioned hourly; give an hour, e.g. ${text}T00 (hours are UTC, 00 to 23)`,
    );
  }
  const m = partition === 'daily' ? daily : hourly;
  if (!m) {
    const shape = partition === 'daily' ? 'YYYY-MM-DD, e.g. 2019-03-12' : 'YYYY-MM-DDTHH, e.g. 2019-03-12T05';
    throw new UserError(`${what} '${text}' is not a date; a ${partition} workflow takes ${shape}`);
  }
  const [year, month, day, hour] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  const time = Date.UTC(year, month - 1, day, hour);
  const back = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2019-02-30 over to March; a round trip catches every impossible day or hour.
  const why =
    month < 1 || month > 12
      ? 'months run from 01 to 12'
      : back.getUTCDate() !== day || back.getUTCMonth() !== month - 1 || day === 0
        ? `${monthName(month)} ${year} has no day ${day}`
        : hour > 23
          ? 'hours run from 00 to 23'
          : year < 1970
            ? 'years before 1970 are not supported'
            : undefined;
  if (why) throw new UserError(`${what} ${text} is not a real date: ${why}`);
  return { text, key: text.replace(/[-T]/g, ''), time };
}

export function formatRunDate(time: number, partition: Partition): string {
  const iso = new Date(time).toISOString();
  return partition === 'daily' ? iso.slice(0, 10) : iso.slice(0, 13);
}

/** Every date from `from` to `to`, both included. */
export function dateRange(from: RunDate, to: RunDate, partition: Partition, limit = 10_000): RunDate[] {
  if (to.time < from.time) {
    throw new UserError(`--to ${to.text} is before --from ${from.text}; swap them`);
  }
  const step = stepOf(partition);
  const count = (to.time - from.time) / step + 1;
  if (count > limit) {
    throw new UserError(`${from.text} to ${to.text} is ${count} runs; at most ${limit} fit in one backfill, split the range`);
  }
  const out: RunDate[] = [];
  for (let t = from.time; t <= to.time; t += step) out.push(parseRunDate(formatRunDate(t, partition), partition));
  return out;
}

const UNITS: Record<string, number> = { m: 60_000, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/** `--since 7d` (also m, h, w) as milliseconds. */
export function parseSince(text: string): number {
  const m = /^(\d+)([mhdw])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) {
    throw new UserError(`--since '${text}' is not a duration; use a number and a unit: 30m, 12h, 7d or 2w`);
  }
  return Number(m[1]) * UNITS[m[2]];
}

/** A date is written as the workflow's input `date`, which may have come from a trigger. */
export function runDateOfInput(input: unknown, partition: Partition): RunDate | undefined {
  const date = (input as { date?: unknown } | null)?.date;
  if (typeof date !== 'string') return undefined;
  try {
    return parseRunDate(date, partition);
  } catch {
    return undefined;
  }
}

const monthName = (month: number): string =>
  ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][
    month - 1
  ];
