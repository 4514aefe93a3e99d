// The states a split plan adds (plan/split.ts): in a parent, one Task per part that starts the
// child state machine and waits for it to finish; in a child, the state that takes the parent's
// state data as its own. The child gets the parent's whole state (date, params, select and the
// run's datekey and execution name), so its jobs skip, mark and signal exactly as they would
// in the parent, and in-run waits between parent and children use the same keys.
//
// A child fails in place and so does the parent's Task (no Catch): the child is named after the
// parent's execution (`<execution>-part-<n>`), so `stepgraph redrive` redrives the failed child,
// then the parent, whose Task's StartExecution of the same name and input finds the child running
// again and waits for it (Step Functions answers such a start with the running execution).
import { partArnName, placeholder } from '../contract/placeholders.ts';
import { partExecutionName, partMachineName } from '../contract/run-names.ts';
import type { Part } from '../plan/split.ts';
import type { State, States } from './job.ts';
import { stateName } from './names.ts';
import { partResult } from './part-outcomes.ts';

/** Its id in `CompiledWorkflow.definitions` and `manifest.stateMachines`. */
export const partId = (n: number): string => `part-${n}`;

/** Key of the parent's state data in a child's input. */
const STATE_KEY = 'state';

export const partStateNames = {
  task: (part: Part): string => stateName(`Part ${part.n} (${part.firstJob}${part.jobs > 1 ? `, +${part.jobs - 1} more` : ''})`),
  /** A child's first state. */
  start: 'Start part',
};

/**
 * Adds the Task that runs `part` to `states`; returns the Task's name. With `outcomes` (the workflow
 * tracks outcome records) the child's records come back (emit/part-outcomes.ts).
 */
export function renderPartTask(workflow: string, part: Part, next: string | undefined, states: States, outcomes = false): string {
  const name = partStateNames.task(part);
  const task: State = {
    Type: 'Task',
    Comment: `runs ${part.jobs} job${part.jobs === 1 ? '' : 's'} in the child state machine ${partMachineName(workflow, part.n)} and waits for it`,
    Resource: 'arn:aws:states:::states:startExecution.sync:2',
    Parameters: {
      StateMachineArn: placeholder(partArnName(part.n)),
      'Name.$': `States.Format('${partExecutionName('{}', part.n)}', $$.Execution.Name)`,
      // The console links the child execution to this one through this key.
      Input: { [`${STATE_KEY}.$`]: '$', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    },
    ...partResult(outcomes),
  };
  states[name] = next ? { ...task, Next: next } : { ...task, End: true };
  return name;
}

/** A child's first state: the parent's state data becomes the child's. */
export function childStart(first: string): States {
  return { [partStateNames.start]: { Type: 'Pass', InputPath: `$.${STATE_KEY}`, Next: first } };
}
