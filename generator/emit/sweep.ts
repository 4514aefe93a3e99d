// A sweep as ASL: a Map state over its items with a rolling concurrency limit, the states around
// it that count failures and sum up, and (for a sweep on its own) the state machine with the
// states that merge the execution's input over the compiled settings.
//
// Runtime contract of a sweep state machine:
// - Input (every field optional): {maxConcurrent, items (inline) | itemsKey (distributed),
//   toleratedFailureCount | toleratedFailurePercentage}. Absent fields take the compiled values,
//   so `{}` runs the sweep as compiled; `sweep launch`/`resume` pass them all.
// - The Map's MaxConcurrency is read from the settings (MaxConcurrencyPath), so a run can change it.
// - Output: {sweep: {name, mode, results}} (inline; one record per item) or
//   {sweep: {name, mode, mapRunArn, resultWriterDetails}} (distributed; records in S3).
// - Failure: once more items failed than tolerated. An inline Map has no ToleratedFailure fields:
//   its iterations never fail, each ends in a record, and the states after the Map count the
//   FAILED records (as the distinct `failedIndex` values, which needs no arithmetic beyond
//   MathAdd) and compare the count with the tolerated one; past it the run fails in `<name>
//   failed` (Error stepgraph.SweepFailed). All items run to the end first. A Distributed Map counts
//   natively, stops early when the threshold is passed and fails in itself (the Map named after
//   the sweep or job, Error States.ExceedToleratedFailureThreshold). Nothing catches a failure into
//   a Fail state, so a redrive continues where Step Functions can continue (see sweep/ops/resume.ts
//   for when that re-runs the failed items and when a new run must).
import { createHash } from 'node:crypto';
import type { SweepMode, SweepPlan } from '../sweep/plan.ts';
import type { Definition } from './asl.ts';
import type { State, States } from './job.ts';
import { stateName } from './names.ts';
import { itemStates } from './sweep-item.ts';

const SWEEP_FAILED = 'stepgraph.SweepFailed';

interface SweepBlockOptions {
  /** The Map state's name: the job's name inside a workflow, the sweep's name on its own. */
  name: string;
  /** Where the sweep keeps its data while it runs and leaves its summary (e.g. `$.sweep`). */
  resultPath: string;
  /** The state after a successful sweep; none: the sweep ends the machine. */
  next?: string;
  /** Defaults to the plan's; the local engine runs distributed sweeps inline. */
  mode?: SweepMode;
  /** A graph job records when it started (`{startedAt}`, for its marker) here, in a first state `<name> started`. */
  startedAtPath?: string;
}

export const blockNames = (p: string) => ({
  started: stateName(`${p} started`),
  settings: stateName(`${p} settings`),
  map: p,
  tally: stateName(`${p} tally?`),
  count: stateName(`${p} count failures`),
  distinct: stateName(`${p} failed count`),
  anySucceeded: stateName(`${p} any succeeded?`),
  minusSuccesses: stateName(`${p} not counting successes`),
  within: stateName(`${p} within tolerance?`),
  tooMany: stateName(`${p} too many failures`),
  failed: stateName(`${p} failed`),
  summary: stateName(`${p} summary`),
});

/** The settings the Map reads, as compiled (the machine's input may override each field). */
export function sweepSettings(plan: SweepPlan, mode: SweepMode = plan.mode): Record<string, unknown> {
  const tolerated =
    mode === 'inline' || 'count' in plan.tolerated
      ? { toleratedFailureCount: mode === 'inline' ? plan.toleratedCount : (plan.tolerated as { count: number }).count }
      : { toleratedFailurePercentage: plan.tolerated.percent };
  return {
    maxConcurrent: plan.maxConcurrent,
    ...tolerated,
    // Not read by the states: `sweep resume` spaces a new run's items with it.
    launchDelaySeconds: plan.launchDelaySeconds,
    ...(plan.ec2 && plan.ec2.regions.length > 0 && { regions: plan.ec2.regions }),
    ...(mode === 'inline' ? { items: plan.items } : { itemsKey: plan.keys.items }),
  };
}

/**
 * The sweep's states for a graph job: `<name> settings` (the compiled settings at `resultPath`),
 * the Map `<name>`, and the states after it. Returns the first state.
 */
