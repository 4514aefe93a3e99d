// How a job's outputs travel through the run's state (runtime contract: `$.outputs.<job>.<name>`).
// The job's Task picks them from its result (ResultSelector, beside `startedAt`), its marker body
// carries them, and `J outputs` (a Pass) files them under `$.outputs.<job>`, where every later
// state of the run reads them: templates of jobs downstream, the Lambda payload's `inputs`, and
// conditions. A Parallel hands its branches' outputs on merged. The state starts with
// `$.outputs = {}` so that merging never meets a missing object.
import type { Job, Workflow } from '../model.ts';
import type { State } from './job.ts';
import { stateName } from './names.ts';

export const outputNames = {
  start: 'Prepare outputs',
  pass: (job: string) => stateName(`${job} outputs`),
  merge: (parallel: string) => stateName(`${parallel} outputs`),
};

export const hasOutputs = (job: Job): boolean => (job.outputs ?? []).length > 0;

/** Whether the run's state carries `$.outputs` at all: only workflows that pass data (or read a waited-for marker's) pay for it. */
export function passesData(workflow: Workflow): boolean {
  // Asked for every job and every Parallel: answered once per workflow, or a 100,000-job graph
  // would look at every job's kind 100,000 times.
  let answer = passing.get(workflow);
  if (answer === undefined) passing.set(workflow, (answer = workflow.jobs.some((j) => hasOutputs(j) || JSON.stringify(j.kind).includes('{inputs.') || j.local?.command.includes('{inputs.') === true)));
  return answer;
}
const passing = new WeakMap<Workflow, boolean>();

/** `{ name.$: path }` of the job's outputs, read from its Task's result. */
export function pickOutputs(job: Job): State {
  return Object.fromEntries((job.outputs ?? []).map((o) => [`${o.name}.$`, o.path]));
}

/** A for_each job's outputs: the list of its items' values of each (the Map's result is one record per item). */
export function gatherOutputs(job: Job): State {
  return Object.fromEntries((job.outputs ?? []).map((o) => [`${o.name}.$`, `$[*].${o.name}`]));
}

/** The first state of a run that passes data: `$.outputs = {}` (whatever the input held there). */
export function startOutputs(next: string): Record<string, State> {
  return { [outputNames.start]: { Type: 'Pass', Result: {}, ResultPath: '$.outputs', Next: next } };
}

/** `J outputs`: files the outputs the Task picked (`$.job.outputs`) under `$.outputs.<job>`. */
export const fileOutputs = (job: Job): State => ({ Type: 'Pass', InputPath: '$.job.outputs', ResultPath: `$.outputs.${job.name}` });

/** Each branch of a Parallel ends with the run's state; their `outputs` merged (shallow: by job). */
export function mergeSelector(branches: number): State {
  let merged = '$[0].outputs';
  for (let i = 1; i < branches; i++) merged = `States.JsonMerge(${merged}, $[${i}].outputs, false)`;
  return { 'outputs.$': merged };
}
