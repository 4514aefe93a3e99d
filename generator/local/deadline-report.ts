// The deadlines of a local run, judged the way the deadline handler judges them in AWS
// (contract/deadlines.ts): armed at the run's start, woken at each checkpoint, alerting once per
// deadline and status, stopped when the run succeeds (its last state deletes the schedule) or
// every deadline is settled. On the virtual clock the moments are exact: the report says when
// each alert would have fired and what it would have said.
import { assess, clockText, describeVerdict, instantOf, newAlerts, nextCheckpoint, alertKey, type DeadlinePlan, type DeadlineVerdict, type JobProgress } from '../contract/deadlines.ts';
import type { Workflow } from '../model.ts';
import { formatDuration } from '../check/values.ts';
import type { RunReport } from './summary.ts';

export interface DeadlineReport {
  /** The run's start the deadlines count from (ISO-8601). */
  start: string;
  timezone: string;
  /** Each deadline as the run ended: met, missed, or (a failed run) where it stood. */
  deadlines: { owner: string | null; at: string; status: DeadlineVerdict['status']; text: string }[];
  /** The alerts the handler would have sent, in order. */
  alerts: { atSeconds: number; text: string }[];
  /** How often the handler would have been woken: the run's start and each checkpoint looked at. */
  looks: number;
}

export function deadlineReport(plan: DeadlinePlan, report: RunReport, startMs: number): DeadlineReport {
  const endMs = startMs + report.makespanSeconds * 1000;
  const succeeded = report.status === 'SUCCEEDED';
  const progressAt = (t: number): JobProgress => progressOf(report, startMs, t, !succeeded && t >= endMs);
  const alerts: DeadlineReport['alerts'] = [];
  const sent: string[] = [];
  let t = startMs;
  let looks = 0;
  for (;;) {
    looks++;
    const verdicts = assess(plan, startMs, t, progressAt(t));
    for (const v of newAlerts(verdicts, sent)) {
      sent.push(alertKey(v));
      alerts.push({ atSeconds: (t - startMs) / 1000, text: describeVerdict(v, plan.timezone, plan.source) });
    }
    const next = nextCheckpoint(plan, startMs, t, verdicts);
    // A run that succeeded deleted its schedule in its last state: nothing fires after it.
    if (next === undefined || (succeeded && next > endMs)) break;
    t = next;
  }
  const final = assess(plan, startMs, Math.max(endMs, t), progressAt(Math.max(endMs, t)));
  return {
    start: new Date(startMs).toISOString(),
    timezone: plan.timezone,
    deadlines: final.map((v) => ({ owner: v.target.owner ?? null, at: new Date(v.target.at).toISOString(), status: v.status, text: describeVerdict(v, plan.timezone, plan.source) })),
    alerts,
    looks,
  };
}

/** Done, running and not begun at `t`, from the report's timeline (a job's work starts with its first attempt). */
function progressOf(report: RunReport, startMs: number, t: number, stopped: boolean): JobProgress {
  const done = new Map<string, number>();
  const running = new Map<string, number>();
  for (const job of report.jobs) {
    if (job.status === 'skipped') {
      done.set(job.name, startMs);
      continue;
    }
    const begun = job.attemptStartSeconds[0] ?? job.startSeconds;
    if (begun === null) continue;
    const s = startMs + begun * 1000;
    const e = job.endSeconds === null ? undefined : startMs + job.endSeconds * 1000;
    if (job.status === 'succeeded' && e !== undefined && e <= t) done.set(job.name, e);
    else if (s <= t && !stopped) running.set(job.name, s);
  }
  return { done, running };
}

/**
 * When a run of `date` starts: the schedule's fire time on that day when it fires at one fixed time
 * of day (cron with a fixed minute and hour), else the start of the run's date or hour (UTC).
 */
export function scheduledStart(workflow: Workflow, date: { yyyy: string; mm: string; dd: string; time: number }): number {
  const cron = /^cron\((\d{1,2}) (\d{1,2}) /.exec(workflow.schedule?.expression ?? '');
  if (!cron || workflow.partition === 'hourly') return date.time;
  return instantOf(Number(date.yyyy), Number(date.mm), Number(date.dd), Number(cron[2]), Number(cron[1]), workflow.schedule?.timezone ?? 'UTC');
}

/** Lines for the text report. */
export function deadlineLines(report: DeadlineReport): string[] {
  const startMs = Date.parse(report.start);
  const at = (seconds: number): string => `${clockText(startMs + seconds * 1000, report.timezone, startMs)} (${formatDuration(Math.round(seconds))} after the start)`;
  const lines = [`deadlines (from the run's start ${report.start}, times in ${report.timezone}):`];
  for (const d of report.deadlines) lines.push(`  ${d.text}`);
  if (report.alerts.length === 0) lines.push(`  no alert would have fired (${report.looks} look${report.looks === 1 ? '' : 's'} at the run: its start and the checkpoints before it ended)`);
  for (const a of report.alerts) lines.push(`  alert at ${at(a.atSeconds)}: ${a.text}`);
  return lines;
}