function emitSweepStates(plan: SweepPlan, options: SweepBlockOptions): { startAt: string; states: States } {
  const n = blockNames(options.name);
  const states: States = {
    ...(options.startedAtPath && { [n.started]: { Type: 'Pass', Parameters: { 'startedAt.$': '$$.State.EnteredTime' }, ResultPath: options.startedAtPath, Next: n.settings } }),
    [n.settings]: { Type: 'Pass', Result: { settings: sweepSettings(plan, options.mode) }, ResultPath: options.resultPath, Next: n.map },
    ...mapStates(plan, options),
  };
  return { startAt: options.startedAtPath ? n.started : n.settings, states };
}

/**
 * A workflow job of kind `sweep`, for the job emitter's chain: the block's states go into
 * `states`, and its first state comes back already linked (its own Next), the sweep ending in
 * `next` (the job's `J done`). It fails in its own states: `J failed` (stepgraph.SweepFailed, an
 * inline sweep's count) or the Map `J` itself (a distributed one). The sweep's data lives at
 * `$.sweep` while it runs and its summary stays there; `$.job.startedAt` is set as for any job.
 * `plan` is the job's plan from the workflow's (Plan.sweeps): emit renders it and plans nothing.
 */
export function sweepJobStates(job: string, plan: SweepPlan, next: string, states: States): [string, State] {
  const block = emitSweepStates(plan, { name: job, resultPath: '$.sweep', next, startedAtPath: '$.job' });
  const { [block.startAt]: first, ...rest } = block.states;
  Object.assign(states, rest);
  return [block.startAt, first];
}

/** The Map and what follows it; the settings must already be at `<resultPath>.settings`. */
function mapStates(plan: SweepPlan, options: SweepBlockOptions): States {
  const mode = options.mode ?? plan.mode;
  const n = blockNames(options.name);
  const R = options.resultPath;
  const then = (state: State): State => (options.next ? { ...state, Next: options.next } : { ...state, End: true });
  const processor = itemStates(plan, options.name, mode);
  const distributed = mode === 'distributed';
  const states: States = {
    [n.map]: {
      Type: 'Map',
      ItemProcessor: {
        ProcessorConfig: distributed ? { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } : { Mode: 'INLINE' },
        StartAt: processor.startAt,
        States: processor.states,
      },
      ...(distributed
        ? { ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: plan.bucket, 'Key.$': `${R}.settings.itemsKey` } } }
        : { ItemsPath: `${R}.settings.items` }),
      ItemSelector: { sweep: plan.sweep.name, 'execution.$': '$$.Execution.Name', 'item.$': '$$.Map.Item.Value' },
      MaxConcurrencyPath: `${R}.settings.maxConcurrent`,
      ...(distributed &&
        ('count' in plan.tolerated ? { ToleratedFailureCountPath: `${R}.settings.toleratedFailureCount` } : { ToleratedFailurePercentagePath: `${R}.settings.toleratedFailurePercentage` })),
      ...(distributed && { Label: options.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40) }),
      ...(distributed && { ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: plan.bucket, Prefix: plan.keys.results } } }),
      ResultPath: `${R}.results`,
      Next: distributed ? n.summary : n.tally,
    },
  };
  if (!distributed) {
    Object.assign(states, tallyStates(n, R));
    states[n.failed] = { Type: 'Fail', Error: SWEEP_FAILED, CausePath: `${R}.error.Cause` };
  }
  states[n.summary] = then({
    Type: 'Pass',
    Parameters: distributed
      ? { name: plan.sweep.name, mode, 'mapRunArn.$': `${R}.results.MapRunArn`, 'resultWriterDetails.$': `${R}.results.ResultWriterDetails` }
      : { name: plan.sweep.name, mode, 'results.$': `${R}.results` },
    ResultPath: R,
  });
  return states;
}

