// Backfill: one run per date of a range, never more than N running at once, dates that already
// succeeded (or are running) left alone. A slot frees only when DescribeExecution has seen the run
// close, so the limit holds for what really runs in the account, not just for what we started.
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import type { Aws } from './aws.ts';
import type { RunDate } from '../contract/dates.ts';
import { CLOSED_STATUSES, describeExecution, listExecutions, newestFirst, startExecution } from './executions.ts';
import { isRunOfDate, nextReplayNumber, replayName, runName } from '../contract/run-names.ts';
import { runInput } from './selection.ts';

type DateOutcome =
  | 'succeeded'
  | 'failed'
  | 'timed out'
  | 'aborted'
  | 'skipped: already succeeded'
  | 'skipped: already running'
  | 'skipped: failed earlier'
  /** An earlier date it depends on (a job waits for its own past) did not succeed. */
  | 'skipped: an earlier date failed';

export interface DateResult {
  date: string;
  name: string;
  outcome: DateOutcome;
  executionArn?: string;
}

interface PlannedRun {
  date: string;
  name: string;
}

export interface BackfillPlan {
  runs: PlannedRun[];
  skipped: DateResult[];
}

/**
 * What to start for each date, from the executions that exist. The newest run of a date (its
 * first run or a replay) decides: succeeded or running -> leave it; failed -> report it, or with
 * `rerunFailed` start the next replay of the whole date (a closed name cannot be reused).
 */
export function planBackfill(workflow: string, dates: readonly RunDate[], existing: readonly ExecutionListItem[], rerunFailed: boolean): BackfillPlan {
  const runs: PlannedRun[] = [];
  const skipped: DateResult[] = [];
  for (const date of dates) {
    const ofDate = existing.filter((e) => e.name !== undefined && isRunOfDate(e.name, workflow, date.text)).sort(newestFirst);
    const latest = ofDate[0];
    const first = runName(workflow, date.text);
    if (!latest) {
      runs.push({ date: date.text, name: first });
    } else if (latest.status === 'SUCCEEDED') {
      skipped.push({ date: date.text, name: latest.name!, outcome: 'skipped: already succeeded', executionArn: latest.executionArn });
    } else if (latest.status === 'RUNNING' || latest.status === 'PENDING_REDRIVE') {
      skipped.push({ date: date.text, name: latest.name!, outcome: 'skipped: already running', executionArn: latest.executionArn });
    } else if (rerunFailed) {
      const n = nextReplayNumber(ofDate.map((e) => e.name!), workflow, date.text);
      runs.push({ date: date.text, name: replayName(workflow, date.text, n) });
    } else {
      skipped.push({ date: date.text, name: latest.name!, outcome: 'skipped: failed earlier', executionArn: latest.executionArn });
    }
  }
  return { runs, skipped };
}

export interface Progress {
  total: number;
  finished: number;
  running: number;
  failed: number;
}

export type BackfillEvent =
  | { type: 'skipped'; result: DateResult }
  | { type: 'started'; run: PlannedRun; executionArn: string }
  | { type: 'finished'; result: DateResult };

export interface BackfillOptions {
  aws: Aws;
  stateMachineArn: string;
  workflow: string;
  dates: readonly RunDate[];
  maxConcurrent: number;
  pollMs: number;
  params?: Record<string, unknown>;
  rerunFailed?: boolean;
  sleep: (ms: number) => Promise<void>;
  onEvent?: (event: BackfillEvent, progress: Progress) => void;
  /** The run of a date waits for the runs of these earlier dates (ops/past-order.ts): they go first. */
  dependsOn?: (date: RunDate) => string[];
}

const OUTCOME: Record<string, DateOutcome> = { SUCCEEDED: 'succeeded', FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'aborted' };

