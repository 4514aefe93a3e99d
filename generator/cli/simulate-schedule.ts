// `stepgraph simulate <workflow> --schedule FROM..TO [--paused FROM..TO]`: the schedule's starts
// over a window on the virtual clock, with its overlap rule and catch-up (local/schedule-sim.ts).
import type { CompiledWorkflow } from '../compile.ts';
import { ExitCode, UserError } from '../errors.ts';
import { formatSchedule, scheduleJson } from '../local/schedule-report.ts';
import { scheduleInstant, simulateSchedule, type ScheduleOptions, type ScheduleWindow } from '../local/schedule-sim.ts';

/** A window longer than this is a backfill's question, and a drain reads back 35 days at most. */
const MAX_WINDOW_DAYS = 35;

export function scheduleWindow(compiled: CompiledWorkflow, text: string, paused: string | undefined, outside = false): ScheduleWindow {
  const schedule = compiled.workflow.schedule;
  if (!schedule) throw new UserError(`workflow '${compiled.workflow.name}' has no schedule: --schedule simulates a schedule's starts; use --dates for runs of given dates`);
  const zone = schedule.timezone ?? 'UTC';
  const range = (value: string, flag: string): { from: number; to: number } => {
    const m = /^(.+)\.\.(.+)$/.exec(value);
    if (!m) throw new UserError(`${flag} '${value}' is not FROM..TO (e.g. 2019-03-01..2019-03-08)`);
    const from = scheduleInstant(m[1], zone, flag);
    const to = scheduleInstant(m[2], zone, flag);
    if (to <= from) throw new UserError(`${flag} '${value}' ends before it begins`);
    return { from, to };
  };
  const window = range(text, '--schedule');
  // A date alone as the end means its whole day: 2019-03-01..2019-03-08 includes the 8th's fire times.
  const to = /\.\.\d{4}-\d{2}-\d{2}$/.test(text) ? scheduleInstant(`${text.slice(-10)}T23:59`, zone, '--schedule') : window.to;
  if (to - window.from > MAX_WINDOW_DAYS * 86_400_000) throw new UserError(`--schedule '${text}' spans more than ${MAX_WINDOW_DAYS} days: simulate a shorter window`);
  if (paused === undefined) {
    if (outside) throw new UserError('--resumed-outside goes with --paused FROM..TO: it says how the pause ended');
    return { from: window.from, to };
  }
  const pause = range(paused, '--paused');
  if (pause.from < window.from || pause.to > to) throw new UserError(`--paused '${paused}' is not inside --schedule '${text}': the pause and the resume must fall in the window`);
  if (schedule.catchUp === undefined && !outside) console.error(`note: the schedule has no catch_up: the fire times missed while paused are not run (catch_up: true would start them at the resume)`);
  return { from: window.from, to, paused: { ...pause, ...(outside && { outside }) } };
}

export async function simulateScheduleCommand(compiled: CompiledWorkflow, window: ScheduleWindow, options: ScheduleOptions, json: boolean): Promise<number> {
  const sim = await simulateSchedule(compiled, window, options);
  console.log(json ? scheduleJson(sim) : formatSchedule(sim));
  return sim.runs.every((r) => r.report.status === 'SUCCEEDED') ? ExitCode.ok : ExitCode.runFailed;
}
