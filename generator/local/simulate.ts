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
import type { Job, Workflow } from '../model.ts';
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
import { markerKey } from '../contract/markers.ts';
import { MARKER_BUCKET } from '../contract/placeholders.ts';

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
  return summarize(workflow, outcome, { mode: 'simulated', date: date.text, planned, select: scenario.select, lateJobs: scenario.lateJobs, appeared, notes });
}

function simulatedRunner(planned: ReadonlyMap<string, number>, scenario: Scenario): JobRunner {
  const failure = (job: string): Error => statesError('stepgraph.SimulatedFailure', `job '${job}' failed (simulated with --fail)`);
  return {
    async run(job) {
      await sleep((planned.get(job.name)! + (scenario.lateJobs.get(job.name) ?? 0)) * 1000);
      // A callback kind whose end does not report failure fails in its activation (refuseActivation).
      if (scenario.fail.has(job.name) && !failsInActivation(job)) throw failure(job.name);
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
async function seedExternalMarkers(
  workflow: Workflow,
  scenario: Scenario,
  store: MarkerStore,
  datekey: string,
  track: <T>(w: Promise<T>) => Promise<T>,
  appeared: Map<string, number>,
): Promise<void> {
  const bucket = localSubstitutions(workflow)[MARKER_BUCKET];
  const seen = new Set<string>();
  for (const wait of workflow.jobs.flatMap((j) => j.waitsFor)) {
    const b = wait.bucket ?? bucket;
    const key = markerKey(wait.prefix, wait.marker, datekey);
    if (seen.has(`${b}/${key}`) || scenario.missing.has(wait.marker)) continue;
    seen.add(`${b}/${key}`);
    const write = (): Promise<void> => track(store.put(b, key, JSON.stringify({ marker: wait.marker, producer: 'stepgraph simulate', writtenAt: new Date().toISOString() })));
    const late = scenario.lateMarkers.get(wait.marker);
    if (late === undefined) {
      if ((await track(store.get(b, key))) === undefined) await write();
    } else {
      setTimeout(() => {
        appeared.set(wait.marker, Date.now());
        void write();
      }, late * 1000);
    }
  }
}

function currentDate(workflow: Workflow): string {
  const iso = new Date().toISOString();
  return workflow.partition === 'hourly' ? iso.slice(0, 13) : iso.slice(0, 10);
}
