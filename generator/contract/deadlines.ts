// Deadlines of a run (docs/architecture.md, "Deadlines"): when a deadline falls, which moments
// are worth looking at the run, and what a look finds. One module, so the deadline handler in
// AWS, `simulate` on its virtual clock and `stepgraph status` reach the same verdict from the
// same facts: the run's start, the jobs' estimates and needs, and which jobs are done or running.
//
// A look at the run ("checkpoint") is worth it only at the moments a job would become late:
// a job's latest start is the deadline minus the longest estimated path from its start to the
// job the deadline belongs to (the run: its last job). Past that moment, a job not yet started
// (or a job still running past its estimate) pushes the expected end past the deadline. So the
// handler is woken at most once per job and deadline, never on an interval: nothing polls.

/** `06:00` on the schedule's wall clock (the first one after the run's start), or a duration after the start. */
export type DeadlineSpec = { clock: string; timezone: string } | { afterSeconds: number };

interface DeadlineJob {
  name: string;
  needs: string[];
  /** The job's estimate; 0 when it has none (it is counted as taking no time). */
  estimateSeconds: number;
  deadline?: DeadlineSpec;
}

/** What the compiler hands every reader of deadlines (the manifest's `deadlines`). */
export interface DeadlinePlan {
  /** The run's own deadline. */
  run?: DeadlineSpec;
  /** Every job of the workflow, in topological order. */
  jobs: DeadlineJob[];
  /** The timezone times are shown in (the schedule's; UTC without one). */
  timezone: string;
  /** Where the jobs' figures came from when not (only) their estimates: "the last 10 runs" (contract/job-durations.ts). */
  source?: string;
}

/** Which deadline: the run's (`owner` undefined) or a job's. */
export interface DeadlineTarget {
  owner?: string;
  /** Epoch milliseconds. */
  at: number;
  /** The jobs that must be done for it to be met: the owner and its upstream; the run: every job. */
  scope: string[];
}

/** What is known of a run's jobs at a moment (from its history, or a simulation's timeline). */
export interface JobProgress {
  /** Finish time (epoch ms) of every finished job (done or skipped). */
  done: Map<string, number>;
  /** Start time (epoch ms) of every job running now. */
  running: Map<string, number>;
}

type DeadlineStatus = 'on time' | 'behind' | 'missed' | 'met';

export interface DeadlineVerdict {
  target: DeadlineTarget;
  status: DeadlineStatus;
  /** When the run (or the owner job) is expected to be done, given what is done and the estimates. */
  expected: number;
  /** The jobs in scope not done, in graph order. */
  notDone: string[];
  /** The longest remaining estimated path to the target: the critical path left, in run order. */
  pathLeft: string[];
}

/** The least a job still running is expected to take: the Scheduler's granularity, one minute. */
const MIN_REMAINING_MS = 60_000;
const MINUTE = 60_000;

export const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The deadline's instant for a run that started at `startMs`. */
export function deadlineAt(spec: DeadlineSpec, startMs: number): number {
  if ('afterSeconds' in spec) return startMs + spec.afterSeconds * 1000;
  const m = CLOCK_TIME.exec(spec.clock);
  if (!m) throw new TypeError(`'${spec.clock}' is not a clock time HH:MM`);
  const wall = wallClock(startMs, spec.timezone);
  // The clock time on the start's own day, then the next days until one lies after the start.
  for (let day = 0; day <= 2; day++) {
    const at = instantOf(wall.year, wall.month, wall.day + day, Number(m[1]), Number(m[2]), spec.timezone);
    if (at > startMs) return at;
  }
  throw new RangeError(`no ${spec.clock} in ${spec.timezone} within two days of the start`);
}

/** Every deadline of the plan for a run that started at `startMs`: the run's first, then the jobs' in graph order. */
export function deadlineTargets(plan: DeadlinePlan, startMs: number): DeadlineTarget[] {
  const targets: DeadlineTarget[] = [];
  if (plan.run) targets.push({ at: deadlineAt(plan.run, startMs), scope: plan.jobs.map((j) => j.name) });
  for (const job of plan.jobs) {
    if (job.deadline) targets.push({ owner: job.name, at: deadlineAt(job.deadline, startMs), scope: upstreamOf(plan.jobs, job.name) });
  }
  return targets;
}

