// The deadlines of a `run --local`, judged as simulate judges them (deadline-report.ts), on the
// run's real clock: the deadlines count from the run's start (or `--scheduled-at`, to see a
// clock-time deadline as a scheduled run would meet it), the jobs' times are the ones they really
// took, and the watch expects the jobs' estimates, as the deadline handler does without past runs.
import { deadlinePlan } from '../emit/deadline-plan.ts';
import type { Workflow } from '../model.ts';
import { deadlineReport } from './deadline-report.ts';
import type { RunReport } from './summary.ts';

/** The report with its deadlines; a replay (a selection) is not watched, as in AWS. */
export function localDeadlines(workflow: Workflow, report: RunReport, startMs: number, replay: boolean): RunReport {
  const plan = replay ? undefined : deadlinePlan(workflow);
  return plan ? { ...report, deadlines: deadlineReport(plan, report, startMs) } : report;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `--scheduled-at`: an instant with its offset (2019-03-12T01:00:00+01:00, or Z), so it means one moment; undefined when the text is not one. */
export function parseScheduledAt(text: string): number | undefined {
  if (!INSTANT.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
