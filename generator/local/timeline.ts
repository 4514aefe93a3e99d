// Each job's story in a run, read from the engine's events: when its chain was reached, which
// waits it went through and how long each took, when the job's Task started and ended, and how
// it ended. Live progress and the final report read the same records.
import type { Workflow } from '../model.ts';
import type { ExecutionOutcome, RecordedEvent } from './execute.ts';
import type { JobWork } from './handlers.ts';
import type { StateIndex, WaitKind } from './roles.ts';
import { kindOf } from '../kinds/registry.ts';

export type JobStatus = 'succeeded' | 'failed' | 'wait_timed_out' | 'skipped' | 'cancelled' | 'not_started' | 'skipped_by_condition' | 'not_run';

interface WaitSpan {
  wait: WaitKind;
  /** The marker, or the job waited for (in-run). */
  what: string;
  from: number;
  to?: number;
  released: boolean;
}

export interface JobTimeline {
  name: string;
  status: JobStatus;
  /** The job's first state was entered (selection guard). */
  reachedAt?: number;
  /** The job's Task was first entered (a sweep job: its first state). */
  startAt?: number;
  /** The job's work ended (a data pipeline: when it wrote its marker; a sweep: its last state exited). */
  endAt?: number;
  /** The run saw the job done and moved on (a data pipeline: its marker was read). */
  doneAt?: number;
  attempts: number;
  waits: WaitSpan[];
  error?: string;
}

/** Folds events into per-job timelines; `apply` can be called live, event by event. */
export class TimelineBuilder {
  readonly jobs = new Map<string, JobTimeline>();
  /** Data pipelines' work ends when they write their marker, a moment before their Task ends. */
  private readonly pipelines: Set<string>;
  /** for_each jobs that tolerate failed items: an item's failure is counted after the Map, not the job's. */
  private readonly tolerant: Set<string>;

  constructor(
    workflow: Workflow,
    private readonly index: StateIndex,
  ) {
    for (const job of workflow.jobs) this.jobs.set(job.name, { name: job.name, status: 'not_started', attempts: 0, waits: [] });
    this.pipelines = new Set(workflow.jobs.filter((j) => kindOf(j.kind).local.mode === 'activation').map((j) => j.name));
    this.tolerant = new Set(workflow.jobs.filter((j) => j.forEach?.toleratedFailures).map((j) => j.name));
  }

  apply(e: RecordedEvent, work?: ReadonlyMap<string, JobWork>): void {
    if (!e.state) return;
    const task = this.index.tasks.get(e.state);
    const role = task?.role;
    const other = this.index.jobStates.get(e.state);
    const sweep = this.index.owners.get(e.state);
    if (sweep?.step === 'sweep' && sweep.edge) {
      // A sweep job runs from its first state entered to its last state exited; its failure is `J failed`.
      const t = this.jobs.get(sweep.job)!;
      if (sweep.edge === 'first' && e.type === 'StateEntered') {
        t.startAt ??= e.time;
        t.attempts++;
      } else if (sweep.edge === 'last' && e.type === 'StateExited') {
        t.endAt = t.doneAt = e.time;
        t.status = 'succeeded';
      }
    } else if (role?.kind === 'job') {
      // A job fails in its own Task: a StateFailed not followed by a retry is the job's failure.
      const t = this.jobs.get(role.job)!;
      if (e.type === 'StateEntered' || e.type === 'StateRetried') {
        t.startAt ??= e.time;
        // A for_each job's items run side by side: the first one entered is its attempt.
        const nextItem = sweep?.step === 'task' && sweep.item === true && t.attempts > 0;
        if ((e.type === 'StateEntered' && !nextItem) || t.status === 'failed') t.attempts++;
        t.status = 'not_started';
        t.endAt = t.doneAt = undefined;
      } else if ((e.type === 'StateFailed' || e.type === 'StateCaught') && sweep?.step === 'task' && sweep.item === true && this.tolerant.has(role.job)) {
        // An item of a for_each job that tolerates failures: caught and counted after the Map, where `J failed` says if it was too many.
      } else if (e.type === 'StateFailed' || e.type === 'StateCaught') {
        // Caught: the failure was handed on to a run_if job (emit/outcomes.ts); the job still failed.
        t.status = 'failed';
        t.endAt = t.doneAt = e.time;
        t.error = e.error === 'States.Timeout' ? `attempt ${t.attempts} timed out after ${task!.timeoutSeconds ?? 60}s` : (work?.get(role.job)?.lastError ?? [e.error, e.cause].filter(Boolean).join(': '));
      } else if (e.type === 'StateExited' && t.status !== 'failed') {
        t.endAt = this.pipelines.has(role.job) ? (work?.get(role.job)?.pipelineDoneAt ?? e.time) : e.time;
        t.doneAt = e.time;
        t.status = 'succeeded';
        t.error = undefined;
      }
    } else if (role?.kind === 'wait') {
      // A wait past its deadline fails in its own state (States.Timeout).
      const t = this.jobs.get(role.job)!;
      if (e.type === 'StateEntered') t.waits.push({ wait: role.wait, what: role.what, from: e.time, released: false });
      const span = t.waits.at(-1);
      if (span && e.type === 'StateExited') {
        span.to = e.time;
        span.released = true;
      } else if (span && e.type === 'StateFailed' && e.error === 'States.Timeout') {
        span.to = e.time;
        t.status = 'wait_timed_out';
        t.doneAt = e.time;
        t.error = role.wait === 'external' ? `waited for marker '${role.what}' until the deadline; it never appeared` : `waited for '${role.what}' of this run until the deadline; it did not finish`;
      } else if (span && (e.type === 'StateFailed' || e.type === 'StateCaught')) {
        span.to = e.time;
        t.status = 'failed';
        t.doneAt = e.time;
        t.error = `its wait for '${role.what}' failed: ${[e.error, e.cause].filter(Boolean).join(': ')}`;
      }
    } else if (other && e.type === 'StateEntered') {
      const t = this.jobs.get(other.job)!;
      if (other.kind === 'selected') t.reachedAt ??= e.time;
      else if (other.kind === 'skipped') {
        t.status = 'skipped';
        t.reachedAt ??= e.time;
      } else if (other.kind === 'condition_false' || other.kind === 'not_run') {
        t.status = other.kind === 'condition_false' ? 'skipped_by_condition' : 'not_run';
        t.reachedAt ??= e.time;
      } else if (other.kind === 'failed') {
        t.status = 'failed';
        t.endAt ??= e.time;
        t.doneAt = e.time;
      }
    }
  }

  /** The timelines once the execution has ended: what was still running was cancelled. */
  finish(outcome: ExecutionOutcome): JobTimeline[] {
    for (const t of this.jobs.values()) {
      const lastError = outcome.work.get(t.name)?.lastError;
      // A for_each job that tolerates failures failed by its count (`J failed`), whose cause is the run's.
      if (t.status === 'failed' && this.tolerant.has(t.name)) t.error ??= outcome.error?.cause;
      if (t.status === 'failed' && lastError && !t.error) t.error = lastError;
      if (t.status === 'not_started' && t.startAt !== undefined) {
        t.status = 'cancelled';
        t.endAt = outcome.endedAt;
      }
    }
    return [...this.jobs.values()];
  }
}

export function buildTimelines(workflow: Workflow, outcome: ExecutionOutcome): JobTimeline[] {
  const builder = new TimelineBuilder(workflow, outcome.index);
  for (const e of outcome.events) builder.apply(e, outcome.work);
  return builder.finish(outcome);
}
