// A split workflow (plan/split.ts, emit/parts.ts) runs some of its jobs in child state machines,
// each started by a `Part <n> (...)` Task of its parent with startExecution.sync:2. The parent's
// history only shows that Task; the jobs are in the children's histories. The child execution's
// ARN is in that Task's events: TaskSubmitted's and TaskSucceeded's output, TaskFailed's cause
// (the child execution described as JSON).
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isAwsError, type Aws } from './aws.ts';
import { fetchHistory } from './history.ts';
import { partChildExecutions } from '../contract/part-failures.ts';

export interface ExecutionHistory {
  executionArn: string;
  events: HistoryEvent[];
}

/** The child executions the part Tasks of this history started, in the order they were started. */
export const childExecutions = (events: readonly HistoryEvent[]): string[] => partChildExecutions(events);

/**
 * The execution's history (every page), then those of the child executions it started, and of
 * theirs (parts may run parts), each child after its parent. A child whose history Step Functions
 * no longer keeps is left out: its jobs show as the parent saw them. `events`: the execution's
 * own history when the caller has read it already.
 */
export async function runHistories(aws: Aws, executionArn: string, events?: HistoryEvent[]): Promise<ExecutionHistory[]> {
  const out: ExecutionHistory[] = [{ executionArn, events: events ?? (await fetchHistory(aws, executionArn)) }];
  const seen = new Set([executionArn]);
  for (let i = 0; i < out.length; i++) {
    for (const child of childExecutions(out[i].events)) {
      if (seen.has(child)) continue;
      seen.add(child);
      try {
        out.push({ executionArn: child, events: await fetchHistory(aws, child) });
      } catch (error) {
        if (!isAwsError(error, 'ExecutionDoesNotExist')) throw error;
      }
    }
  }
  return out;
}
