// Where a split run failed first when the failure was handed on inside a child machine. A child of
// a split graph (emit/parts.ts) hands a guarded job's failure on like the main machine does, then
// ends successfully with the failed record (emit/part-outcomes.ts); only the main machine ends the
// run, in RUN_FAILED_STATE. Its own history then names no job: the job that failed first is in a
// child's history. The failure alert, `stepgraph redrive` and `status` read it here, from the
// histories of the children the part Tasks started.
//
// No dependencies: events are the subset of GetExecutionHistory's HistoryEvent read here.
import { handedOnIn, RUN_FAILED_STATE, runOutcome, type FailedState, type RunEvent, type RunOutcome } from './run-failure.ts';

/** The events of a part Task that carry the child execution (its description, as JSON). */
export interface PartEvent extends RunEvent {
  taskSubmittedEventDetails?: { output?: string };
  taskSucceededEventDetails?: { output?: string };
}

/** `Part 2 (load, +40 more)`: emit/parts.ts names a part's Task so (job names never start with a capital). */
const PART_TASK = /^Part \d+ \(/;

/**
 * The child executions the part Tasks of this history started, in the order they were started:
 * from TaskSubmitted's or TaskSucceeded's output, or TaskFailed's cause (the child execution
 * described as JSON, ExecutionArn included).
 */
export function partChildExecutions(events: readonly PartEvent[]): string[] {
  const stateOf = new Map<number, string>();
  const out: string[] = [];
  for (const e of events) {
    const state = e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? stateOf.get(e.previousEventId ?? -1);
    if (state === undefined) continue;
    if (e.id !== undefined) stateOf.set(e.id, state);
    if (!PART_TASK.test(state)) continue;
    const arn = executionArnIn(e.taskSubmittedEventDetails?.output ?? e.taskSucceededEventDetails?.output ?? e.taskFailedEventDetails?.cause);
    if (arn && !out.includes(arn)) out.push(arn);
  }
  return out;
}

function executionArnIn(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const value = (JSON.parse(text) as { ExecutionArn?: unknown } | null)?.ExecutionArn;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The run ended in RUN_FAILED_STATE and its own history hands no failure on: a child's does. */
export function handedOnInChild(events: readonly RunEvent[]): boolean {
  const failed = runOutcome(events)?.failed;
  return failed !== undefined && failed.state === RUN_FAILED_STATE && failed.handedOn !== true;
}

/**
 * How the run closed (`histories[0]`, the main machine's), naming the failure handed on first
 * among its own history and its children's (`histories[1..]`, any order): by when it failed.
 * Without children, or when the run failed otherwise, this is runOutcome.
 */
export function splitRunOutcome(histories: readonly (readonly RunEvent[])[]): RunOutcome | undefined {
  const [own, ...children] = histories;
  const outcome = runOutcome(own);
  const failed = outcome?.failed;
  if (!outcome || !failed || children.length === 0) return outcome;
  if (!failed.handedOn && failed.state !== RUN_FAILED_STATE) return outcome;
  const candidates = [...(failed.handedOn ? [failed] : []), ...children.map(handedOnIn).filter((f): f is FailedState => f !== undefined)];
  const when = (f: FailedState): number => (f.failedAt ?? f.enteredAt)?.getTime() ?? Number.POSITIVE_INFINITY;
  // A stable sort: at the same instant, the main machine's, then the children's in the order given.
  const first = [...candidates].sort((a, b) => when(a) - when(b))[0];
  return first ? { ...outcome, failed: first } : outcome;
}
