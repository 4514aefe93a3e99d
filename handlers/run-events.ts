// The events of a run: its own history and, for a graph split for size, those of the child
// executions its parts started (`<workflow>-part-<n>`, named in the Part Task's submitted output),
// where those jobs ran. The deadline handler reads the run it watches and the past runs it learns
// durations from through this one function.
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { history } from './notify.ts';
import { partExecutionArnPattern } from '../generator/contract/run-names.ts';

export async function runEvents(sfn: SFNClient, workflow: string, executionArn: string): Promise<HistoryEvent[]> {
  const part = partExecutionArnPattern(workflow);
  const events: HistoryEvent[] = [];
  const queue = [executionArn];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const own = await history(sfn, queue.shift()!);
    events.push(...own);
    for (const e of own) {
      const child = submittedExecution(e.taskSubmittedEventDetails?.output);
      if (child && part.test(child) && !seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return events;
}

function submittedExecution(output: string | undefined): string | undefined {
  if (!output) return undefined;
  try {
    const arn = (JSON.parse(output) as { ExecutionArn?: unknown }).ExecutionArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}
