// Reads an execution's history to say which job broke the run, why, and what else it left
// unfinished. Under the runtime contract a job fails in its own state and a wait past its deadline
// in its wait state (`J waits for X`, States.Timeout), so the state the run failed in names the
// job (generator/contract/run-failure.ts, which `stepgraph status` reads runs through too); the
// Task's own error and cause are what the user needs to see. A sweep job fails in its `J failed`
// Fail state when too many items failed. A job is finished when its last state was left
// (`J done`, `J skipped`, or a data pipeline's Task `J`, which ends when its marker appears).
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { errorOf, FAILURE_EVENTS, jobTimedOutCause, WAIT_TIMED_OUT, waitedFor, waitTimedOutCause } from '../generator/contract/run-failure.ts';
import { splitRunOutcome } from '../generator/contract/part-failures.ts';
import { downstreamOf, jobOfState, type GraphJob } from './job-graph.ts';

export interface Failure {
  /** The jobs that broke the run: one for FAILED; those in flight for TIMED_OUT and ABORTED. */
  jobs: string[];
  /**
   * Jobs that had begun, did not finish, and are not downstream of `jobs`: fail-fast stopped
   * them (a Parallel branch beside the failed job). A replay must restart them too.
   */
  cancelled: string[];
  /** The state that failed, when known (`revenue`, `bi_import waits for payments`). */
  state?: string;
  /** A wait that passed its deadline: what it waited for. */
  waitedFor?: { kind: 'marker' | 'job'; name: string };
  error?: string;
  cause?: string;
  /** The run's own error and cause (e.g. States.Timeout of a wait), when they differ. */
  runError?: string;
  runCause?: string;
}

interface ErrorDetails {
  error?: string;
  cause?: string;
}

/**
 * `children`: the histories of the child machines a split run's part Tasks started, read when the
 * run ended in `Run failed` with the failure handed on inside one of them (contract/part-failures.ts).
 */
export function analyzeHistory(events: readonly HistoryEvent[], jobs: readonly GraphJob[], children: readonly (readonly HistoryEvent[])[] = []): Failure {
  const outcome = splitRunOutcome([events, ...children]);
  const run: ErrorDetails = outcome ? { ...(outcome.error && { error: outcome.error }), ...(outcome.cause && { cause: outcome.cause }) } : {};
  const withRun = (own: ErrorDetails) => ({
    ...own,
    ...(run.error && run.error !== own.error && { runError: run.error }),
    ...(run.cause && run.cause !== own.cause && { runCause: run.cause }),
  });
  const unfinished = unfinishedJobs(events, jobs);
  const withCancelled = (failed: string[]) => {
    const behind = new Set(downstreamOf(jobs, failed));
    return { jobs: failed, cancelled: unfinished.filter((j) => !failed.includes(j) && !behind.has(j)) };
  };

  const failed = outcome?.failed;
  const job = failed ? jobOfState(failed.state, jobs) : undefined;
  if (failed && job) {
    const own: ErrorDetails = { ...(failed.error && { error: failed.error }), ...(failed.cause && { cause: failed.cause }) };
    const what = waitedFor(failed.state, job);
    if (what !== undefined && failed.timedOut) {
      const kind = jobs.some((j) => j.name === what) ? 'job' : 'marker';
      const cause = waitTimedOutCause(what, kind, failed.timeoutSeconds);
      return { ...withCancelled([job]), state: failed.state, waitedFor: { kind, name: what }, ...withRun({ error: WAIT_TIMED_OUT, cause }) };
    }
    // A job's Task past its timeout: the history has no cause, the user needs one.
    if (failed.timedOut && failed.state === job && own.cause === undefined) own.cause = jobTimedOutCause(failed.timeoutSeconds);
    return { ...withCancelled([job]), state: failed.state, ...withRun(own) };
  }
  if (failed) {
    // A state of no job (the input check, a part of a split graph): the run's error says it.
    return { ...withCancelled([]), state: failed.state, ...run };
  }
  // Timed out or aborted: whatever had begun and not finished at that moment.
  return { ...withCancelled(minimal(unfinished, jobs)), ...run };
}

/** Jobs with a state entered and not finished, in graph order. */
function unfinishedJobs(events: readonly HistoryEvent[], jobs: readonly GraphJob[]): string[] {
  const begun = new Set<string>();
  const finished = new Set<string>();
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    const enteredJob = entered !== undefined ? jobOfState(entered, jobs) : undefined;
    if (enteredJob) {
      begun.add(enteredJob);
      // The job's Task ended, but it is done only once its marker is written.
      if (entered === `${enteredJob} done`) finished.delete(enteredJob);
    }
    const exited = e.stateExitedEventDetails?.name;
    const job = exited !== undefined ? jobOfState(exited, jobs) : undefined;
    if (!job) continue;
    // A data pipeline's Task has no `J done` after it: it ended when its marker appeared.
    if (exited === `${job} done` || exited === `${job} skipped` || (exited === job && e.type === 'TaskStateExited')) finished.add(job);
  }
  return jobs.map((j) => j.name).filter((n) => begun.has(n) && !finished.has(n));
}

/** Drops the jobs downstream of another one in the list: replaying that one reruns them. */
function minimal(names: readonly string[], jobs: readonly GraphJob[]): string[] {
  const covered = new Set(names.flatMap((n) => downstreamOf(jobs, [n])));
  return names.filter((n) => !covered.has(n));
}

/**
 * The child execution a failed `startExecution.sync` Task ran, from its cause (Step Functions puts
 * the child's description there, ExecutionArn included); undefined when there is none.
 */
export function failedChildExecution(events: readonly HistoryEvent[]): string | undefined {
  for (const event of [...events].reverse()) {
    if (!FAILURE_EVENTS.has(event.type ?? '')) continue;
    const { cause } = errorOf(event);
    try {
      const arn = (JSON.parse(cause ?? '') as { ExecutionArn?: unknown }).ExecutionArn;
      if (typeof arn === 'string') return arn;
    } catch {
      // not a child's description
    }
  }
  return undefined;
}
