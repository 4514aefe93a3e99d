// `tolerated_failures`: how many items may fail before the whole fails, as a whole number of items
// or a whole percentage of them ("10%"). One reading for a sweep's and a for_each job's, so the two
// keys take the same spellings and say the same things about a wrong one.
import type { Entry, Reader } from './reader.ts';

export type Tolerance = { count: number } | { percent: number };

/** The value of `entry`; absent: nothing tolerated. undefined: reported under `code`. */
export function readTolerated(r: Reader, entry: Entry | undefined, code: string): Tolerance | undefined {
  if (!entry) return { count: 0 };
  const raw = r.scalar(entry.value);
  const hint = "write a number of items (e.g. 2) or a whole percentage of them (e.g. '10%')";
  if (typeof raw === 'number') {
    if (Number.isInteger(raw) && raw >= 0) return { count: raw };
    r.error(entry.span, code, `'tolerated_failures' must be a whole number of 0 or more, not ${raw}`, hint);
    return undefined;
  }
  if (typeof raw === 'string') {
    const m = /^\s*(\d+)\s*%\s*$/.exec(raw);
    if (m && Number(m[1]) <= 100) return { percent: Number(m[1]) };
    r.error(entry.span, code, `'${raw}' is not a count or a percentage from 0% to 100%`, hint);
    return undefined;
  }
  r.wrongType(entry, 'a number or a percentage');
  return undefined;
}
