// The states a split plan adds (plan/split.ts): in a parent, one Task per part that starts the
// child state machine and waits for it to finish; in a child, the state that takes the parent's
// state data as its own. The child gets the parent's whole state (date, params, select and the
// run's datekey and execution name), so its jobs skip, mark and signal exactly as they would
// in the parent, and in-run waits between parent and children use the same keys.
import type { Part } from '../plan/split.ts';
import type { State, States } from './job.ts';
import { stateName } from './names.ts';

/** The child state machine of part n. */
export const partMachineName = (workflow: string, n: number): string => `${workflow}-part-${n}`;
/** Its id in `CompiledWorkflow.definitions` and `manifest.stateMachines`. */
export const partId = (n: number): string => `part-${n}`;
/** Substitution name of its ARN (deploy time: the child state machine's ARN). */
export const partArnSubstitution = (n: number): string => `Part${n}Arn`;

/** Key of the parent's state data in a child's input. */
const STATE_KEY = 'state';

export const partStateNames = {
  task: (part: Part): string => stateName(`Part ${part.n} (${part.firstJob}${part.jobs > 1 ? `, +${part.jobs - 1} more` : ''})`),
  failed: (part: Part): string => stateName(`Part ${part.n} failed`),
  /** A child's first state. */
  start: 'Start part',
};

/** Adds the Task that runs `part` (and its failure state) to `states`; returns the Task's name. */
export function renderPartTask(workflow: string, part: Part, next: string | undefined, states: States): string {
  const name = partStateNames.task(part);
  const failed = partStateNames.failed(part);
  const task: State = {
    Type: 'Task',
    Comment: `runs ${part.jobs} job${part.jobs === 1 ? '' : 's'} in the child state machine ${partMachineName(workflow, part.n)} and waits for it`,
    Resource: 'arn:aws:states:::states:startExecution.sync:2',
    Parameters: {
      StateMachineArn: `\${${partArnSubstitution(part.n)}}`,
      // The console links the child execution to this one through this key.
      Input: { [`${STATE_KEY}.$`]: '$', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    },
    ResultPath: null,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }],
  };
  states[name] = next ? { ...task, Next: next } : { ...task, End: true };
  // The cause is the child execution's description, which holds its own error (naming the job).
  states[failed] = { Type: 'Fail', Error: 'stepgraph.PartFailed', CausePath: '$.error.Cause' };
  return name;
}

/** A child's first state: the parent's state data becomes the child's. */
export function childStart(first: string): States {
  return { [partStateNames.start]: { Type: 'Pass', InputPath: `$.${STATE_KEY}`, Next: first } };
}