/** Counting the FAILED records of an inline Map and comparing with the tolerated count. */
function tallyStates(n: ReturnType<typeof blockNames>, R: string): States {
  const failure = n.tooMany;
  return {
    [n.tally]: { Type: 'Choice', Choices: [{ Variable: `${R}.results[0]`, IsPresent: true, Next: n.count }], Default: n.summary },
    // Failed records carry their index, the others -1: the distinct values count the failures (plus one for any success).
    [n.count]: { Type: 'Pass', Parameters: { 'keys.$': `${R}.results[*].failedIndex` }, ResultPath: `${R}.tally`, Next: n.distinct },
    [n.distinct]: {
      Type: 'Pass',
      Parameters: {
        'failed.$': `States.ArrayLength(States.ArrayUnique(${R}.tally.keys))`,
        'anySucceeded.$': `States.ArrayContains(${R}.tally.keys, -1)`,
        'total.$': `States.ArrayLength(${R}.results)`,
      },
      ResultPath: `${R}.tally`,
      Next: n.anySucceeded,
    },
    [n.anySucceeded]: { Type: 'Choice', Choices: [{ Variable: `${R}.tally.anySucceeded`, BooleanEquals: true, Next: n.minusSuccesses }], Default: n.within },
    [n.minusSuccesses]: {
      Type: 'Pass',
      Parameters: { 'failed.$': `States.MathAdd(${R}.tally.failed, -1)`, 'total.$': `${R}.tally.total` },
      ResultPath: `${R}.tally`,
      Next: n.within,
    },
    [n.within]: {
      Type: 'Choice',
      Choices: [{ Variable: `${R}.tally.failed`, NumericGreaterThanPath: `${R}.settings.toleratedFailureCount`, Next: failure }],
      Default: n.summary,
    },
    [n.tooMany]: {
      Type: 'Pass',
      Parameters: {
        Error: SWEEP_FAILED,
        'Cause.$': `States.Format('{} of {} items failed; {} tolerated', ${R}.tally.failed, ${R}.tally.total, ${R}.settings.toleratedFailureCount)`,
      },
      ResultPath: `${R}.error`,
      Next: n.failed,
    },
  };
}

export const machineNames = {
  readInput: 'Read input',
  defaults: 'Default settings',
  merge: 'Merge settings',
  check: 'Check settings',
  invalid: 'Invalid input',
};

/** The sweep's own state machine: its input merged over the compiled settings, checked, then the sweep. */
export function emitSweepMachine(plan: SweepPlan, options: { mode?: SweepMode } = {}): Definition {
  const mode = options.mode ?? plan.mode;
  const name = plan.sweep.name;
  const R = '$.sweep';
  const S = `${R}.settings`;
  const m = machineNames;
  const tolerance = mode === 'inline' || 'count' in plan.tolerated ? 'toleratedFailureCount' : 'toleratedFailurePercentage';
  const invalid = (rule: State): State => ({ ...rule, Next: m.invalid });
  const states: States = {
    [m.readInput]: { Type: 'Pass', Parameters: { 'input.$': '$' }, Next: m.defaults },
    [m.defaults]: { Type: 'Pass', Result: sweepSettings(plan, mode), ResultPath: '$.defaults', Next: m.merge },
    [m.merge]: { Type: 'Pass', Parameters: { sweep: { 'settings.$': 'States.JsonMerge($.defaults, $.input, false)' } }, Next: m.check },
    [m.check]: {
      Type: 'Choice',
      Choices: [
        invalid({ Not: { Variable: `${S}.maxConcurrent`, IsNumeric: true } }),
        invalid({ Variable: `${S}.maxConcurrent`, NumericLessThan: 0 }),
        invalid({ Not: { Variable: `${S}.${tolerance}`, IsNumeric: true } }),
        invalid({ Variable: `${S}.${tolerance}`, NumericLessThan: 0 }),
        ...(mode === 'distributed' ? [invalid({ Not: { Variable: `${S}.itemsKey`, IsString: true } })] : []),
      ],
      Default: name,
    },
    [m.invalid]: {
      Type: 'Fail',
      Error: 'stepgraph.InvalidInput',
      Cause: `the input may set "maxConcurrent" (a number, 0 for no limit), "${tolerance}" (a number) and ${mode === 'inline' ? '"items" (a list of items)' : '"itemsKey" (the S3 key of a JSON list of items)'}; anything absent takes the compiled value`,
    },
    ...mapStates(plan, { name, resultPath: R, mode }),
  };
  const structure = sweepDigest(states);
  const limit = plan.maxConcurrent === 0 ? 'no concurrency limit' : `at most ${plan.maxConcurrent} at a time`;
  return {
    Comment: `stepgraph sweep ${name}: ${plan.items.length} items, ${mode} Map, ${limit} (generated from ${plan.sweep.file}; structure ${structure}; do not edit)`,
    StartAt: m.readInput,
    States: states,
  };
}

/**
 * A digest of what a run cannot change through its input: everything but the compiled settings.
 * `sweep launch` compares it with the deployed machine's Comment before passing new items.
 */
function sweepDigest(states: States): string {
  const { [machineNames.defaults]: _settings, ...rest } = states;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 12);
}

/** The digest a deployed definition's Comment names, if it is a stepgraph sweep. */
export const digestInComment = (comment: string | undefined): string | undefined => /; structure ([0-9a-f]{12});/.exec(comment ?? '')?.[1];
