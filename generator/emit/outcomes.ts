// Conditions (`when`) and trigger rules (`run_if`) in a job's states (docs/architecture.md, "runtime
// contract": "Conditions and trigger rules").
//
// `when` is a Choice after the selection guard: false goes to `J skipped by condition`, which
// counts as done for the dependents (like a replay's `J skipped`) and writes no marker.
//
// `run_if` needs to know how the needs ended, and a failure normally ends the run where it
// happened. So, only in a workflow with a rule other than all_success, every job records its
// outcome at `$.outcomes.jobs.<job>` (`{outcome, failed}`), Parallel states merge their branches'
// records, and the jobs a rule waits for (the upstream of every such job, the "guarded" jobs) hand
// their failure on: a Catch after their retries records it (`J failure handed on`) instead of
// ending the run. A job's `J run if?` reads its needs' records; unmet, it goes to `J not run`. At
// the end, `Any job failed?` sends a run with a handed-on failure to `Run failed`. Jobs nobody's
// rule waits for still fail in place.
import type { Job, Workflow } from '../model.ts';
import type { TriggerRule } from '../conditions.ts';
import { choiceRule, type ChoiceRule } from './conditions.ts';
import { names, stateName } from './names.ts';
import { NEED_FAILED } from '../contract/waits.ts';
const waitName = names.waitsFor;
import { HANDED_ON, RUN_FAILED_STATE } from '../contract/run-failure.ts';
import type { State, States } from './job.ts';

export interface OutcomeContext {
  /** Every job records its outcome (the workflow has a rule other than all_success). */
  tracking: boolean;
  /** Jobs whose failure is handed on to a rule waiting for them. */
  guarded: ReadonlySet<string>;
}

/** The outcome a job records on each of its paths. */
const OUTCOMES = {
  succeeded: { outcome: 'succeeded', failed: false },
  skipped: { outcome: 'skipped', failed: false },
  conditionFalse: { outcome: 'condition_false', failed: false },
  /** A rule that waits for a failure (one_failed, all_failed) saw none: counts as done. */
  ruleUnmet: { outcome: 'rule_unmet', failed: false },
  /** all_success with a need that failed (or did not run because one of its own did). */
  upstreamFailed: { outcome: 'upstream_failed', failed: true },
} as const;

export const outcomeNames = {
  runIf: (job: string) => stateName(`${job} run if?`),
  when: (job: string) => stateName(`${job} when?`),
  conditionFalse: (job: string) => stateName(`${job} skipped by condition`),
  notRun: (job: string) => stateName(`${job} not run`),
  handedOn: (job: string) => stateName(`${job}${HANDED_ON}`),
  succeeded: (job: string) => stateName(`${job} succeeded`),
  trackOutcomes: 'Track outcomes',
  anyFailed: 'Any job failed?',
  runFailed: RUN_FAILED_STATE,
  runEnded: 'Run ended',
};

const RUN_FAILED_ERROR = 'stepgraph.JobFailed';

const RULES_WAITING_FOR_FAILURES: readonly TriggerRule[] = ['all_done', 'one_failed', 'all_failed'];

export function outcomeContext(workflow: Workflow): OutcomeContext | undefined {
  const hasConditions = workflow.jobs.some((j) => j.when || j.runIf);
  if (!hasConditions) return undefined;
  const byName = new Map(workflow.jobs.map((j) => [j.name, j]));
  const guarded = new Set<string>();
  const visit = (name: string): void => {
    for (const need of byName.get(name)?.needs ?? []) {
      if (guarded.has(need)) continue;
      guarded.add(need);
      visit(need);
    }
  };
  for (const job of workflow.jobs) if (job.runIf && RULES_WAITING_FOR_FAILURES.includes(job.runIf)) visit(job.name);
  return { tracking: guarded.size > 0, guarded };
}

const record = (job: string) => `$.outcomes.jobs.${job}`;

/** Where a job records that an in-run wait told it a need failed (job names never hold `__`). */
const seenFailed = (need: string) => `${record(need)}__failed`;

