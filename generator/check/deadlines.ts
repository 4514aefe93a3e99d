// Deadlines: `deadline: "06:00"` (the first 06:00 on the schedule's wall clock after the run's
// start) or `deadline: 4h` (after the start), for the run and per job. Read here, then checked
// against the schedule and the estimates once the whole workflow is read.
//
// A clock time needs a schedule: without one there is no timezone to read it in, and a run
// started by a marker or by hand at 06:30 would silently get the next day's 06:00. Such a
// workflow writes its deadline as a duration after the start instead (SG3026 says so).
import { CLOCK_TIME } from '../contract/deadlines.ts';
import { Codes } from '../messages.ts';
import { topologicalOrder, type Deadline, type Job, type Schedule } from '../model.ts';
import type { Entry, Reader, Span } from './reader.ts';
import { formatDuration, parseDuration } from './values.ts';

export function readDeadline(r: Reader, entry: Entry | undefined): Deadline | undefined {
  if (!entry) return undefined;
  const raw = r.scalar(entry.value);
  // YAML reads an unquoted 06:00 as the sexagesimal number 360.
  if (typeof raw === 'number') {
    r.error(entry.span, Codes.badDeadline, `'deadline' is a bare number (${raw})`, `quote a clock time ("06:00") or give a duration with a unit ('4h')`);
    return undefined;
  }
  const text = r.string(entry);
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d{1,2}:\d{2}$/.test(trimmed)) {
    const clock = trimmed.padStart(5, '0');
    if (CLOCK_TIME.test(clock)) return { clock };
    r.error(entry.span, Codes.badDeadline, `'${text}' is not a clock time`, 'hours run from 00 to 23 and minutes from 00 to 59, e.g. "06:00"');
    return undefined;
  }
  const seconds = parseDuration(trimmed);
  if (seconds !== undefined) return { afterSeconds: seconds };
  r.error(entry.span, Codes.badDeadline, `'${text}' is neither a clock time nor a duration`, `a clock time on the schedule's clock ("06:00"), or a duration after the run's start as a number and a unit, largest first: '4h', '90m', '4h30m'`);
  return undefined;
}

interface DeadlineSites {
  /** The run's deadline and where it was written. */
  run?: { deadline: Deadline; span: Span };
  /** Where each job's deadline was written. */
  jobs: Map<string, Span>;
}

export function deadlineSites(run: Deadline | undefined, entry: Entry | undefined, jobs: ReadonlyMap<string, { deadline?: Span }>): DeadlineSites {
  const sites: DeadlineSites = { jobs: new Map() };
  if (run && entry) sites.run = { deadline: run, span: entry.span };
  for (const [job, spans] of jobs) if (spans.deadline) sites.jobs.set(job, spans.deadline);
  return sites;
}

/** The checks that need the whole workflow: a schedule for clock times, the start time, the estimates. */
export function checkDeadlines(r: Reader, sites: DeadlineSites, jobs: readonly Job[], schedule: Schedule | undefined): void {
  const start = startMinuteOfDay(schedule);
  // Earliest finish on estimates; a job without one takes no time (SG3029 says so).
  const finish = new Map<string, number>();
  for (const job of topologicalOrder(jobs)) finish.set(job.name, Math.max(0, ...job.needs.map((n) => finish.get(n) ?? 0)) + (job.estimateSeconds ?? 0));
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const all: { owner?: Job; deadline: Deadline; span: Span }[] = [
    ...(sites.run ? [sites.run] : []),
    ...jobs.flatMap((j) => (j.deadline && sites.jobs.has(j.name) ? [{ owner: j, deadline: j.deadline, span: sites.jobs.get(j.name)! }] : [])),
  ];
  for (const { owner, deadline, span } of all) {
    const who = owner ? `job '${owner.name}'` : 'the run';
    if ('clock' in deadline && !schedule) {
      r.error(span, Codes.deadlineNeedsSchedule, `${who} has a clock-time deadline (${deadline.clock}) but the workflow has no schedule`, `a clock time is read on the schedule's clock, after its start; without a schedule write a duration after the run's start, e.g. '4h'`);
      continue;
    }
    const window = windowSeconds(deadline, start);
    if (window === undefined) continue;
    if ('clock' in deadline && start !== undefined && toMinutes(deadline.clock) <= start && window > 12 * 3600) {
      r.warning(
        span,
        Codes.deadlineBeforeStart,
        `${who}'s deadline ${deadline.clock} comes before the schedule's ${clockOf(start)} start, so it means ${deadline.clock} the next day, ${formatDuration(window)} after the start`,
        `if that is meant, say it as a duration: '${formatDuration(window)}'; else give a time after ${clockOf(start)}`,
      );
    }
    const scope = owner ? upstream(owner.name, byName) : jobs.map((j) => j.name);
    const needed = owner ? (finish.get(owner.name) ?? 0) : Math.max(0, ...finish.values());
    if (needed > window) {
      r.warning(span, Codes.deadlineUnreachable, `${who} cannot meet its deadline even on estimates: the critical path to it takes ${formatDuration(needed)}, the deadline leaves ${formatDuration(window)}`, 'move the deadline, or correct the estimates: every run would alert as behind from its start');
    }
    const unestimated = scope.filter((j) => byName.get(j)!.estimateSeconds === undefined);
    if (unestimated.length > 0) {
      r.warning(span, Codes.deadlineWithoutEstimates, `${unestimated.length} job(s) before ${who}'s deadline have no estimate (${unestimated.slice(0, 5).join(', ')}${unestimated.length > 5 ? ', ...' : ''}): the early warning counts them as taking no time`, "give them an 'estimate:' so a run is known to be behind before its deadline passes");
    }
  }
}

/** Seconds from the run's start to the deadline, when the schedule tells the start's time of day (or the deadline is a duration). */
function windowSeconds(deadline: Deadline, start: number | undefined): number | undefined {
  if ('afterSeconds' in deadline) return deadline.afterSeconds;
  if (start === undefined) return undefined;
  const minutes = (toMinutes(deadline.clock) - start + 1440) % 1440;
  return (minutes === 0 ? 1440 : minutes) * 60;
}

/** The minute of the day a schedule fires at, when it fires at one fixed time (cron with a fixed minute and hour, or at()). */
function startMinuteOfDay(schedule: Schedule | undefined): number | undefined {
  const expression = schedule?.expression ?? '';
  const cron = /^cron\((\d{1,2}) (\d{1,2}) /.exec(expression);
  if (cron) return Number(cron[2]) * 60 + Number(cron[1]);
  const at = /^at\(\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2})/.exec(expression);
  return at ? Number(at[1]) * 60 + Number(at[2]) : undefined;
}

const toMinutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
const clockOf = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

function upstream(job: string, byName: ReadonlyMap<string, Job>): string[] {
  const reached = new Set<string>();
  const stack = [job];
  while (stack.length > 0) {
    const j = stack.pop()!;
    if (reached.has(j) || !byName.has(j)) continue;
    reached.add(j);
    stack.push(...byName.get(j)!.needs);
  }
  return [...reached];
}
