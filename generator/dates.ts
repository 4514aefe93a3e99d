// Run dates as the command line and the local engine read them: the contract's one parser
// (contract/dates.ts), with the refusal explained for the flag that gave the date. Pure, so
// names and ranges are deterministic.
import { UserError } from './errors.ts';
import { isRunDateProblem, readRunDate, runDateOfTime, stepOf, type Partition, type RunDate } from './contract/dates.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Reads `text` as a date of `partition`; `what` names the flag in messages (e.g. `--date`). */
export function parseRunDate(text: string, partition: Partition, what = '--date'): RunDate {
  const read = readRunDate(text, partition);
  if (!isRunDateProblem(read)) {
    if (read.time < 0) throw new UserError(`${what} ${text} is not a real date: years before 1970 are not supported`);
    return read;
  }
  switch (read.problem) {
    case 'hour-for-daily':
      throw new UserError(`${what} ${text} is an hour, but this workflow is partitioned daily; use ${text.slice(0, 10)}`);
    case 'day-for-hourly':
      throw new UserError(`${what} ${text} is a day, but this workflow is partitioned hourly; give an hour, e.g. ${text}T00 (hours are UTC, 00 to 23)`);
    case 'outline': {
      const shape = partition === 'daily' ? 'YYYY-MM-DD, e.g. 2019-03-12' : 'YYYY-MM-DDTHH, e.g. 2019-03-12T05';
      throw new UserError(`${what} '${text}' is not a date; a ${partition} workflow takes ${shape}`);
    }
    case 'calendar':
      throw new UserError(`${what} ${text} is not a real date: ${read.why}`);
  }
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
  for (let t = from.time; t <= to.time; t += step) out.push(runDateOfTime(t, partition));
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