export async function runBackfill(options: BackfillOptions): Promise<DateResult[]> {
  const { aws, stateMachineArn, workflow, maxConcurrent } = options;
  const existing = await listExecutions(aws, stateMachineArn);
  const plan = planBackfill(workflow, options.dates, existing, options.rerunFailed ?? false);
  const results: DateResult[] = [];
  const progress: Progress = { total: options.dates.length, finished: 0, running: 0, failed: 0 };
  const emit = (event: BackfillEvent): void => options.onEvent?.(event, { ...progress });
  const record = (result: DateResult): void => {
    results.push(result);
    progress.finished += 1;
    if (result.outcome === 'failed' || result.outcome === 'timed out' || result.outcome === 'aborted') progress.failed += 1;
  };
  for (const result of plan.skipped) {
    record(result);
    emit({ type: 'skipped', result });
  }

  const queue = [...plan.runs];
  const running = new Map<string, PlannedRun>();
  const pending = pendingOrder(options, queue, running, results);
  while (queue.length > 0 || running.size > 0) {
    for (const blocked of pending.failedBefore()) {
      record(blocked);
      emit({ type: 'skipped', result: blocked });
    }
    while (running.size < maxConcurrent && queue.length > 0) {
      const at = pending.next();
      if (at < 0) break;
      const run = queue.splice(at, 1)[0];
      const started = await startExecution(aws, stateMachineArn, run.name, runInput(run.date, undefined, options.params));
      if (started.started) {
        running.set(started.executionArn, run);
        progress.running = running.size;
        emit({ type: 'started', run, executionArn: started.executionArn });
      } else {
        // Someone else started it between our listing and now (a trigger, a colleague): leave it to them.
        const result: DateResult = { date: run.date, name: run.name, outcome: 'skipped: already running', executionArn: started.executionArn };
        record(result);
        emit({ type: 'skipped', result });
      }
    }
    if (running.size === 0) continue;
    await options.sleep(options.pollMs);
    for (const [arn, run] of [...running]) {
      const execution = await describeExecution(aws, arn);
      const status = execution?.status ?? 'RUNNING';
      if (!CLOSED_STATUSES.has(status)) continue;
      running.delete(arn);
      progress.running = running.size;
      const result: DateResult = { date: run.date, name: run.name, outcome: OUTCOME[status], executionArn: arn };
      record(result);
      emit({ type: 'finished', result });
    }
  }
  const order = new Map(options.dates.map((d, i) => [d.text, i]));
  return results.sort((a, b) => order.get(a.date)! - order.get(b.date)!);
}

/**
 * Which queued run may start: the first whose earlier dates (`dependsOn`) are neither queued nor
 * running; -1 when all wait. Runs whose earlier date ended without success leave the queue as
 * skipped (`failedBefore`). Without `dependsOn`, the queue's order.
 */
function pendingOrder(options: BackfillOptions, queue: PlannedRun[], running: Map<string, PlannedRun>, results: readonly DateResult[]) {
  const byText = new Map(options.dates.map((d) => [d.text, d]));
  const before = (run: PlannedRun): string[] => (options.dependsOn ? options.dependsOn(byText.get(run.date)!) : []);
  const busy = (): Set<string> => new Set([...queue, ...running.values()].map((r) => r.date));
  return {
    next: (): number => {
      const open = busy();
      const at = queue.findIndex((run) => before(run).every((d) => !open.has(d)));
      // The earliest queued date depends on nothing queued: this only guards against a loop.
      return at < 0 && running.size === 0 ? 0 : at;
    },
    failedBefore: (): DateResult[] => {
      const failed = new Set(results.filter((r) => r.outcome !== 'succeeded' && r.outcome !== 'skipped: already succeeded' && r.outcome !== 'skipped: already running').map((r) => r.date));
      const out: DateResult[] = [];
      for (let i = 0; i < queue.length; i++) {
        const run = queue[i];
        if (!before(run).some((d) => failed.has(d))) continue;
        queue.splice(i--, 1);
        failed.add(run.date);
        out.push({ date: run.date, name: run.name, outcome: 'skipped: an earlier date failed' });
      }
      return out;
    },
  };
}
