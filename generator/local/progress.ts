// What `run --local` shows while it runs: a line whenever a job starts, waits, retries, ends or
// is skipped, the jobs' own output prefixed with their name, and on a terminal a status line
// (running / waiting / done) kept at the bottom and redrawn.
import { formatDuration } from '../check/values.ts';
import type { Job, Workflow } from '../model.ts';
import type { RecordedEvent } from './execute.ts';
import type { JobWork } from './handlers.ts';
import type { StateIndex, WaitKind } from './roles.ts';
import { TimelineBuilder, type JobTimeline } from './timeline.ts';

type Shown = 'pending' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'wait_timed_out' | 'skipped' | 'skipped_by_condition' | 'not_run';

export interface ProgressOutput {
  write(text: string): void;
  /** A terminal gets the redrawn status line; anything else plain lines only. */
  isTTY?: boolean;
}

/** What Progress may say beyond the events: where a wait's marker goes, how long a retry pauses. */
export interface ProgressDetails {
  /** The file (or object) a wait needs, if known (wait-target.ts). */
  waitTarget?(job: string, kind: WaitKind, what: string): string | undefined;
  /** run --local --speed: retry pauses are scaled by it. */
  speed?: number;
}

export class Progress {
  private readonly builder: TimelineBuilder;
  private readonly jobs: ReadonlyMap<string, Job>;
  private readonly shown = new Map<string, Shown>();
  private readonly total: number;
  private status = '';

  constructor(
    workflow: Workflow,
    index: StateIndex,
    private readonly out: ProgressOutput,
    private startedAt: number,
    private readonly work: ReadonlyMap<string, JobWork>,
    private readonly details: ProgressDetails = {},
  ) {
    this.builder = new TimelineBuilder(workflow, index);
    this.jobs = new Map(workflow.jobs.map((j) => [j.name, j]));
    this.total = workflow.jobs.length;
    for (const job of workflow.jobs) this.shown.set(job.name, 'pending');
  }

  onEvent(event: RecordedEvent): void {
    if (event.type === 'ExecutionStarted' && event.kind === 'root') this.startedAt = event.time;
    this.builder.apply(event, this.work);
    for (const t of this.builder.jobs.values()) {
      const now = shownOf(t);
      const before = this.shown.get(t.name)!;
      const retried = event.type === 'StateRetried' && event.state === t.name;
      if (now === before && !retried) continue;
      this.shown.set(t.name, now);
      // Between two of its states a job is briefly neither waiting nor running: not news.
      if (now === 'pending') continue;
      this.line(this.describe(t, now, retried), event.time);
    }
  }

  /** A line of a job's own output. */
  output(job: string, line: string): void {
    this.print(`[${job}] ${line}`);
  }

  note(text: string): void {
    this.print(text);
  }

  /** Clears the status line (before the final report). */
  finish(): void {
    if (this.out.isTTY && this.status) this.out.write('\r\x1b[2K');
    this.status = '';
  }

  private describe(t: JobTimeline, now: Shown, retried: boolean): string {
    if (retried) return `retry   ${t.name}: ${this.retryText(t)}`;
    const ran = t.startAt !== undefined ? ` (${seconds((t.endAt ?? t.doneAt ?? Date.now()) - t.startAt)})` : '';
    switch (now) {
      case 'waiting': {
        const wait = t.waits.at(-1)!;
        const target = this.details.waitTarget?.(t.name, wait.wait, wait.what);
        const what = wait.wait === 'external' ? `marker ${wait.what}` : wait.what;
        return `wait    ${t.name} (for ${what}${target ? `: needs ${target}` : ''})`;
      }
      case 'running':
        return `start   ${t.name}`;
      case 'succeeded':
        return `done    ${t.name}${ran}`;
      case 'failed':
        return `FAILED  ${t.name}${ran}${t.error ? `: ${t.error}` : this.work.get(t.name)?.lastError ? `: ${this.work.get(t.name)!.lastError}` : ''}`;
      case 'wait_timed_out':
        return `FAILED  ${t.name}: ${t.error ?? 'a wait passed its deadline'}`;
      case 'skipped':
        return `skip    ${t.name} (not selected)`;
      case 'skipped_by_condition':
        return `skip    ${t.name} (its 'when' is false)`;
      case 'not_run':
        return `not run ${t.name} (its needs did not end as its rule asks)`;
      case 'pending':
        return `pending ${t.name}`;
    }
  }

  /** "attempt 1 failed (exit 3), retrying in 1m (attempt 2 of 3)": the pause as the job's retry policy sets it, scaled by --speed. */
  private retryText(t: JobTimeline): string {
    const failed = t.attempts - 1;
    const error = this.work.get(t.name)?.lastError;
    const exit = error && /exited with status (\d+)/.exec(error)?.[1];
    const why = exit ? `exit ${exit}` : (error ?? 'failed');
    const retry = this.jobs.get(t.name)?.retry;
    const pause = retry ? retry.intervalSeconds * retry.backoff ** (failed - 1) * (this.details.speed ?? 1) : undefined;
    const when = pause === undefined ? 'retrying' : pause === 0 ? 'retrying at once' : `retrying in ${pause >= 1 ? formatDuration(Math.round(pause)) : `${Number(pause.toFixed(2))}s`}`;
    return `attempt ${failed} failed (${why}), ${when} (attempt ${t.attempts}${retry ? ` of ${retry.attempts + 1}` : ''})`;
  }

  private line(text: string, time: number): void {
    this.print(`${elapsed(time - this.startedAt)} ${text}`);
  }

  private print(text: string): void {
    if (!this.out.isTTY) {
      this.out.write(`${text}\n`);
      return;
    }
    this.status = this.statusLine();
    this.out.write(`\r\x1b[2K${text}\n${this.status}`);
  }

  private statusLine(): string {
    const by = (s: Shown): string[] => [...this.shown].filter(([, v]) => v === s).map(([k]) => k);
    const done = by('succeeded').length + by('skipped').length + by('skipped_by_condition').length + by('not_run').length;
    const parts = [`running: ${by('running').join(', ') || '-'}`, `waiting: ${by('waiting').join(', ') || '-'}`, `done ${done}/${this.total}`];
    const failed = [...by('failed'), ...by('wait_timed_out')];
    if (failed.length > 0) parts.push(`failed: ${failed.join(', ')}`);
    return parts.join(' | ');
  }
}

function shownOf(t: JobTimeline): Shown {
  if (t.status === 'not_started' || t.status === 'cancelled') {
    if (t.startAt !== undefined) return 'running';
    const last = t.waits.at(-1);
    return last && last.to === undefined ? 'waiting' : 'pending';
  }
  return t.status;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `+${Math.floor(total / 3600)}:${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}
