// Running a plan on the local engine's virtual clock (generator/local/simulate.ts) and keeping
// what the benchmark reports. A split workflow (main + child state machines) is run as
// compiled when the local engine runs child state machines; otherwise its plan is emitted as
// one state machine (same states, same nesting: only the part Tasks are missing), and the
// result says so.
import type { CompiledWorkflow } from '../generator/compile.ts';
import { emitWorkflow } from '../generator/emit/asl.ts';
import type { Workflow } from '../generator/model.ts';
import type { Plan } from '../generator/plan/plan.ts';
import { localSubstitutions } from '../generator/local/execute.ts';
import { simulate } from '../generator/local/simulate.ts';
import { pollingDefinition } from './polling-contract.ts';

export interface SimResult {
  status: string;
  makespanSeconds: number;
  criticalPathSeconds: number;
  /** makespan / critical path. */
  ratio: number;
  stateTransitions: number;
  /** Events of the run's history (all its executions together when split). */
  historyEvents: number;
  costUsd: number;
  /** Reads repeated until they found something (0 under the reactive contract). */
  polls: number;
  /** Invocations of stepgraph's router and activator. */
  lambdaInvocations: number;
  /** Jobs that ran and succeeded. */
  jobsSucceeded: number;
  /** Real time the simulation took. */
  ms: number;
  /** The plan was run as one state machine although it compiles to several. */
  unsplit: boolean;
}

/** A run date in the workflow's partition (daily or hourly). */
const dateOf = (workflow: Workflow): string => (workflow.partition === 'hourly' ? '2019-03-12T02' : '2019-03-12');

/** Whether simulate runs split workflows; learnt from the first one (all its jobs must run). */
let partsRun: boolean | undefined;

/** The same plan under the polling contract the benchmark keeps as its baseline (polling-contract.ts). */
export async function simulatePolling(workflow: Workflow, plan: Plan, durations?: ReadonlyMap<string, number>): Promise<SimResult> {
  const definition = pollingDefinition(emitWorkflow(workflow, plan), workflow, workflow.markers.bucket ?? localSubstitutions(workflow).MarkerBucket);
  return run(() => simulate({ workflow, plan, definition }, { date: dateOf(workflow), ...(durations && { durations }) }), false);
}

export async function simulatePlan(workflow: Workflow, plan: Plan, compiled?: CompiledWorkflow, durations?: ReadonlyMap<string, number>): Promise<SimResult> {
  const split = compiled !== undefined && compiled.definitions.length > 1;
  if (compiled && (!split || partsRun !== false)) {
    const result = await run(() => simulate(compiled, { date: dateOf(workflow), ...(durations && { durations }) }), false);
    if (!split || partsRun === true) return result;
    // A part Task the engine does not know succeeds at once without running its jobs.
    partsRun = result.status === 'SUCCEEDED' && result.jobsSucceeded === workflow.jobs.length;
    if (partsRun) return result;
  }
  return run(() => simulate({ workflow, plan, definition: emitWorkflow(workflow, plan) }, { date: dateOf(workflow), ...(durations && { durations }) }), split);
}

export const splitWorkflowsSimulated = (): boolean | undefined => partsRun;

async function run(go: () => ReturnType<typeof simulate>, unsplit: boolean): Promise<SimResult> {
  const started = performance.now();
  const report = await go();
  const ms = performance.now() - started;
  return {
    status: report.status,
    makespanSeconds: report.makespanSeconds,
    criticalPathSeconds: report.criticalPathSeconds,
    ratio: report.makespanSeconds / report.criticalPathSeconds,
    stateTransitions: report.stateTransitions,
    historyEvents: report.historyEvents,
    costUsd: report.costUsd,
    polls: report.polls,
    lambdaInvocations: report.lambdaInvocations,
    jobsSucceeded: report.jobs.filter((j) => j.status === 'succeeded').length,
    ms,
    unsplit,
  };
}
