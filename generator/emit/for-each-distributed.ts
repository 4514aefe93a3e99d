// A for_each job's Map in DISTRIBUTED mode (emit/for-each-mode.ts decides): each item runs as a
// child execution (STANDARD: an item's job may run past EXPRESS's 5 minutes) of the same `J item`
// Task, on the same item state ({item, index, date, params, run, outputs}) as inline, plus the
// run's execution ARN (`$.execution`, read where the Task reads `$$.Execution.Id`). Items come
// from the state (ItemsPath, no ItemReader) and the results come back into it as the child
// executions' outputs (no ResultWriter: Step Functions returns them as a list, COMPACT), so the
// Map's result is `{startedAt, outputs}` at `$.job` as inline, and everything downstream is the
// same. Tolerated failures are the Map Run's own (ToleratedFailureCount/Percentage): no item is
// caught and nothing is counted after the Map; past the tolerance the Map fails in place
// (States.ExceedToleratedFailureThreshold), so a redrive continues its Map Run (reruns only the
// failed children). The output lists hold the values of the items that succeeded, in item order,
// empty when none did, as inline: a failed child contributes no record, so a job with outputs
// keeps the records and gathers them after the Map (emit/for-each-gather.ts). That shape (no
// entry for a failed child) is taken from emulators, not verified against AWS.
import type { Job } from '../model.ts';
import type { State } from './job.ts';

/**
 * In a child execution `$$.Execution.Id` names the child: the item's Task (a Lambda payload's
 * `execution`, a wait's run) must name the run, which the ItemSelector hands on as `$.execution`.
 */
function parentExecution(value: unknown): unknown {
  if (value === '$$.Execution.Id') return '$.execution';
  if (Array.isArray(value)) return value.map(parentExecution);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, parentExecution(v)]));
  return value;
}

/** Step Functions' Label: at most 40 characters, no spaces or JSONPath characters. */
export const forEachLabel = (job: string): string => job.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);

/** The Distributed Map from the inline Map the job would have: same items, selector, processor and result. */
export function distributedForEach(job: Job, inline: State, itemName: string, itemTask: State): State {
  const tolerated = job.forEach!.toleratedFailures;
  const { ResultSelector, ResultPath, ItemProcessor: _processor, MaxConcurrency, ItemSelector, ...head } = inline;
  const { tally: _tally, ...result } = ResultSelector as State;
  return {
    ...head,
    ItemSelector: { ...(ItemSelector as State), 'execution.$': '$$.Execution.Id' },
    ...(MaxConcurrency !== undefined && { MaxConcurrency }),
    ...(tolerated && ('count' in tolerated ? { ToleratedFailureCount: tolerated.count } : { ToleratedFailurePercentage: tolerated.percent })),
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: itemName,
      States: { [itemName]: parentExecution(itemTask) as State },
    },
    Label: forEachLabel(job.name),
    ResultSelector: result,
    ResultPath,
  };
}

/** Whether an emitted state is a distributed for_each Map (job.ts skips the inline tally then). */
export const isDistributedMap = (state: State): boolean => (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode === 'DISTRIBUTED';
