// The output lists of a for_each job that tolerates failures mean one thing in every form: the
// values of the items that succeeded, in item order; empty lists when none succeeded.
// - Inline (for-each-tolerance.ts) a failed item's record is `{failedIndex}` alone, so
//   `$[*].<name>` of the records skips it.
// - Distributed, a tolerated failed child execution contributes no record at all. That shape is
//   taken from emulators (floci, which checks itself against AWS, documents one entry per
//   successful child; LocalStack puts null in its place, which `$[*].<name>` skips too), not
//   verified against AWS.
// The Map's ResultSelector keeps the raw records at `$.job.records` (gathering them there would
// fail when no record holds an output: `$[*].<name>` then points to no value). After the Map (and
// its count), `J any item succeeded?` chooses: `J gathers outputs` picks each list from the
// records, `J none succeeded` sets empty lists; both leave `$.job = {startedAt, outputs}` as any
// job's Task does. Inline and on the local engine the choice reads the tally's `anySucceeded`;
// distributed it asks whether there is a first record. A job without outputs has nothing to gather.
import type { Job } from '../model.ts';
import type { State } from './job.ts';
import { stateName } from './names.ts';
import { hasOutputs } from './outputs.ts';
import { tallySelector, toleratesFailures } from './for-each-tolerance.ts';

export const gatherNames = (job: string) => ({
  any: stateName(`${job} any item succeeded?`),
  gathers: stateName(`${job} gathers outputs`),
  none: stateName(`${job} none succeeded`),
});

/** Whether the job's Map keeps its items' records for the gathering states. */
export const gathersOutputs = (job: Job): boolean => toleratesFailures(job) && hasOutputs(job);

/** The Map's ResultSelector of such a job: the records as they are, and inline the tally. */
export const recordsSelector = (job: Job, tally: boolean): State => ({
  'startedAt.$': '$$.State.EnteredTime',
  'records.$': '$',
  ...(tally && { tally: tallySelector(job) }),
});

/** `J any item succeeded?`: inline the tally says so; distributed a record exists only for a child that succeeded. */
export function anySucceededChoice(job: Job, form: 'inline' | 'distributed'): State {
  const n = gatherNames(job.name);
  const test = form === 'inline' ? { Variable: '$.job.tally.anySucceeded', BooleanEquals: true } : { Variable: '$.job.records[0]', IsPresent: true };
  return { Type: 'Choice', Choices: [{ ...test, Next: n.gathers }], Default: n.none };
}

/**
 * The states after the Map and its count: the Choice and `J gathers outputs` (for the job's chain,
 * which links the Pass to what follows), and `J none succeeded`, to be linked to the same place.
 */
export function gatherStates(job: Job, form: 'inline' | 'distributed'): { chain: [string, State][]; none: [string, State] } {
  const n = gatherNames(job.name);
  const outputs = job.outputs!;
  return {
    chain: [
      [n.any, anySucceededChoice(job, form)],
      [n.gathers, { Type: 'Pass', Parameters: { 'startedAt.$': '$.job.startedAt', outputs: Object.fromEntries(outputs.map((o) => [`${o.name}.$`, `$.job.records[*].${o.name}`])) }, ResultPath: '$.job' }],
    ],
    none: [n.none, { Type: 'Pass', Parameters: { 'startedAt.$': '$.job.startedAt', outputs: Object.fromEntries(outputs.map((o) => [o.name, []])) }, ResultPath: '$.job' }],
  };
}
