// A for_each job as ASL: the Map `J` over the list output it names (`$.outputs.<job>.<output>`),
// each iteration the job's own Task (`J item`) on a state that holds the element (`$.item`,
// `$.index`) beside what a job's Task reads (the run's date, params and the outputs so far). The
// Map takes the Task's place in the job's chain: its result is `{startedAt, outputs}` at `$.job`
// like a Task's, the outputs being the lists of its items' values. An iteration's failure fails
// the Map in place after the job's retries (nothing is caught), so a redrive reruns the job;
// unless the job has `tolerated_failures` (for-each-tolerance.ts): then items' failures are
// recorded and counted, and the job fails in `J failed` when more failed than it tolerates; its
// output lists then hold the succeeded items' values (for-each-gather.ts).
import type { Job } from '../model.ts';
import type { State, States } from './job.ts';
import { forEachMode } from './for-each-mode.ts';
import { distributedForEach } from './for-each-distributed.ts';
import { gatherOutputs, hasOutputs, pickOutputs } from './outputs.ts';
import { stateName } from './names.ts';
import { catchItem, emptyTally, tallySelector, toleratesFailures } from './for-each-tolerance.ts';
import { gathersOutputs, recordsSelector } from './for-each-gather.ts';

export const forEachNames = {
  item: (job: string) => stateName(`${job} item`),
  any: (job: string) => stateName(`${job} has items?`),
  none: (job: string) => stateName(`${job} no items`),
};

/**
 * A job with outputs over an empty list: its outputs are empty lists, set by `J no items`, since
 * `$[*].name` of an empty Map result points to no value. `J has items?` chooses; returns the states
 * to put before the Map (the Choice) and beside it (the Pass, whose Next the caller sets).
 */
export function emptyListStates(job: Job): { choice: [string, State]; none: [string, State] } | undefined {
  if (!hasOutputs(job) && !toleratesFailures(job)) return undefined;
  const { job: source, output } = job.forEach!;
  return {
    choice: [forEachNames.any(job.name), { Type: 'Choice', Choices: [{ Variable: `$.outputs.${source}.${output}[0]`, IsPresent: true, Next: job.name }], Default: forEachNames.none(job.name) }],
    none: [
      forEachNames.none(job.name),
      {
        Type: 'Pass',
        Parameters: {
          'startedAt.$': '$$.State.EnteredTime',
          ...(hasOutputs(job) && { outputs: Object.fromEntries(job.outputs!.map((o) => [o.name, []])) }),
          ...(toleratesFailures(job) && { tally: emptyTally() }),
        },
        ResultPath: '$.job',
      },
    ],
  };
}

/** The Map state standing for the job's Task; `task` is the Task as a plain job would run it. */
export function forEachMap(job: Job, task: State): State {
  const { job: source, output } = job.forEach!;
  const itemTask: State = {
    ...task,
    // An item's result is only its outputs (or nothing): the Map's result is one small record per
    // item. ResultPath left out means `$` (the local engine reads a written '$' as a key).
    ...(hasOutputs(job) ? { ResultSelector: pickOutputs(job), ResultPath: undefined } : { ResultSelector: undefined, ResultPath: null, OutputPath: null }),
    End: true,
  };
  delete itemTask.Comment;
  for (const key of Object.keys(itemTask)) if (itemTask[key] === undefined) delete itemTask[key];
  const map: State = {
    Type: 'Map',
    ...(job.description && { Comment: job.description }),
    ItemsPath: `$.outputs.${source}.${output}`,
    ItemSelector: {
      'item.$': '$$.Map.Item.Value',
      'index.$': '$$.Map.Item.Index',
      'date.$': '$.date',
      'params.$': '$.params',
      'run.$': '$.run',
      'outputs.$': '$.outputs',
    },
    ...(job.forEach!.maxConcurrent !== undefined && { MaxConcurrency: job.forEach!.maxConcurrent }),
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: forEachNames.item(job.name),
      States: toleratesFailures(job) ? catchItem(job, forEachNames.item(job.name), itemTask) : { [forEachNames.item(job.name)]: itemTask },
    },
    // With tolerated failures the outputs are gathered after the count, from the records (for-each-gather.ts).
    ResultSelector: gathersOutputs(job) ? recordsSelector(job, true) : { 'startedAt.$': '$$.State.EnteredTime', ...(hasOutputs(job) && { outputs: gatherOutputs(job) }), ...(toleratesFailures(job) && { tally: tallySelector(job) }) },
    ResultPath: '$.job',
  };
  // Past the inline Map's limits the items run as child executions (for-each-mode.ts).
  const mode = forEachMode(job, map.ItemProcessor as { StartAt: string; States: States });
  return mode === 'distributed' ? distributedForEach(job, map, forEachNames.item(job.name), itemTask) : map;
}