/** The latest start of each job in the target's scope that still lets the target be met on estimates. */
export function latestStarts(plan: DeadlinePlan, target: DeadlineTarget): Map<string, number> {
  const scope = new Set(target.scope);
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  // Backwards over the graph: a job's latest finish is the earliest latest start of its dependents in scope.
  const latestStart = new Map<string, number>();
  const dependents = dependentsOf(plan.jobs);
  for (const job of [...plan.jobs].reverse()) {
    if (!scope.has(job.name)) continue;
    const after = (dependents.get(job.name) ?? []).filter((d) => scope.has(d) && latestStart.has(d));
    const latestFinish = after.length === 0 || job.name === target.owner ? target.at : Math.min(...after.map((d) => latestStart.get(d)!));
    latestStart.set(job.name, latestFinish - byName.get(job.name)!.estimateSeconds * 1000);
  }
  return latestStart;
}

/**
 * The moments a look at the run can find something new, after `afterMs`: just past each job's
 * latest start (whole minutes, the Scheduler's granularity), and each deadline itself. Sorted, each once.
 */
export function checkpoints(plan: DeadlinePlan, startMs: number, afterMs = startMs): number[] {
  const times = new Set<number>();
  for (const target of deadlineTargets(plan, startMs)) {
    for (const latest of latestStarts(plan, target).values()) times.add(Math.floor(latest / MINUTE) * MINUTE + MINUTE);
    times.add(Math.ceil(target.at / MINUTE) * MINUTE);
  }
  return [...times].filter((t) => t > afterMs).sort((a, b) => a - b);
}

/**
 * The deadlines as seen at `now`. A job done counts its finish; a job running its start plus its
 * estimate, and at least one more minute; a job not begun (or stopped by a failure: a redrive
 * restarts it) starts now or when its last need is expected to finish.
 */
export function assess(plan: DeadlinePlan, startMs: number, now: number, progress: JobProgress): DeadlineVerdict[] {
  const finish = new Map<string, number>();
  const drivenBy = new Map<string, string | undefined>();
  for (const job of plan.jobs) {
    const done = progress.done.get(job.name);
    if (done !== undefined) {
      finish.set(job.name, done);
      continue;
    }
    const running = progress.running.get(job.name);
    if (running !== undefined) {
      finish.set(job.name, Math.max(running + job.estimateSeconds * 1000, now + MIN_REMAINING_MS));
      drivenBy.set(job.name, undefined);
      continue;
    }
    let start = now;
    let by: string | undefined;
    for (const need of job.needs) {
      if (progress.done.has(need)) continue;
      const f = finish.get(need) ?? now;
      if (f > start) [start, by] = [f, need];
    }
    finish.set(job.name, start + job.estimateSeconds * 1000);
    drivenBy.set(job.name, by);
  }
  return deadlineTargets(plan, startMs).map((target) => {
    const notDone = target.scope.filter((j) => !progress.done.has(j));
    const last = target.owner ?? lastToFinish(target.scope, finish);
    const expected = target.owner !== undefined ? finish.get(target.owner)! : Math.max(startMs, ...target.scope.map((j) => finish.get(j)!));
    const pathLeft: string[] = [];
    for (let j: string | undefined = last; j !== undefined && !progress.done.has(j); j = drivenBy.get(j)) pathLeft.unshift(j);
    return { target, status: statusOf(target, expected, notDone.length === 0, now), expected, notDone, pathLeft };
  });
}

function statusOf(target: DeadlineTarget, expected: number, allDone: boolean, now: number): DeadlineStatus {
  if (allDone) return expected <= target.at ? 'met' : 'missed';
  if (now >= target.at) return 'missed';
  return expected > target.at ? 'behind' : 'on time';
}

function lastToFinish(scope: readonly string[], finish: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  for (const j of scope) if (best === undefined || finish.get(j)! > finish.get(best)!) best = j;
  return best;
}

/** A key per verdict worth an alert: each is sent once per run (`run behind`, `bi_import missed`). */
export const alertKey = (v: DeadlineVerdict): string => `${v.target.owner ?? 'run'} ${v.status}`;

