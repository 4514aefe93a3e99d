// The names of runs (docs/architecture.md, "runtime contract"): a date's first run of a workflow
// is the execution `<workflow>-<date>`, its replays `<workflow>-<date>-replay-<n>`; a split
// graph's child state machines are `<workflow>-part-<n>` and the child run of an execution is
// `<execution>-part-<n>`. Pure functions, so every name is reproducible from the history.

/** The execution name of a workflow's run for a date (`player-analytics-2019-03-12`). */
export const runName = (workflow: string, date: string): string => `${workflow}-${date}`;

export const replayName = (workflow: string, date: string, n: number | '<n>'): string => `${runName(workflow, date)}-replay-${n}`;

const PART = '-part-';

/** The child state machine `n` (1-based) of a workflow split for size. */
export const partMachineName = (workflow: string, n: number | '<n>' | ''): string => `${workflow}${PART}${n}`;

/** The child execution's name: `<parent execution name>-part-<n>`. */
export const partExecutionName = (parentExecution: string, n: number): string => `${parentExecution}${PART}${n}`;

/** Every child machine's name of a workflow, `<workflow>-part-*` (IAM patterns). */
export const anyPartMachine = (workflow: string): string => `${workflow}${PART}*`;

/** Whether `name` is the name of a child machine of `workflow` (or would be taken for one). */
export const isPartNameOf = (name: string, workflow: string): boolean => name.startsWith(`${workflow}${PART}`);

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches the execution names of `workflow`'s child machines' runs (`...:execution:<workflow>-part-<n>:`) in an execution ARN. */
export const partExecutionArnPattern = (workflow: string): RegExp => new RegExp(`:execution:${escape(workflow)}${PART}\\d+:`);

/** 1 + the highest replay number among `names` for that workflow and date (1 when there is none). */
export function nextReplayNumber(names: Iterable<string>, workflow: string, date: string): number {
  const pattern = new RegExp(`^${escape(runName(workflow, date))}-replay-(\\d+)$`);
  let highest = 0;
  for (const name of names) {
    const m = pattern.exec(name);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return highest + 1;
}

/** Whether `name` is a run of `workflow` for `date`: the first run or any replay of it. */
export function isRunOfDate(name: string, workflow: string, date: string): boolean {
  return new RegExp(`^${escape(runName(workflow, date))}(-replay-\\d+)?$`).test(name);
}

/** The date part of a stepgraph execution name, if it is one (`undefined` for hand-named runs). */
export function dateOfRunName(name: string, workflow: string): string | undefined {
  const m = new RegExp(`^${escape(workflow)}-(\\d{4}-\\d{2}-\\d{2}(?:T\\d{2})?)(?:-replay-\\d+)?$`).exec(name);
  return m?.[1];
}