/**
 * A need ended failed: it failed, or did not run because one of its own needs failed. A need
 * joined by an in-run wait is not in this branch's record: its failed signal failed the wait
 * with NEED_FAILED, which left `seenFailed`.
 */
function failedRule(need: string, throughWait: boolean): ChoiceRule {
  const own = { And: [{ Variable: `${record(need)}.failed`, IsPresent: true }, { Variable: `${record(need)}.failed`, BooleanEquals: true }] };
  return throughWait ? { Or: [own, { Variable: seenFailed(need), IsPresent: true }] } : own;
}

export interface JobStates {
  /** The job's own states in order (waits, Task or sweep, marker, signal), as renderJob built them. */
  chain: string[];
  /** Where a job that does not run goes: its signal, else the state after it (undefined: the end). */
  exit: string | undefined;
  /** The selection guard and its skipped path, already in `states`. */
  guard: string;
  skipped: string;
  /** The jobs this one waits for inside the run (`J waits for <after>`), in chain order. */
  inRun: string[];
  task: string;
  done: string;
  /** `J signals`, when others wait for the job inside the run. */
  signals?: string;
}

/** Adds the job's condition, rule and outcome records to the states renderJob made. */
export function addOutcomes(job: Job, ctx: OutcomeContext, at: JobStates, states: States): void {
  const to = (next: string | undefined) => (state: State): State => (next ? { ...state, Next: next } : { ...state, End: true });
  const exit = to(at.exit);
  // A failure, or not running because of one, tells the jobs waiting inside the run.
  const mayEndFailed = (ctx.guarded.has(job.name) && job.kind.type !== 'sweep') || (job.needs.length > 0 && (job.runIf ?? 'all_success') === 'all_success');
  const failedSignal = ctx.tracking && at.signals && mayEndFailed ? names.signalsFailure(job.name) : undefined;
  const failedExit = to(failedSignal ?? at.exit);
  const recordAs = (result: State): State => (ctx.tracking ? { Result: result, ResultPath: record(job.name) } : {});
  const waits = at.inRun.map((after) => waitName(job.name, after));
  // The rule reads how the needs ended: after the in-run waits, when there are some.
  const afterWaits = ctx.tracking && waits.length > 0;
  const work = afterWaits ? (states[waits[waits.length - 1]].Next as string) : at.chain[0];
  const heads: [string, (target: string) => State][] = [];

  if (ctx.tracking) {
    states[at.skipped] = { ...states[at.skipped], ...recordAs(OUTCOMES.skipped) };
    const rule = job.runIf ?? 'all_success';
    if (job.needs.length > 0 && rule !== 'all_done') {
      const failed = job.needs.map((n) => failedRule(n, at.inRun.includes(n)));
      const anyFailed: ChoiceRule = failed.length === 1 ? failed[0] : { Or: failed };
      const allFailed: ChoiceRule = failed.length === 1 ? failed[0] : { And: failed };
      const notRun = outcomeNames.notRun(job.name);
      heads.push([
        outcomeNames.runIf(job.name),
        (target) =>
          rule === 'all_success'
            ? { Type: 'Choice', Choices: [{ ...anyFailed, Next: notRun }], Default: target }
            : { Type: 'Choice', Choices: [{ ...(rule === 'one_failed' ? anyFailed : allFailed), Next: target }], Default: notRun },
      ]);
      states[notRun] = rule === 'all_success' ? failedExit({ Type: 'Pass', ...recordAs(OUTCOMES.upstreamFailed) }) : exit({ Type: 'Pass', ...recordAs(OUTCOMES.ruleUnmet) });
    }
    recordSuccess(job, states, at.done, at.task);
  }
  if (job.when) {
    const skipped = outcomeNames.conditionFalse(job.name);
    const rule = choiceRule(job.when);
    heads.push([outcomeNames.when(job.name), (target) => ({ Type: 'Choice', Choices: [{ ...rule, Next: target }], Default: skipped })]);
    states[skipped] = exit({ Type: 'Pass', ...recordAs(OUTCOMES.conditionFalse) });
  }
  heads.forEach(([name, make], i) => (states[name] = make(i + 1 < heads.length ? heads[i + 1][0] : work)));
  if (heads.length > 0) {
    if (afterWaits) states[waits[waits.length - 1]] = { ...states[waits[waits.length - 1]], Next: heads[0][0] };
    else states[at.guard] = { ...states[at.guard], Default: heads[0][0] };
  }

  const catches = (name: string): object[] => (states[name].Catch as object[] | undefined) ?? [];
  if (ctx.tracking) {
    // A need that ended failed fails the wait for it: recorded, and the job goes on to its rule.
    at.inRun.forEach((after, i) => {
      const wait = waits[i];
      states[wait] = { ...states[wait], Catch: [{ ErrorEquals: [NEED_FAILED], ResultPath: seenFailed(after), Next: states[wait].Next }, ...catches(wait)] };
    });
  }
  if (ctx.guarded.has(job.name) && job.kind.type !== 'sweep') {
    const handedOn = outcomeNames.handedOn(job.name);
    const catcher = { ErrorEquals: ['States.ALL'], ResultPath: record(job.name), Next: handedOn };
    for (const name of at.chain) {
      const state = states[name];
      if (state.Type === 'Task' && name !== at.done && name !== at.signals) states[name] = { ...state, Catch: [...catches(name), catcher] };
    }
    states[handedOn] = failedExit({ Type: 'Pass', Parameters: { outcome: 'failed', failed: true, 'error.$': record(job.name) }, ResultPath: record(job.name) });
  }
  if (failedSignal && at.signals) {
    const signals = states[at.signals];
    const parameters = signals.Parameters as { Payload: State };
    states[failedSignal] = { ...signals, Parameters: { ...parameters, Payload: { ...parameters.Payload, failed: true } } };
  }
}

