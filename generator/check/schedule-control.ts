// The schedule's control keys: `overlap` (what a scheduled start does while an earlier run still
// runs) and `catch_up` (after a pause, `schedule resume` starts the runs whose times were missed).
// Both only mean something for a recurring schedule (cron or rate): a one-time `at(...)` cannot
// overlap itself or miss a fire time after it fired.
import { didYouMean } from '../contract/suggest.ts';
import { OVERLAPS, type Overlap } from '../contract/fire-times.ts';
import { Codes } from '../messages.ts';
import type { Schedule } from '../model.ts';
import type { Entry, Fields, Reader } from './reader.ts';

export const SCHEDULE_CONTROL_KEYS = ['overlap', 'catch_up'] as const;

/**
 * Reads `overlap` and `catch_up` from the schedule's fields; `kind` is the expression's kind
 * (cron, rate, at) when exactly one is given. Returns only the keys given, so a workflow without
 * them compiles to the same manifest as before.
 */
export function readScheduleControl(r: Reader, fields: Fields, kind: string | undefined, schedule: Entry): Pick<Schedule, 'overlap' | 'catchUp'> {
  const overlapEntry = fields.get('overlap');
  const catchUpEntry = fields.get('catch_up');
  const overlap = overlapEntry && readOverlap(r, overlapEntry);
  const catchUp = catchUpEntry && readCatchUp(r, catchUpEntry);
  for (const entry of [overlapEntry, catchUpEntry]) {
    if (!entry) continue;
    if (kind === undefined) {
      r.error(entry.keySpan, Codes.controlWithoutRecurrence, `'${entry.key}' needs a schedule that fires: this one names no cron or rate`, "add e.g. 'cron: \"0 2 * * ? *\"' beside it", {
        message: "the schedule",
        file: r.file,
        offset: schedule.keySpan.start,
      });
    } else if (kind === 'at') {
      r.error(entry.keySpan, Codes.controlWithoutRecurrence, `'${entry.key}' means nothing for a one-time 'at' schedule: it fires once, so no run can overlap or be missed`, `remove '${entry.key}', or use cron or rate`);
    }
  }
  return { ...(overlap !== undefined && { overlap }), ...(catchUp !== undefined && { catchUp }) };
}

function readOverlap(r: Reader, entry: Entry): Overlap | undefined {
  const v = r.scalar(entry.value);
  if (typeof v === 'string' && (OVERLAPS as readonly string[]).includes(v)) return v as Overlap;
  const written = typeof v === 'string' ? `'${v}'` : r.typeName(entry.value);
  const hint = (typeof v === 'string' && didYouMean(v, OVERLAPS)) || 'skip: do not start while a run runs; queue: start when it ends; allow: start anyway (the default)';
  r.error(entry.span, Codes.badOverlap, `overlap ${written} is not one of ${OVERLAPS.join(', ')}`, hint);
  return undefined;
}

function readCatchUp(r: Reader, entry: Entry): boolean | undefined {
  const v = r.scalar(entry.value);
  if (typeof v === 'boolean') return v;
  const written = typeof v === 'string' ? `'${v}'` : r.typeName(entry.value);
  r.error(entry.span, Codes.badCatchUp, `catch_up ${written} is not true or false`, 'write catch_up: true (start the runs a pause missed) or false');
  return undefined;
}
