// simulate: run a compiled workflow's own definition on the embedded engine and a virtual
// clock, and report what happened. This is the public API other code uses (the CLI, ops tests,
// the benchmark):
//
//   const report = await simulate(compiled, { date: '2019-03-12', fail: ['revenue'] });
//   console.log(formatReport(report));
//
// Jobs take their duration from `durations`, else their estimate, else one minute; `fail`,
// `late` and `missing` make things go wrong; external markers not named in `late` or `missing`
// are present when the run starts. Simulations run one at a time (the clock is process-wide).
import type { OutputValues } from './outputs.ts';
import type { CompiledWorkflow } from '../compile.ts';
import type { Definition } from '../emit/asl.ts';
import { waitLabel, type Job, type Workflow } from '../model.ts';
import { parseRunDate } from '../dates.ts';
import { planWorkflow, type Plan } from '../plan/plan.ts';
import { sleep, withVirtualClock } from './clock.ts';
import { localSubstitutions, startExecution } from './execute.ts';
import { type RunInput } from '../contract/run.ts';
import { statesError, type JobRunner } from './handlers.ts';
import { LocalRouter } from './router.ts';
import type { MemoryWaiterStore } from '../contract/memory-waiter-store.ts';
import { checkScenario, type Scenario, type ScenarioInput } from './scenario.ts';
import { MemoryMarkerStore, type MarkerStore } from './store.ts';
import { summarize, type RunReport } from './summary.ts';
import { kindOf } from '../kinds/registry.ts';
import { waitKeys } from './wait-keys.ts';
import { MARKER_BUCKET } from '../contract/placeholders.ts';
import { deadlinePlan } from '../emit/deadline-plan.ts';
import { withFigures } from '../contract/job-durations.ts';
import { deadlineReport, scheduledStart } from './deadline-report.ts';
import { LocalPools } from './pools.ts';
import { MemoryWaiterStore as SharedWaiters } from '../contract/memory-waiter-store.ts';

/** What simulate returns: the report of a run on the virtual clock. */
export type SimulationReport = RunReport;

/** A compiled workflow, or a model workflow with its emitted definition (plan derived if absent). */
export type SimulationTarget = { workflow: Workflow; plan?: Plan } & ({ definitions: CompiledWorkflow['definitions'] } | { definition: Definition });

export interface SimulateOptions extends ScenarioInput {
  /** YYYY-MM-DD (hourly: YYYY-MM-DDTHH); default: the current UTC day or hour. */
  date?: string;
  params?: Record<string, unknown>;
  /** Seconds per job, overriding estimates. */
  durations?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Default: a fresh in-memory store. Pass one to share markers between runs. */
  store?: MarkerStore;
  /** Default: the run's own. Pass one to share waiters and signals between runs (the table in AWS). */
  waiters?: MemoryWaiterStore;
  /** Default `<workflow>-<date>`. */
  executionName?: string;
  /**
   * The execution's input exactly as given, instead of the one built from date, params and
   * select: to see the state machine's own input check at work.
   */
  input?: Record<string, unknown>;
  /**
   * Let the engine validate the definition first (asl-validator, some 0.3 s even for a small
   * one). Off by default: the compiler's own tests validate every definition it emits.
   */
  validate?: boolean;
  /** Values of jobs' declared outputs (--output, --items): local/outputs.ts. */
  outputValues?: OutputValues;
}

/** Jobs without an estimate or a duration take this long. */
export const DEFAULT_JOB_SECONDS = 60;

