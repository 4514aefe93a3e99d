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

export function gantt(rows: readonly GanttRow[], totalSeconds: number, width = 60): string[] {
  // Runs under a minute (local runs) show tenths of a second.
  const time = (seconds: number): string => (totalSeconds < 60 ? `${seconds.toFixed(1)}s` : clock(seconds * 1000));
  const unit = NICE.find((u) => u * width >= totalSeconds) ?? Math.ceil(totalSeconds / width / 86400) * 86400;
  const columns = Math.max(1, Math.ceil(totalSeconds / unit));
  const nameWidth = Math.max(3, ...rows.map((r) => r.name.length));
  let labels = '';
  for (let c = 0; c <= columns; c += 10) {
    const label = axisLabel(Number((c * unit).toFixed(1)));
    labels = labels.padEnd(c) + label;
  }
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
    lines.push(`  ${row.name.padEnd(nameWidth)}  ${cells.join('')}  ${start.padStart(8)}  ${end.padStart(8)}  ${row.status}`);
  }
  return [`timeline (one column = ${unitText(unit)}; ${RUN} running, ${WAIT} waiting for a marker or signal)`, ...lines];
}

function axisLabel(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return s === 0 ? `${h}:${String(m).padStart(2, '0')}` : clock(seconds * 1000);
}

function unitText(seconds: number): string {
  if (seconds < 1) return `${seconds}s`;
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
