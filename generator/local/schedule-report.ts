// The report of `simulate --schedule`: each fire time and what became of it, each run with its
// start, end and deadline verdicts, and how many runs ran at once. Times are on the schedule's clock.
import { clockText } from '../contract/deadlines.ts';
import { formatDuration } from '../check/values.ts';
import type { FireRecord } from './schedule-driver.ts';
import type { ScheduleSimulation } from './schedule-sim.ts';

/** "2019-03-02 05:10" on the schedule's clock. */
const wall = (ms: number, timezone: string): string => clockText(ms, timezone, 0);

export function fireText(f: FireRecord, timezone: string): string {
  const at = (ms: number): string => wall(ms, timezone);
  const later = f.startedAt === undefined ? '' : `; started ${at(f.startedAt)}${f.startedBy === 'queue' ? ' when the run before it ended' : ''}`;
  switch (f.outcome) {
    case 'started':
      return 'started';
    case 'duplicate':
      return `its date's run ${f.run} exists already (one run per date)`;
    case 'skipped':
      return `skipped: ${f.running!.join(', ')} still ran`;
    case 'queued':
      return `queued behind ${f.running!.join(', ')}${later || '; never started (a later date ran first, or the queue had not reached it when the window ended)'}`;
    case 'missed':
      if (f.caughtUpAtFire !== undefined) return caughtUpAtFire(f, at, later);
      if (f.resume === 'caught-up') return `missed while paused; caught up at the resume, ${at(f.startedAt!)}`;
      if (f.resume === 'queued') return `missed while paused; queued at the resume behind ${f.running!.join(', ')}${later || '; never started'}`;
      if (f.resume === 'skipped') return `missed while paused; skipped at the resume: ${f.running!.join(', ')} ran (overlap: skip starts one)`;
      if (f.resume === 'not-caught-up') return `missed while paused; not run (catch_up is not true)${later}`;
      if (f.resume === 'outside') return `missed while paused; resumed outside stepgraph, so not caught up${later ? `${later} (the queue reached it)` : ''}`;
      return 'missed: still paused when the window ended';
  }
}

/** A fire time missed under a stepgraph pause and resumed outside stepgraph: the next fire caught it up. */
function caughtUpAtFire(f: FireRecord, at: (ms: number) => string, later: string): string {
  const when = `at the next fire after the resume outside stepgraph (${at(f.caughtUpAtFire!)})`;
  if (f.resume === 'caught-up') return `missed while paused; caught up ${when}`;
  if (f.resume === 'queued') return `missed while paused; queued ${when} behind ${f.running!.join(', ')}${later || '; never started'}`;
  return `missed while paused; skipped ${when}: ${f.running!.join(', ')} ran (overlap: skip starts one)`;
}

/** The most runs running at one instant. */
function mostAtOnce(sim: ScheduleSimulation): number {
  const edges = sim.runs.flatMap((r) => [{ t: r.start, d: 1 }, { t: r.end ?? Infinity, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

export function formatSchedule(sim: ScheduleSimulation): string {
  const tz = sim.timezone;
  const lines = [`schedule ${sim.expression} in ${tz}; overlap: ${sim.overlap}; catch_up: ${sim.catchUp}`];
  const paused = sim.window.paused ? `; paused ${wall(sim.window.paused.from, tz)} to ${wall(sim.window.paused.to, tz)}${sim.window.paused.outside ? ', resumed outside stepgraph' : ''}` : '';
  lines.push(`window ${wall(sim.window.from, tz)} to ${wall(sim.window.to, tz)}${paused}`, '', 'fire times:');
  if (sim.fires.length === 0) lines.push('  none in the window');
  for (const f of sim.fires) lines.push(`  ${wall(f.at, tz)}  run ${f.date}  ${fireText(f, tz)}`);
  lines.push('', 'runs:');
  if (sim.runs.length === 0) lines.push('  none');
  for (const r of sim.runs) {
    const end = r.end === undefined ? 'still running' : `${clockText(r.end, tz, r.start)} (${formatDuration(Math.round((r.end - r.start) / 1000))})`;
    const by = r.by === 'schedule' ? 'at its fire time' : r.by === 'queue' ? 'from the queue' : 'caught up at the resume';
    lines.push(`  ${r.run}  ${wall(r.start, tz)} -> ${end}  ${r.report.status}  (${by})${r.report.error ? `: ${r.report.error}` : ''}`);
    for (const d of r.report.deadlines?.deadlines ?? []) lines.push(`    ${d.text}`);
    for (const a of r.report.deadlines?.alerts ?? []) lines.push(`    alert at ${clockText(r.start + a.atSeconds * 1000, tz, r.start)}: ${a.text}`);
  }
  const count = (o: FireRecord['outcome']): number => sim.fires.filter((f) => f.outcome === o).length;
  const caughtUp = sim.fires.filter((f) => f.resume === 'caught-up' || (f.outcome === 'missed' && f.startedAt !== undefined)).length;
  const failed = sim.runs.filter((r) => r.report.status !== 'SUCCEEDED').map((r) => r.run);
  lines.push(
    '',
    `${sim.fires.length} fire times: ${count('started')} started, ${count('duplicate')} of a date already run, ${count('skipped')} skipped, ${count('queued')} queued, ${count('missed')} missed while paused (${caughtUp} of them run by the resume)`,
    `${sim.runs.length} runs, at most ${mostAtOnce(sim)} at once: ${failed.length === 0 ? 'all succeeded' : `failed: ${failed.join(', ')}`}`,
  );
  for (const p of sim.pools) lines.push(`pool ${p.pool}: at most ${p.peak} of its ${p.slots} slots held at once`);
  return lines.join('\n');
}

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

export function scheduleJson(sim: ScheduleSimulation): string {
  return JSON.stringify(
    {
      workflow: sim.workflow,
      expression: sim.expression,
      timezone: sim.timezone,
      overlap: sim.overlap,
      catchUp: sim.catchUp,
      window: { from: iso(sim.window.from), to: iso(sim.window.to), paused: sim.window.paused ? { from: iso(sim.window.paused.from), to: iso(sim.window.paused.to) } : null },
      fires: sim.fires.map((f) => ({ ...f, at: iso(f.at), startedAt: iso(f.startedAt), text: fireText(f, sim.timezone) })),
      runs: sim.runs.map((r) => ({ run: r.run, date: r.date, by: r.by, start: iso(r.start), end: iso(r.end), status: r.report.status, deadlines: r.report.deadlines ?? null, report: r.report })),
      mostAtOnce: mostAtOnce(sim),
      pools: sim.pools,
    },
    null,
    2,
  );
}