export async function simulate(target: SimulationTarget, options: SimulateOptions = {}): Promise<SimulationReport> {
  const workflow = target.workflow;
  const definition = 'definition' in target ? target.definition : target.definitions[0].definition;
  const children = 'definitions' in target ? target.definitions.slice(1) : [];
  const plan = target.plan ?? planWorkflow(workflow);
  const scenario = checkScenario(workflow, options);
  const date = parseRunDate(options.date ?? currentDate(workflow), workflow.partition);
  const durations = options.durations instanceof Map ? options.durations : new Map(Object.entries(options.durations ?? {}));
  const planned = new Map(workflow.jobs.map((j) => [j.name, durations.get(j.name) ?? j.estimateSeconds ?? DEFAULT_JOB_SECONDS]));
  const store = options.store ?? new MemoryMarkerStore();
  const input: RunInput = { date: date.text, ...(options.params && { params: options.params }), ...(scenario.select && { select: Object.fromEntries([...scenario.select].map((j) => [j, true as const])) }) };
  const executionName = options.executionName ?? `${workflow.name}-${date.text}`;

  const appeared = new Map<string, number>();
  const outcome = await withVirtualClock(date.time, async (clock) => {
    // Markers written during the run (late ones) go through the router, as S3 events would.
    const router = new LocalRouter(store, { track: clock.track, waiters: options.waiters });
    await seedExternalMarkers(workflow, scenario, router.markers, date.key, clock.track, appeared);
    const execution = startExecution({
      router,
      workflow,
      definition,
      children,
      sync: plan.sync,
      sweeps: plan.sweeps,
      input: (options.input as RunInput | undefined) ?? input,
      executionName,
      store,
      datekey: date.key,
      runner: simulatedRunner(planned, scenario),
      track: clock.track,
      skipValidation: options.validate !== true,
      ...(options.outputValues && { outputValues: options.outputValues }),
    });
    return execution.outcome;
  });
  const defaulted = workflow.jobs.filter((j) => j.estimateSeconds === undefined && !durations.has(j.name)).map((j) => j.name);
  const notes = defaulted.length > 0 ? [`no estimate, so ${DEFAULT_JOB_SECONDS / 60} minute each: ${defaulted.join(', ')}`] : [];
  const report = summarize(workflow, outcome, { mode: 'simulated', date: date.text, planned, select: scenario.select, lateJobs: scenario.lateJobs, appeared, notes });
  // A replay (a selection) is not watched: its deadlines would count from its own start.
  // The watch judges with the durations file's figures where it has them, as the deadline handler judges with those of past runs.
  const deadlines = scenario.select ? undefined : withFigures(deadlinePlan(workflow), durations, 'the durations file');
  return deadlines ? { ...report, deadlines: deadlineReport(deadlines, report, scheduledStart(workflow, date)) } : report;
}

/** How a pool was used by simulated runs together: the most slots held at once, and its size. */
export interface PoolUse {
  pool: string;
  slots: number;
  peak: number;
  /** Slots still held when every run had ended: 0, since a run's end gives back what it holds. */
  heldAtEnd: number;
}

/**
 * Several runs of the workflow at once on one virtual clock (a backfill: `simulate --dates`), all
 * started at the first date's time, sharing markers, waiters and pools as the runs of one account
 * share them in AWS. Each run is reported as `simulate` reports one; `pools` says how the pools
 * were used.
 */
export async function simulateRuns(target: SimulationTarget, dates: readonly string[], options: Omit<SimulateOptions, 'date' | 'executionName' | 'input' | 'store' | 'waiters'> = {}): Promise<{ runs: SimulationReport[]; pools: PoolUse[] }> {
  const workflow = target.workflow;
  const definition = 'definition' in target ? target.definition : target.definitions[0].definition;
  const children = 'definitions' in target ? target.definitions.slice(1) : [];
  const plan = target.plan ?? planWorkflow(workflow);
  const scenario = checkScenario(workflow, options);
  const parsed = dates.map((d) => parseRunDate(d, workflow.partition));
  const durations = options.durations instanceof Map ? options.durations : new Map(Object.entries(options.durations ?? {}));
  const planned = new Map(workflow.jobs.map((j) => [j.name, durations.get(j.name) ?? j.estimateSeconds ?? DEFAULT_JOB_SECONDS]));
  const store = new MemoryMarkerStore();
  const appeared = new Map<string, number>();
  let pools: LocalPools | undefined;
  const outcomes = await withVirtualClock(Math.min(...parsed.map((d) => d.time)), async (clock) => {
    const waiters = new SharedWaiters();
    pools = new LocalPools(clock.track);
    const started = [];
    for (const date of parsed) {
      const router = new LocalRouter(store, { track: clock.track, waiters, pools });
      await seedExternalMarkers(workflow, scenario, router.markers, date.key, clock.track, appeared);
      const input: RunInput = { date: date.text, ...(options.params && { params: options.params }), ...(scenario.select && { select: Object.fromEntries([...scenario.select].map((j) => [j, true as const])) }) };
      started.push(
        startExecution({ router, workflow, definition, children, sync: plan.sync, sweeps: plan.sweeps, input, executionName: `${workflow.name}-${date.text}`, store, datekey: date.key, runner: simulatedRunner(planned, scenario), track: clock.track, skipValidation: options.validate !== true, ...(options.outputValues && { outputValues: options.outputValues }) }).outcome,
      );
    }
    return Promise.all(started);
  });
  const runs = outcomes.map((outcome, i) => summarize(workflow, outcome, { mode: 'simulated', date: parsed[i].text, planned, select: scenario.select, lateJobs: scenario.lateJobs, appeared, notes: [] }));
  const used: PoolUse[] = [];
  for (const p of workflow.pools ?? []) used.push({ pool: p.name, slots: p.slots, peak: pools?.peak.get(p.name) ?? 0, heldAtEnd: (await pools?.store.holders(p.name))?.length ?? 0 });
  return { runs, pools: used };
}

