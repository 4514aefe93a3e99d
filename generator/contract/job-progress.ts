// Which jobs of a run are done and which are running, read from its execution history by state
// name (the runtime contract: `J` is the job's Task, `J done` writes its marker, `J skipped` passes
// over a job a replay left out). A job waiting for a marker or another job has not begun its work:
// for a deadline it is still to run. Once the run has stopped (failed, timed out, aborted), nothing
// is running any more: a redrive restarts the unfinished jobs.
import type { RunEvent } from './run-failure.ts';
import type { JobProgress } from './deadlines.ts';

export function jobProgress(events: readonly RunEvent[], jobs: readonly string[], stopped: boolean): JobProgress {
  const names = new Set(jobs);
  const done = new Map<string, number>();
  const running = new Map<string, number>();
  const started = new Map<string, number>();
  for (const e of events) {
    const at = e.timestamp?.getTime() ?? 0;
    const entered = e.stateEnteredEventDetails?.name;
    if (entered !== undefined && names.has(entered)) {
      // A redrive or retry enters the Task again: it restarts from there.
      done.delete(entered);
      running.set(entered, at);
      started.set(entered, at);
    }
    const writing = entered?.endsWith(' done') ? entered.slice(0, -5) : undefined;
    if (writing !== undefined && names.has(writing)) {
      // The Task ended; the job is done once its marker is written.
      done.delete(writing);
      running.set(writing, started.get(writing) ?? at);
    }
    const exited = e.stateExitedEventDetails?.name;
    if (exited === undefined) continue;
    const job = exited.endsWith(' done') || exited.endsWith(' skipped') ? exited.slice(0, exited.lastIndexOf(' ')) : exited;
    if (!names.has(job)) continue;
    // A Task ends its job when no `J done` follows it (a job that writes its own marker); `J done` then corrects it.
    if (exited !== job || /TaskStateExited|MapStateExited|ParallelStateExited/.test(e.type ?? '')) {
      running.delete(job);
      done.set(job, at);
    }
  }
  return { done, running: stopped ? new Map() : running };
}
