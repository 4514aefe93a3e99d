// A text Gantt chart of a run: one row per job, time left to right. A job's bar is solid while
// it runs and shaded while it stands in a marker wait or an in-run wait before it starts.
import { clock } from './analysis.ts';

export interface GanttRow {
  name: string;
  status: string;
  startSeconds: number | null;
  endSeconds: number | null;
  /** When the job began waiting before it started (its first wait), if it waited. */
  waitFromSeconds?: number | null;
}

const RUN = '█';
const WAIT = '░';
const NICE = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface GanttOptions {
  /** Characters the whole chart may take (the terminal's width). */
  width?: number;
  /** Colours a row's status text (the caller knows which are bad news). */
  paint?: (status: string) => string;
}

export function gantt(rows: readonly GanttRow[], totalSeconds: number, options: GanttOptions = {}): string[] {
  // Every instant in one format, h:mm:ss; runs under a minute (local runs) add tenths.
  const time = (seconds: number): string => instant(seconds, totalSeconds < 60);
  const nameWidth = Math.max(3, ...rows.map((r) => r.name.length));
  const statusWidth = Math.max(6, ...rows.map((r) => r.status.length));
  const timeWidth = Math.max(7, time(totalSeconds).length);
  // name, chart, two times and the status, with their gaps, fit the width given.
  const width = Math.max(20, Math.min(60, (options.width ?? 100) - (2 + nameWidth + 2 + 2 + timeWidth + 2 + timeWidth + 2 + statusWidth)));
  const unit = NICE.find((u) => u * width >= totalSeconds) ?? Math.ceil(totalSeconds / width / 86400) * 86400;
  const columns = Math.max(1, Math.ceil(totalSeconds / unit));
  const labelEvery = Math.max(10, time(totalSeconds).length + 2);
  let labels = '';
  for (let c = 0; c <= columns; c += labelEvery) labels = labels.padEnd(c) + time(Number((c * unit).toFixed(1)));
  const lines = [`${' '.repeat(nameWidth + 4)}${labels}`];
  for (const row of rows) {
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) {
      const from = c * unit;
      const to = from + unit;
      const overlaps = (a: number | null | undefined, b: number | null | undefined): boolean => a != null && b != null && a < to && (b > from || (a === b && a >= from));
      cells.push(overlaps(row.startSeconds, row.endSeconds) ? RUN : overlaps(row.waitFromSeconds, row.startSeconds ?? row.endSeconds) ? WAIT : ' ');
    }
    const start = row.startSeconds === null ? '-' : time(row.startSeconds);
    const end = row.endSeconds === null ? '-' : time(row.endSeconds);
    lines.push(`  ${row.name.padEnd(nameWidth)}  ${cells.join('')}  ${start.padStart(timeWidth)}  ${end.padStart(timeWidth)}  ${options.paint ? options.paint(row.status) : row.status}`);
  }
  return [`timeline (one column = ${unitText(unit)}; ${RUN} running, ${WAIT} waiting for a marker or signal; times h:mm:ss from the start)`, ...lines];
}

/** An instant of the run, h:mm:ss from its start (with tenths of a second when asked). */
function instant(seconds: number, tenths = false): string {
  const whole = clock(Math.floor(seconds) * 1000);
  return tenths ? `${whole}.${Math.floor((seconds * 10) % 10)}` : clock(seconds * 1000);
}

function unitText(seconds: number): string {
  if (seconds < 1) return `${seconds}s`;
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