export function simulatedRunner(planned: ReadonlyMap<string, number>, scenario: Scenario): JobRunner {
  const failure = (job: string): Error => statesError('stepgraph.SimulatedFailure', `job '${job}' failed (simulated with --fail)`);
  return {
    async run(job, _attempt, _limits, task) {
      const item = task?.item;
      await sleep((planned.get(job.name)! + (scenario.lateJobs.get(job.name) ?? 0)) * 1000);
      // A callback kind whose end does not report failure fails in its activation (refuseActivation).
      if (scenario.fail.has(job.name) && !failsInActivation(job)) throw failure(job.name);
      if (item && scenario.failItems.get(job.name)?.has(item.index)) throw statesError('stepgraph.SimulatedFailure', `item ${item.index} of job '${job.name}' failed (simulated with --fail ${job.name}[${item.index}])`);
    },
    refuseActivation: (job) => (scenario.fail.has(job.name) && failsInActivation(job) ? failure(job.name) : undefined),
    refuseSweepItem: (job) => (scenario.fail.has(job.name) ? statesError('stepgraph.SimulatedFailure', `every item of sweep job '${job.name}' fails (simulated with --fail)`) : undefined),
  };
}

function failsInActivation(job: Job): boolean {
  const local = kindOf(job.kind).local;
  return local.mode === 'activation' && local.endReportsFailure !== true;
}

/** External markers appear at the start, late (after `--late`), or never (`--missing`). */
export async function seedExternalMarkers(
  workflow: Workflow,
  scenario: Scenario,
  store: MarkerStore,
  datekey: string,
  track: <T>(w: Promise<T>) => Promise<T>,
  appeared: Map<string, number>,
): Promise<void> {
  const bucket = localSubstitutions(workflow)[MARKER_BUCKET];
  const seen = new Set<string>();
  for (const [wait, key] of workflow.jobs.flatMap((j) => j.waitsFor).flatMap((w) => waitKeys(w, w.bucket ?? bucket, datekey, workflow.partition).map((k) => [w, k] as const))) {
    const b = wait.bucket ?? bucket;
    if (seen.has(`${b}/${key}`) || scenario.missing.has(wait.marker)) continue;
    seen.add(`${b}/${key}`);
    const write = (): Promise<void> => track(store.put(b, key, JSON.stringify({ marker: wait.marker, producer: 'stepgraph simulate', writtenAt: new Date().toISOString() })));
    const late = scenario.lateMarkers.get(wait.marker);
    if (late === undefined) {
      if ((await track(store.get(b, key))) === undefined) await write();
    } else {
      setTimeout(() => {
        appeared.set(wait.marker, Date.now());
        // Reports name a wait by its label (`events (hourly)`); a dated wait's last marker lands with the others.
        appeared.set(waitLabel(wait), Date.now());
        void write();
      }, late * 1000);
    }
  }
}

function currentDate(workflow: Workflow): string {
  const iso = new Date().toISOString();
  return workflow.partition === 'hourly' ? iso.slice(0, 13) : iso.slice(0, 10);
}
