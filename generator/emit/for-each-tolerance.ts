// A for_each job's `tolerated_failures` on an inline Map, which has no ToleratedFailure fields of
// its own. The approach of an inline sweep (emit/sweep.ts): no iteration fails. Each item's Task
// keeps its Retry and gets a Catch after it into `J item failed`, which records the item as failed
// (`failedIndex` = its index, nothing else; a success records -1 and its outputs); the Map's
// ResultSelector keeps the list of those keys and the item count in a tally. After the Map the job counts the distinct keys
// (less one when any item succeeded) and compares the count with what it tolerates: a count as
// written, a percentage of the run's own item count (failed * 100 > percent * items, the two
// products built from additions, since States.MathAdd is the only arithmetic); past it the job
// fails in `J failed` (stepgraph.ForEachFailed), a state of its own. All items run to their end first.
//
// The job's output lists hold the values of the items that succeeded, in item order, and are empty
// when none did (no null for a failed item): a job with outputs keeps the records at
// `$.job.records` and gathers them once counted (emit/for-each-gather.ts), the tally's
// `anySucceeded` choosing between gathered and empty lists.
import type { Job } from '../model.ts';
import type { State, States } from './job.ts';
import { stateName } from './names.ts';
import { hasOutputs } from './outputs.ts';
import { blockNames } from './sweep.ts';

const FOR_EACH_FAILED = 'stepgraph.ForEachFailed';

const T = '$.job.tally';

export const toleranceNames = (job: string) => ({
  ...blockNames(job),
  itemFailed: stateName(`${job} item failed`),
  weighs: (step: number) => stateName(`${job} weighs failures ${step}`),
});

/** Whether the job catches its items' failures and counts them (a percentage of 100 never fails, but still catches). */
export const toleratesFailures = (job: Job): boolean => job.forEach?.toleratedFailures !== undefined;

/** Whether the job can still fail by its count: anything short of 100%. */
const counts = (job: Job): boolean => {
  const t = job.forEach?.toleratedFailures;
  return t !== undefined && !('percent' in t && t.percent >= 100);
};

/** The item Task's catch and the record of a failed item: `J item failed` (Pass), for the Map's processor. */
export function catchItem(job: Job, itemName: string, itemTask: State): States {
  const n = toleranceNames(job.name);
  // The record is the result alone (ResultPath `$`): a success's outputs and -1.
  const { ResultSelector: outputs, ResultPath: _path, OutputPath: _output, End: _end, ...task } = itemTask;
  return {
    [itemName]: {
      ...task,
      ResultSelector: { failedIndex: -1, ...(outputs as State | undefined) },
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: n.itemFailed }],
    },
    // No outputs: the gathered lists skip a failed item.
    [n.itemFailed]: { Type: 'Pass', Parameters: { 'failedIndex.$': '$.index' }, End: true },
  };
}

/**
 * What the Map's ResultSelector adds: the items' keys and their count, at `$.job.tally`; for a job
 * with outputs also whether any item succeeded, which chooses how they are gathered (at 100% no
 * counting state computes it).
 */
export const tallySelector = (job: Job): State => ({
  'keys.$': '$[*].failedIndex',
  'total.$': 'States.ArrayLength($)',
  ...(hasOutputs(job) && { 'anySucceeded.$': 'States.ArrayContains($[*].failedIndex, -1)' }),
});

/** A counting state of a job with outputs hands `anySucceeded` on to the gathering Choice. */
const carried = (job: Job): State => (hasOutputs(job) ? { 'anySucceeded.$': `${T}.anySucceeded` } : {});

/** The tally of a job that ran no item (`J no items`): nothing failed. */
export const emptyTally = (): State => ({ keys: [], total: 0 });

/**
 * The states after the Map, for the job's chain: the first one (linked), and the others added to
 * `states`. The last, `J within tolerance?`, is a Choice left without a Default: the chain points
 * it at the job's next state. undefined: the job never fails by its count (100%).
 */