/** The verdicts that call for an alert not yet sent (keys in `sent`). */
export function newAlerts(verdicts: readonly DeadlineVerdict[], sent: readonly string[]): DeadlineVerdict[] {
  return verdicts.filter((v) => (v.status === 'behind' || v.status === 'missed') && !sent.includes(alertKey(v)));
}

/** The next checkpoint worth waking for after `now`, or undefined when every deadline is settled. */
export function nextCheckpoint(plan: DeadlinePlan, startMs: number, now: number, verdicts: readonly DeadlineVerdict[]): number | undefined {
  if (verdicts.every((v) => v.status === 'met' || v.status === 'missed')) return undefined;
  return checkpoints(plan, startMs, now)[0];
}

/**
 * One line per verdict: "run: expected 06:40, deadline 06:00, behind: revenue (critical path left:
 * revenue -> bi_import)"; with `source` (DeadlinePlan.source) the expectation says where its
 * figures came from: "expected 06:40 from the last 10 runs".
 */
export function describeVerdict(v: DeadlineVerdict, timezone: string, source?: string): string {
  const who = v.target.owner === undefined ? 'run' : `job ${v.target.owner}`;
  const deadline = `deadline ${clockText(v.target.at, timezone)}`;
  const at = (ms: number): string => clockText(ms, timezone, v.target.at);
  const expected = `expected ${at(v.expected)}${source ? ` from ${source}` : ''}`;
  if (v.status === 'met') return `${who}: done ${at(v.expected)}, ${deadline}, met`;
  if (v.status === 'on time') return `${who}: ${expected}, ${deadline}, on time`;
  const path = v.pathLeft.length > 0 ? ` (critical path left: ${v.pathLeft.join(' -> ')})` : '';
  const head = v.pathLeft[0] ?? v.notDone[0];
  if (v.status === 'behind') return `${who}: ${expected}, ${deadline}, behind: ${head}${path}`;
  return v.notDone.length > 0
    ? `${who}: ${deadline} missed, not done: ${listed(v.notDone)}${path}, ${expected}`
    : `${who}: done ${at(v.expected)}, ${deadline} missed`;
}

const LISTED = 50;
const listed = (names: readonly string[]): string => (names.length <= LISTED ? names.join(', ') : `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`);

/** `06:40` on the wall clock of `timezone`, with its date (`2019-03-14 06:40`) when it is not the day of `sameDayAs`. */
export function clockText(ms: number, timezone: string, sameDayAs = ms): string {
  const w = wallClock(ms, timezone);
  const d = wallClock(sameDayAs, timezone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(w.hour)}:${pad(w.minute)}`;
  return w.year === d.year && w.month === d.month && w.day === d.day ? time : `${w.year}-${pad(w.month)}-${pad(w.day)} ${time}`;
}

/** The jobs `job` needs, transitively, and `job` itself, in graph order. */
function upstreamOf(jobs: readonly DeadlineJob[], job: string): string[] {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const reached = new Set<string>();
  const stack = [job];
  while (stack.length > 0) {
    const j = stack.pop()!;
    if (reached.has(j)) continue;
    reached.add(j);
    stack.push(...(byName.get(j)?.needs ?? []));
  }
  return jobs.map((j) => j.name).filter((n) => reached.has(n));
}

function dependentsOf(jobs: readonly DeadlineJob[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const j of jobs) for (const n of j.needs) out.set(n, [...(out.get(n) ?? []), j.name]);
  return out;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function wallClock(ms: number, timeZone: string): Wall {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute') };
}

/**
 * The instant a wall-clock time of `timeZone` names (`month` 1-12; days past the month's end roll over). In a DST gap (02:30 that never happens) it is
 * the instant the clock jumps over it, one offset later; in a repeat, the first of the two.
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(guess, timeZone);
    const shown = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
    const next = guess - (shown - asUtc);
    if (next === guess) break;
    guess = next;
  }
  // A repeat: the earlier instant shows the same wall time too.
  const earlier = guess - 3_600_000;
  const w = wallClock(earlier, timeZone);
  if (Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) === asUtc) return earlier;
  return guess;
}

