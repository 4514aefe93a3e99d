// Replay = a new execution of the same state machine whose input selects the jobs to rerun. Its
// name is the next free `<workflow>-<date>-replay-<n>`; the selected jobs' markers are deleted
// first so nothing reads the old completion while they rerun.
import { UserError } from '../errors.ts';
import type { Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import type { RunDate } from '../contract/dates.ts';
import { parseRunDate } from '../dates.ts';
import { runsOfDate, startExecution } from './executions.ts';
import { deleteMarkers, markerKeys } from './markers.ts';
import { nextReplayNumber, replayName } from '../contract/run-names.ts';
import { computeSelection, runInput, type SelectionRequest } from './selection.ts';
import { type RunInput } from '../contract/run.ts';

export interface ReplayPlan {
  workflow: Workflow;
  date: RunDate;
  selection: string[];
  input: RunInput;
  markerKeys: string[];
}

export function planReplay(workflow: Workflow, date: string, request: SelectionRequest, params?: Record<string, unknown>): ReplayPlan {
  const runDate = parseRunDate(date, workflow.partition);
  const selection = computeSelection(workflow, request);
  return {
    workflow,
    date: runDate,
    selection,
    input: runInput(runDate.text, selection, params),
    markerKeys: markerKeys(workflow, selection, runDate.key),
  };
}

export interface ReplayTarget {
  stateMachineArn: string;
  markerBucket: string;
}

export interface StartedReplay {
  name: string;
  executionArn: string;
}

/** Invalidates the markers, then starts the replay under the next free name. */
export async function executeReplay(aws: Aws, plan: ReplayPlan, target: ReplayTarget): Promise<StartedReplay> {
  const { workflow, date } = plan;
  const runs = await runsOfDate(aws, target.stateMachineArn, workflow.name, date.text);
  const running = runs.find((r) => r.status === 'RUNNING' || r.status === 'PENDING_REDRIVE');
  if (running) {
    // Two runs of one date would write the same markers in an undefined order.
    throw new UserError(
      `${running.name} is still running; replaying ${date.text} now would race it. ` +
        `Wait for it (npx stepgraph status ${workflow.name} --date ${date.text} --watch) or stop it in the console first`,
    );
  }
  const names = runs.map((r) => r.name!);
  await deleteMarkers(aws, target.markerBucket, plan.markerKeys);
  // Someone may take the name between our listing and our start: then the next number is ours.
  for (let n = nextReplayNumber(names, workflow.name, date.text), tries = 0; tries < 5; n++, tries++) {
    const name = replayName(workflow.name, date.text, n);
    const started = await startExecution(aws, target.stateMachineArn, name, plan.input);
    if (started.started) return { name, executionArn: started.executionArn };
  }
  throw new UserError(`could not find a free replay name for ${workflow.name} ${date.text} after 5 tries; list the runs with \`npx stepgraph list ${workflow.name}\``);
}