/** The marker write records the success; a job that writes no marker gets a Pass after its Task. */
function recordSuccess(job: Job, states: States, doneState: string, taskState: string): void {
  const done = states[doneState];
  if (done) {
    states[doneState] = { ...done, ResultSelector: { ...OUTCOMES.succeeded }, ResultPath: record(job.name) };
    return;
  }
  const task = states[taskState];
  if (!task) return;
  const name = outcomeNames.succeeded(job.name);
  const { Next, End, ...rest } = task;
  states[taskState] = { ...rest, Next: name };
  states[name] = { Type: 'Pass', Result: { ...OUTCOMES.succeeded }, ResultPath: record(job.name), ...(Next !== undefined ? { Next } : { End }) };
}

/** A Parallel's branches each carry the records; merged, they replace the run's. */
export function mergeBranchOutcomes(branches: number): State {
  let merged = '$[0].outcomes.jobs';
  for (let i = 1; i < branches; i++) merged = `States.JsonMerge(${merged}, $[${i}].outcomes.jobs, false)`;
  return { ResultSelector: { 'jobs.$': merged }, ResultPath: '$.outcomes' };
}

/** Before the first job: an empty record. After the last: fail the run if a job handed its failure on. */
export function runEnds(ctx: OutcomeContext, first: string, states: States): { start: string; next: string } {
  states[outcomeNames.trackOutcomes] = { Type: 'Pass', Result: { jobs: {} }, ResultPath: '$.outcomes', Next: first };
  // Only a handed-on failure needs looking at here: any other failure ended the run where it happened.
  const failed = [...ctx.guarded].sort().map((job) => ({ And: [{ Variable: `${record(job)}.outcome`, IsPresent: true }, { Variable: `${record(job)}.outcome`, StringEquals: 'failed' }] }));
  states[outcomeNames.anyFailed] = { Type: 'Choice', Choices: [{ ...(failed.length === 1 ? failed[0] : { Or: failed }), Next: outcomeNames.runFailed }], Default: outcomeNames.runEnded };
  states[outcomeNames.runFailed] = {
    Type: 'Fail',
    Error: RUN_FAILED_ERROR,
    Cause: 'a job failed and the jobs whose run_if waited for it ran; `stepgraph status` names the job that failed first',
  };
  states[outcomeNames.runEnded] = { Type: 'Succeed' };
  return { start: outcomeNames.trackOutcomes, next: outcomeNames.anyFailed };
}