export function tallyChain(job: Job, states: States): [string, State] | undefined {
  if (!counts(job)) return undefined;
  const tolerated = job.forEach!.toleratedFailures!;
  const n = toleranceNames(job.name);
  const weigh = 'percent' in tolerated ? weighStates(job.name, tolerated.percent, n.within, carried(job)) : undefined;
  const afterCount = weigh?.first ?? n.within;
  Object.assign(states, weigh?.states ?? {}, {
    [n.anySucceeded]: { Type: 'Choice', Choices: [{ Variable: `${T}.anySucceeded`, BooleanEquals: true, Next: n.minusSuccesses }], Default: afterCount },
    [n.minusSuccesses]: { Type: 'Pass', Parameters: { 'failed.$': `States.MathAdd(${T}.failed, -1)`, 'total.$': `${T}.total`, ...carried(job) }, ResultPath: T, Next: afterCount },
    [n.within]: {
      Type: 'Choice',
      Choices: [
        'count' in tolerated
          ? { Variable: `${T}.failed`, NumericGreaterThan: tolerated.count, Next: n.tooMany }
          : { Variable: `${T}.failedWeight`, NumericGreaterThanPath: `${T}.toleratedWeight`, Next: n.tooMany },
      ],
    },
    [n.tooMany]: {
      Type: 'Pass',
      Parameters: {
        Error: FOR_EACH_FAILED,
        'Cause.$': `States.Format('{} of {} items of job ${job.name} failed; ${'count' in tolerated ? tolerated.count : `${tolerated.percent}%`} tolerated', ${T}.failed, ${T}.total)`,
      },
      ResultPath: '$.job.error',
      Next: n.failed,
    },
    [n.failed]: { Type: 'Fail', Error: FOR_EACH_FAILED, CausePath: '$.job.error.Cause' },
  });
  // Failed items carry their index, the others -1: the distinct values count the failures (plus one for any success).
  return [
    n.distinct,
    {
      Type: 'Pass',
      Parameters: {
        'failed.$': `States.ArrayLength(States.ArrayUnique(${T}.keys))`,
        'anySucceeded.$': `States.ArrayContains(${T}.keys, -1)`,
        'total.$': `${T}.total`,
      },
      ResultPath: T,
      Next: n.anySucceeded,
    },
  ];
}

/**
 * failed * 100 / gcd and percent * total / gcd, by doubling: step k adds 2^k times each count when
 * bit k of its factor is set, then doubles. A few Pass states, whatever the item count.
 */
function weighStates(job: string, percent: number, next: string, carry: State): { first: string; states: States } {
  const g = gcd(percent, 100);
  const factors = { failed: 100 / g, total: percent / g };
  const steps = Math.max(factors.failed, factors.total).toString(2).length;
  const states: States = {};
  for (let k = 0; k < steps; k++) {
    const sum = (count: 'failed' | 'total', weight: 'failedWeight' | 'toleratedWeight'): string | number | undefined => {
      const running = k === 0 ? undefined : `${T}.${weight}`;
      const multiple = k === 0 ? `${T}.${count}` : `${T}.${count}Times`;
      if ((factors[count] >> k) % 2 === 0) return running ?? 0;
      return running ? `States.MathAdd(${running}, ${multiple})` : multiple;
    };
    const field = (key: string, value: string | number | undefined): State => (typeof value === 'string' ? { [`${key}.$`]: value } : { [key]: value });
    const doubled = (count: 'failed' | 'total'): string => (k === 0 ? `States.MathAdd(${T}.${count}, ${T}.${count})` : `States.MathAdd(${T}.${count}Times, ${T}.${count}Times)`);
    states[stateName(`${job} weighs failures ${k + 1}`)] = {
      Type: 'Pass',
      Parameters: {
        'failed.$': `${T}.failed`,
        'total.$': `${T}.total`,
        ...field('failedWeight', sum('failed', 'failedWeight')),
        ...field('toleratedWeight', sum('total', 'toleratedWeight')),
        ...(k + 1 < steps && { 'failedTimes.$': doubled('failed'), 'totalTimes.$': doubled('total') }),
        ...carry,
      },
      ResultPath: T,
      Next: k + 1 < steps ? stateName(`${job} weighs failures ${k + 2}`) : next,
    };
  }
  return { first: stateName(`${job} weighs failures 1`), states };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
