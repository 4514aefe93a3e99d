// The simulation report for people (text) and for scripts (`--json`).
import { plain, type Colour } from '../terminal/colour.ts';
import { formatDuration } from '../check/values.ts';
import { gantt } from './gantt.ts';
import { PRICE_PER_TRANSITION } from './counts.ts';
import type { RunReport } from './summary.ts';
import { deadlineLines } from './deadline-report.ts';

const STATUS_TEXT: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'FAILED',
  wait_timed_out: 'WAIT TIMED OUT',
  skipped: 'skipped',
  skipped_by_condition: 'skipped: when false',
  not_run: 'not run: rule unmet',
  cancelled: 'cancelled',
  not_started: 'not started',
};

/** A duration for people; tenths of a second below a minute (local runs are quick). */
function dur(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 60 && !Number.isInteger(seconds)) return `${Number(seconds.toFixed(1))}s`;
  return formatDuration(Math.round(seconds));
}
const count = (n: number): string => n.toLocaleString('en-US');

export interface ReportStyle {
  colour?: Colour;
  /** The terminal's width: the timeline fits it. */
  width?: number;
}

export function formatReport(report: RunReport, style: ReportStyle = {}): string {
  const c = style.colour ?? plain;
  const lines: string[] = [];
  const how = report.mode === 'simulated' ? 'simulated on a virtual clock' : 'run locally in real time';
  lines.push(`${report.workflow} ${report.date}, ${how} (execution ${report.executionName})`);
  if (report.status === 'SUCCEEDED') lines.push(`outcome: ${c.green('SUCCEEDED')}`);
  else {
    lines.push(`outcome: ${c.red(report.status)}${report.error ? `: ${report.error}` : ''}`);
    const failed = report.jobs.find((j) => j.name === report.failedJob);
    if (failed) lines.push(`  failing job: ${failed.name}${failed.error ? ` (${failed.error})` : ''}`);
  }
  lines.push('');
  const rows = report.jobs.map((j) => ({
    name: j.name,
    status: STATUS_TEXT[j.status] + (j.attempts > 1 ? `, ${j.attempts} attempts` : ''),
    startSeconds: j.startSeconds,
    endSeconds: j.endSeconds,
    waitFromSeconds: j.waits[0]?.fromSeconds ?? null,
  }));
  lines.push(...gantt(rows, report.makespanSeconds, { width: style.width, paint: (status) => paintStatus(status, c) }), '');

  const planned = new Map(report.jobs.map((j) => [j.name, j.plannedSeconds]));
  const path = report.criticalPath;
  lines.push(`critical path: ${path.join(' -> ')} = ${dur(report.criticalPathSeconds)}${path.length > 1 ? ` (${path.map((j) => dur(planned.get(j) ?? 0)).join(' + ')})` : ''}`);
  lines.push(...latenessLines(report));
  if (report.deadlines) lines.push(...deadlineLines(report.deadlines));
  lines.push('');
  lines.push(`state transitions: ${count(report.stateTransitions)} (every state entered, plus every retry; a wait is one state: nothing polls)`);
  const share = ((report.historyEvents / report.historyEventLimit) * 100).toFixed(1);
  const executions = Object.keys(report.historyByExecution).length;
  const largest = executions > 1 ? ` in the largest of ${executions} executions (the run and its child state machines)` : '';
  lines.push(`history events: ${count(report.historyEvents)}${largest} of the ${count(report.historyEventLimit)} one execution may have (${share}%)`);
  const invocations = report.lambdaInvocations > 0 ? ` + ${count(report.lambdaInvocations)} invocations of stepgraph's router and activator` : '';
  lines.push(`cost: $${report.costUsd.toFixed(6)} per run (${count(report.stateTransitions)} transitions x $${PRICE_PER_TRANSITION} of a Standard workflow${invocations}; the jobs' own services bill apart)`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function paintStatus(status: string, c: Colour): string {
  if (/FAILED|TIMED OUT/.test(status)) return c.red(status);
  if (status.startsWith('succeeded')) return status.includes('attempts') ? c.yellow(status) : c.green(status);
  return c.dim(status);
}

function latenessLines(report: RunReport): string[] {
  const late = report.latenessSeconds;
  const head = `makespan: ${dur(report.makespanSeconds)}`;
  if (report.status !== 'SUCCEEDED') return [`${head} until the run stopped`];
  const delays = report.lateness.delays;
  if (late <= 0 && delays.length === 0) return [`${head}, equal to the critical path: no wait added latency`];
  const relation = `${head}, ${late > 0 ? `${dur(late)} later than` : 'equal to'} the critical path`;
  if (delays.length === 0) return [relation];
  const out = [`${relation}; the run ended with ${report.lateness.chain.join(' -> ')}, delayed by:`];
  for (const delay of delays) out.push(`  - ${delay.text}`);
  return out;
}

/** The `--json` shape: the documented keys first, then the details. */
export function reportJson(report: RunReport): string {
  const { status, error, makespanSeconds, criticalPathSeconds, jobs, stateTransitions, historyEvents, costUsd, ...rest } = report;
  return JSON.stringify({ status, error, makespanSeconds, criticalPathSeconds, jobs, stateTransitions, historyEvents, costUsd, ...rest }, null, 2);
}
