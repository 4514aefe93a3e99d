// State names: job names as they are (readable in the console), helper states prefixed with
// the job they serve. Step Functions caps names at 80 characters; longer ones are shortened
// deterministically with a hash so they stay unique.
import { createHash } from 'node:crypto';

const MAX_STATE_NAME = 80;

export function stateName(text: string): string {
  if (text.length <= MAX_STATE_NAME) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${text.slice(0, MAX_STATE_NAME - 10)}~${hash}`;
}

export const names = {
  checkInput: 'Check input',
  invalidInput: 'Invalid input',
  defaultParams: 'Default params',
  readDate: 'Read date',
  checkDate: 'Check date',
  prepareRun: 'Prepare run',
  selected: (job: string) => stateName(`${job} selected?`),
  skipped: (job: string) => stateName(`${job} skipped`),
  waitsFor: (job: string, what: string) => stateName(`${job} waits for ${what}`),
  task: (job: string) => job,
  /** A sweep job's Fail state (emit/sweep.ts); other jobs fail in their own Task. */
  failed: (job: string) => stateName(`${job} failed`),
  done: (job: string) => stateName(`${job} done`),
  signals: (job: string) => stateName(`${job} signals`),
  /** `J signals failure`: J failed (handed on to a run_if job) or did not run because a need failed (emit/outcomes.ts). */
  signalsFailure: (job: string) => stateName(`${job} signals failure`),
};

/** A Parallel state is named after the first job of each branch. */
export function parallelName(firstJobs: readonly string[], taken: Set<string>): string {
  let listed = firstJobs.length;
  let name = `Parallel (${firstJobs.join(', ')})`;
  while (name.length > MAX_STATE_NAME && listed > 1) {
    listed--;
    name = `Parallel (${firstJobs.slice(0, listed).join(', ')}, +${firstJobs.length - listed} more)`;
  }
  name = stateName(name);
  for (let n = 2; taken.has(name); n++) name = stateName(`${name.slice(0, MAX_STATE_NAME - 4)} #${n}`);
  taken.add(name);
  return name;
}
