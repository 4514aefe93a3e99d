// When an EventBridge Scheduler expression fires, as instants: `schedule show` prints the next
// ones, `schedule resume` with catch_up starts the runs of those missed during a pause, and the
// start handler finds the starts an `overlap: queue` schedule held back. cron fields are read in
// the schedule's time zone (a local time in a daylight-saving gap does not fire that day; one in
// a repeated hour fires once, at its first occurrence), rate(...) counts from an anchor (the
// schedule's start or creation), at(...) fires once. Only the platform's Intl data is used.

/** The overlap rules of a schedule: what a start does while an earlier run still runs. */
export const OVERLAPS = ['skip', 'queue', 'allow'] as const;
export type Overlap = (typeof OVERLAPS)[number];

export interface FireWindow {
  /** Exclusive lower bound (ms since the epoch). */
  after: number;
  /** Inclusive upper bound (ms since the epoch). */
  until: number;
  /** At most this many instants (the first ones). */
  limit: number;
  /** rate(...) only: the instant its intervals count from. */
  anchor?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Fire times of `expression` in (after, until], oldest first; [] for an expression this cannot read. */
export function fireTimes(expression: string, timeZone: string, window: FireWindow): number[] {
  const m = /^(cron|rate|at)\((.*)\)$/.exec(expression.trim());
  if (!m || window.limit <= 0 || window.until <= window.after) return [];
  if (m[1] === 'at') {
    const t = atInstant(m[2], timeZone);
    return t !== undefined && t > window.after && t <= window.until ? [t] : [];
  }
  if (m[1] === 'rate') return rateTimes(m[2], window);
  return cronTimes(m[2], timeZone, window);
}

function rateTimes(body: string, w: FireWindow): number[] {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!m || w.anchor === undefined) return [];
  const step = Number(m[1]) * (m[2].startsWith('minute') ? MINUTE : m[2].startsWith('hour') ? 60 * MINUTE : DAY);
  if (step <= 0) return [];
  const first = w.anchor > w.after ? w.anchor : w.anchor + (Math.floor((w.after - w.anchor) / step) + 1) * step;
  const out: number[] = [];
  for (let t = first; t <= w.until && out.length < w.limit; t += step) out.push(t);
  return out;
}

function atInstant(body: string, zone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return localToInstant(zone, Date.UTC(y, mo - 1, d, h, mi, s));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function offsetMinutes(zone: string, t: number): number {
  let f = formatters.get(zone);
  if (!f) formatters.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })));
  const parts = f.formatToParts(new Date(t));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(t / MINUTE) * MINUTE) / MINUTE);
}

/**
 * The instant a local wall time (given as if it were UTC) happens in `zone`: the earlier one in
 * a repeated hour, undefined in a gap (that wall time does not exist that day).
 */
function localToInstant(zone: string, wall: number): number | undefined {
  const candidates = new Set<number>();
  // The offsets that hold a day either side cover any change near this wall time.
  for (const probe of [wall - DAY, wall, wall + DAY]) candidates.add(wall - offsetMinutes(zone, probe) * MINUTE);
  const fits = [...candidates].filter((t) => t + offsetMinutes(zone, t) * MINUTE === wall).sort((a, b) => a - b);
  return fits[0];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The values a plain cron field allows (lists, ranges, steps, names); undefined for '*' and '?'. */
function values(field: string, min: number, max: number, names?: string[]): Set<number> | undefined {
  if (field === '*' || field === '?') return undefined;
  const out = new Set<number>();
  const value = (v: string): number => (names?.includes(v) ? min + names.indexOf(v) : Number(v));
  for (const part of field.toUpperCase().split(',')) {
    const [range, step] = part.split('/');
    const [a, b] = range === '*' ? [min, max] : range.split('-').map(value);
    const last = b ?? (step ? max : a);
    for (let v = a; v <= last; v += step ? Number(step) : 1) out.add(v);
  }
  return out;
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** 1 (Sunday) to 7, as cron counts. */
const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

/** Whether the day-of-month field allows day `d` of month `m` of year `y` (`L`, `L-n`, `nW`, `LW` included). */
function domMatches(field: string, y: number, m: number, d: number): boolean {
  if (field === '*' || field === '?') return true;
  const last = daysIn(y, m);
  const f = field.toUpperCase();
  if (f === 'L') return d === last;
  const lMinus = /^L-(\d+)$/.exec(f);
  if (lMinus) return d === last - Number(lMinus[1]);
  if (f === 'LW') return d === nearestWeekday(y, m, last);
  const w = /^(\d+)W$/.exec(f);
  if (w) return d === nearestWeekday(y, m, Math.min(Number(w[1]), last));
  return values(f, 1, 31)!.has(d);
}

/** The weekday nearest to day `target`, within its month (Saturday moves to Friday, Sunday to Monday). */
function nearestWeekday(y: number, m: number, target: number): number {
  const wd = weekday(y, m, target);
  if (wd === 7) return target === 1 ? 3 : target - 1;
  if (wd === 1) return target === daysIn(y, m) ? target - 2 : target + 1;
  return target;
}

/** Whether the day-of-week field allows day `d` (`nL`: the month's last such day, `n#k`: its k-th). */
function dowMatches(field: string, y: number, m: number, d: number): boolean {
  if (field === '*' || field === '?') return true;
  const f = field.toUpperCase();
  const wd = weekday(y, m, d);
  const dayOf = (v: string): number => (DAYS.includes(v) ? DAYS.indexOf(v) + 1 : Number(v));
  const lastOf = /^(\w+)L$/.exec(f);
  if (lastOf) return wd === dayOf(lastOf[1]) && d + 7 > daysIn(y, m);
  if (f === 'L') return wd === 7;
  const nth = /^(\w+)#(\d)$/.exec(f);
  if (nth) return wd === dayOf(nth[1]) && Math.ceil(d / 7) === Number(nth[2]);
  return values(f, 1, 7, DAYS)!.has(wd);
}

function cronTimes(body: string, zone: string, w: FireWindow): number[] {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) return [];
  const [minF, hourF, domF, monthF, dowF, yearF] = fields;
  const minutes = [...(values(minF, 0, 59) ?? range(0, 59))].sort((a, b) => a - b);
  const hours = [...(values(hourF, 0, 23) ?? range(0, 23))].sort((a, b) => a - b);
  const months = values(monthF, 1, 12, MONTHS);
  const years = values(yearF, 1970, 2199);
  const out: number[] = [];
  // Walk local calendar days from the day before `after` (an offset can put its local day there)
  // to the day after `until`, at most a few centuries of days for a schedule that rarely fires.
  const startDay = Math.floor((w.after - DAY) / DAY) * DAY;
  const endDay = w.until + 2 * DAY;
  for (let day = startDay; day <= endDay && out.length < w.limit; day += DAY) {
    const date = new Date(day);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (years && !years.has(y)) {
      if (y > Math.max(...years)) break;
      continue;
    }
    if (months && !months.has(m)) continue;
    if (!domMatches(domF, y, m, d) || !dowMatches(dowF, y, m, d)) continue;
    for (const h of hours) {
      for (const mi of minutes) {
        const t = localToInstant(zone, day + h * 3_600_000 + mi * MINUTE);
        if (t === undefined || t <= w.after || t > w.until) continue;
        out.push(t);
        if (out.length >= w.limit) return out;
      }
    }
  }
  return out;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
