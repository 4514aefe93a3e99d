// Durations read from past runs' histories and the median a deadline is judged with.
import { describe, expect, it } from 'vitest';
import { jobDurations, stateMachineOfExecution, typicalDurations, withFigures } from '../../generator/contract/job-durations.ts';
import { describeVerdict, assess, type DeadlinePlan } from '../../generator/contract/deadlines.ts';
import type { RunEvent } from '../../generator/contract/run-failure.ts';

const T0 = Date.parse('2019-03-12T00:00:00Z');
const at = (min: number): Date => new Date(T0 + min * 60_000);
const entered = (name: string, min: number): RunEvent => ({ type: 'TaskStateEntered', timestamp: at(min), stateEnteredEventDetails: { name } });
const exited = (name: string, min: number, type = 'TaskStateExited'): RunEvent => ({ type, timestamp: at(min), stateExitedEventDetails: { name } });

describe('jobDurations', () => {
  it('from the Task entered to the marker written; waits before the Task do not count', () => {
    const events = [entered('load waits for orders', 0), exited('load waits for orders', 30), entered('load', 30), exited('load', 70), entered('load done', 70), exited('load done', 71)];
    expect(jobDurations(events, ['load'])).toEqual(new Map([['load', 41 * 60]]));
  });

  it('a redriven job counts from its last start; a skipped job and a job still running give no figure', () => {
    const events = [
      entered('a', 0), exited('a', 10, 'TaskStateExited'), entered('a', 100), exited('a', 105), entered('a done', 105), exited('a done', 105),
      entered('b skipped', 0), exited('b skipped', 0),
      entered('c', 5),
    ];
    expect(jobDurations(events, ['a', 'b', 'c'])).toEqual(new Map([['a', 300]]));
  });

  it('a job that writes its own marker ends with its Task', () => {
    expect(jobDurations([entered('pipe', 0), exited('pipe', 25)], ['pipe']).get('pipe')).toBe(1500);
  });
});

describe('typicalDurations', () => {
  it('the median per job over the runs that show it: an odd count takes the middle, an even one the mean of the middle two', () => {
    const runs = [new Map([['a', 100], ['b', 10]]), new Map([['a', 9000], ['b', 20]]), new Map([['a', 120]]), new Map([['b', 40], ['a', 110]])];
    expect(typicalDurations(runs)).toEqual(new Map([['a', 115], ['b', 20]]));
  });
});

describe('withFigures', () => {
  const plan: DeadlinePlan = { run: { afterSeconds: 3600 }, timezone: 'UTC', jobs: [{ name: 'a', needs: [], estimateSeconds: 600 }, { name: 'constructor', needs: ['a'], estimateSeconds: 600 }] };

  it('replaces estimates where a figure exists and names the source in the verdict', () => {
    const learned = withFigures(plan, { runs: 10, seconds: { a: 3000 } });
    expect(learned.jobs.map((j) => j.estimateSeconds)).toEqual([3000, 600]);
    const [v] = assess(learned, T0, T0, { done: new Map(), running: new Map() });
    expect(describeVerdict(v, 'UTC', learned.source)).toBe('run: expected 01:00 from the last 10 runs, deadline 01:00, on time');
  });

  it('ignores what is not an own finite number (input from outside), and no figure leaves the plan as it was', () => {
    const odd = JSON.parse('{"runs":2,"seconds":{"a":"x","constructor":-1,"__proto__":{"a":5}}}');
    expect(withFigures(plan, odd)).toBe(plan);
    expect(withFigures(plan, undefined)).toBe(plan);
  });
});

it('stateMachineOfExecution', () => {
  expect(stateMachineOfExecution('arn:aws:states:eu-west-1:123456789012:execution:wf:wf-2019-03-12')).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:wf');
});
