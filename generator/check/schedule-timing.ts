// When a schedule fires, checked against its time zone's calendar: a cron time that falls into a
// daylight-saving gap (EventBridge Scheduler skips that day's run) or into the repeated hour (it
// runs once, at one of the two), and a schedule that never fires again (an `at` or a cron year
// range in the past). Uses only the platform's Intl time-zone data; `now` comes from the caller.
import type { Schedule } from '../model.ts';
import type { Problem } from './values.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (zone: string): Intl.DateTimeFormat => {
  let f = formatters.get(zone);
  if (!f) formatters.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })));
  return f;
};

/** Offset from UTC in minutes of `zone` at instant `t`. */
function offsetMinutes(zone: string, t: number): number {
  const parts = formatter(zone).formatToParts(new Date(t));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(t / 60_000) * 60_000) / 60_000);
}

export interface Transition {
  /** The local date of the change (yyyy-mm-dd). */
  date: string;
  /** Local minutes of the day where the skipped or repeated span starts, and its length. */
  startMinute: number;
  minutes: number;
  kind: 'gap' | 'repeat';
  /** Day of week of that date, 1 (Sunday) to 7, as cron counts. */
  weekday: number;
  month: number;
  day: number;
}

/** Hours between samples of a zone's offset (see transitions): no zone changes its offset twice in a day. */
const STEP_HOURS = 24;

/** The zone's offset changes in the year after `from`. */
export function transitions(zone: string, from: Date): Transition[] {
  const out: Transition[] = [];
  const hour = 3_600_000;
  // Offsets are sampled every STEP_HOURS and each change is then found to the minute by bisection:
  // a zone's offset never changes twice within a day, and sampling each hour of a year cost
  // 8,784 Intl calls per schedule, most of `validate`'s time for a folder of workflows.
  const step = STEP_HOURS * hour;
  const start = Math.floor(from.getTime() / hour) * hour;
  let before = offsetMinutes(zone, start);
  for (let t = start + step; t <= start + 366 * 24 * hour; t += step) {
    const after = offsetMinutes(zone, t);
    if (after === before) continue;
    // The change lies in (t - step, t]: find its minute.
    let lo = t - step;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMinutes(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    // Local wall time just before the change, on the old offset.
    const local = new Date(hi + before * 60_000);
    out.push({
      date: local.toISOString().slice(0, 10),
      startMinute: after > before ? local.getUTCHours() * 60 + local.getUTCMinutes() : local.getUTCHours() * 60 + local.getUTCMinutes() - (before - after),
      minutes: Math.abs(after - before),
      kind: after > before ? 'gap' : 'repeat',
      weekday: local.getUTCDay() + 1,
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
    });
    before = after;
  }
  return out;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The values a cron field (already checked) allows, or undefined for "any" or a form whose
 * dates this check does not enumerate (`L`, `W`, `#`): those are treated as matching.
 */
function fieldValues(field: string, min: number, max: number, names?: string[]): Set<number> | undefined {
  if (field === '*' || field === '?' || /[LW#]/.test(field)) return undefined;
  const values = new Set<number>();
  const value = (v: string): number => (names?.includes(v) ? min + names.indexOf(v) : Number(v));
  for (const part of field.toUpperCase().split(',')) {
    const [range, step] = part.split('/');
    const [a, b] = range === '*' ? [min, max] : range.split('-').map(value);
    const last = b ?? (step ? max : a);
    for (let v = a; v <= last; v += step ? Number(step) : 1) values.add(v);
  }
  return values;
}

const matches = (set: Set<number> | undefined, v: number): boolean => set === undefined || set.has(v);
const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Problems of a checked schedule's timing, as warnings: DST gaps and repeats, and never firing again. */
export function scheduleTimingProblems(schedule: Schedule, now: Date): Problem[] {
  const m = /^(cron|rate|at)\((.*)\)$/.exec(schedule.expression);
  if (!m) return [];
  const zone = schedule.timezone ?? 'UTC';
  if (m[1] === 'at') return atProblems(m[2], zone, now);
  if (m[1] !== 'cron') return [];
  const [minutes, hours, dom, month, dow, year] = m[2].trim().split(/\s+/);
  const years = fieldValues(year, 1970, 2199);
  const thisYear = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric' }).format(now));
  if (years && Math.max(...years) < thisYear) {
    return [{ message: `cron(${m[2]}) never fires again: its years end in ${Math.max(...years)}`, hint: "use '*' in the year field, or remove the schedule" }];
  }
  const mins = fieldValues(minutes, 0, 59);
  const hrs = fieldValues(hours, 0, 23);
  // Hourly or finer schedules lose or repeat one run by nature; the check is for daily times.
  if (!hrs || !mins || hrs.size > 6) return [];
  const problems: Problem[] = [];
  for (const t of transitions(zone, now)) {
    if (!matches(fieldValues(month, 1, 12, MONTHS), t.month) || !matches(fieldValues(dom, 1, 31), t.day) || !matches(fieldValues(dow, 1, 7, DAYS), t.weekday)) continue;
    if (years && !years.has(Number(t.date.slice(0, 4)))) continue;
    const hit = [...hrs].flatMap((h) => [...mins].map((mm) => h * 60 + mm)).find((x) => x >= t.startMinute && x < t.startMinute + t.minutes);
    if (hit === undefined) continue;
    const span = `${hhmm(t.startMinute)}-${hhmm(t.startMinute + t.minutes)}`;
    problems.push(
      t.kind === 'gap'
        ? {
            message: `cron(${m[2]}) in ${zone}: ${hhmm(hit)} does not exist on ${t.date} (clocks skip ${span}), so that day's run is skipped`,
            hint: `schedule outside ${span} local time, or in UTC`,
          }
        : {
            message: `cron(${m[2]}) in ${zone}: ${hhmm(hit)} happens twice on ${t.date} (clocks repeat ${span}); EventBridge Scheduler runs it once`,
            hint: `schedule outside ${span} local time if the run's time matters, or in UTC`,
          },
    );
  }
  return problems;
}

function atProblems(body: string, zone: string, now: Date): Problem[] {
  const [date, time] = body.trim().split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi, s] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const instant = wall - offsetMinutes(zone, wall) * 60_000;
  if (instant >= now.getTime()) return [];
  return [{ message: `at(${body}) in ${zone} is in the past: this schedule never fires`, hint: 'give a future time, or a cron or rate schedule' }];
}
