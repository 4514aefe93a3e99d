// Fitting a plan into state machines within Step Functions' limits: one definition when it
// fits, else a main machine and child machines (plan/split.ts), each measured (limits.ts).
// Also the SG4001/SG4002 diagnostics with the figures.
import type { Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import type { Workflow } from '../model.ts';
import type { Plan } from '../plan/plan.ts';
import { splitPlan, type Cost, type Split, type SplitCosts } from '../plan/split.ts';
import { emitWorkflow, jobContext, type Definition } from './asl.ts';
import type { JobContext, States } from './job.ts';
import { renderJob } from './job.ts';
import { describeFigure, deployedText, fmt, historyOfStates, level, LIMITS, measureDefinition, requestBytes, utf8Bytes, WARN_FRACTION, type HistoryOptions, type Measurement } from './limits.ts';
import { partMachineName } from '../contract/run-names.ts';
import { childStart, partId, renderPartTask } from './parts.ts';

interface FittedDefinition {
  /** 'main' or 'part-<n>'. */
  id: string;
  /** The state machine's name. */
  name: string;
  /** Read back from `deployed` each time it is read (see measure() in fitWorkflow). */
  readonly definition: Definition;
  /** The compact JSON that is measured (and should be deployed). */
  deployed: string;
  measurement: Measurement;
}

export interface Fitted {
  definitions: FittedDefinition[];
  /** Set when the plan was split into child state machines. */
  split?: Split;
  /** Worst-case state data: a replay that selects every job (params not counted). */
  payloadBytes: number;
  diagnostics: Diagnostic[];
}

/** Parts are packed to this fraction of each limit, below the warning threshold. */
const PACK_FRACTION = 0.75;

export function fitWorkflow(workflow: Workflow, plan: Plan): Fitted {
  const ctx = jobContext(workflow, plan);
  const history = historyOptions(workflow);
  const payloadBytes = worstCasePayload(workflow);
  // Only the compact text of a definition is kept: a split graph of 100,000 jobs has hundreds
  // of definitions, and their object trees would outweigh their text. JSON of plain data reads
  // back to the same object, so the object is rebuilt when one is wanted.
  const measure = (id: string, name: string, definition: Definition): FittedDefinition => {
    const deployed = deployedText(definition);
    const measurement = measureDefinition(definition, history, deployed);
    return {
      id,
      name,
      get definition(): Definition {
        return JSON.parse(deployed) as Definition;
      },
      deployed,
      measurement,
    };
  };
  const fits = (m: Measurement, fraction: number): boolean => m.requestBytes <= fraction * LIMITS.definitionBytes && m.historyEvents <= fraction * LIMITS.historyEvents;

  // Per-job costs show early when a graph cannot fit, without emitting it whole first.
  const costs = splitCosts(workflow, plan, ctx, history);
  const estimate = workflow.jobs.reduce((c, j) => addCost(c, costs.job(j.name)), costs.overhead);
  let whole: FittedDefinition | undefined;
  if (estimate.bytes <= LIMITS.definitionBytes && estimate.events <= LIMITS.historyEvents) {
    whole = measure('main', workflow.name, emitWorkflow(workflow, plan, undefined, ctx));
    if (fits(whole.measurement, 1)) return done([whole]);
  }

  // Too big: split, and tighten the packing while estimates leave a definition near a limit.
  let fraction = PACK_FRACTION;
  let best: { defs: FittedDefinition[]; split: Split } | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const split = splitPlan(plan.root, costs, { bytes: fraction * LIMITS.definitionBytes, events: fraction * LIMITS.historyEvents });
    if (split.parts.length === 0) break;
    const defs = [
      measure('main', workflow.name, emitWorkflow(workflow, plan, { root: split.root, parts: split.parts }, ctx)),
      ...split.parts.map((part) => measure(partId(part.n), partMachineName(workflow.name, part.n), emitWorkflow(workflow, plan, { root: part.root, parts: split.parts, child: part }, ctx))),
    ];
    best = { defs, split };
    if (defs.every((d) => fits(d.measurement, WARN_FRACTION))) break;
    fraction *= 0.85;
  }
  if (!best) return done([whole ?? measure('main', workflow.name, emitWorkflow(workflow, plan, undefined, ctx))]);
  return done(best.defs, best.split);

  function done(definitions: FittedDefinition[], split?: Split): Fitted {
    return { definitions, ...(split && { split }), payloadBytes, diagnostics: limitDiagnostics(workflow, definitions, payloadBytes) };
  }
}

const addCost = (a: Cost, b: Cost): Cost => ({ bytes: a.bytes + b.bytes, events: a.events + b.events });

/** What the history estimate needs to know of the workflow: how many items each sweep job's Map runs. */
export function historyOptions(workflow: Workflow): HistoryOptions {
  // A sweep job's Map state is named after the job and iterates over the sweep's items.
  const sweepItems = new Map(workflow.jobs.flatMap((j) => (j.kind.type === 'sweep' ? [[j.name, j.kind.sweep.items.length] as const] : [])));
  // A for_each job's Map (also named after the job) at its declared bound, when it has one.
  for (const j of workflow.jobs) if (j.forEach?.maxItems !== undefined) sweepItems.set(j.name, j.forEach.maxItems);
  return { mapItems: (state: string): number | undefined => sweepItems.get(state) };
}

/** Costs of the blocks of this workflow's plan, measured on their rendered states (in request bytes). */
function splitCosts(workflow: Workflow, plan: Plan, ctx: JobContext, history: HistoryOptions): SplitCosts {
  // A typical successor name stands in for the real one (unknown until the blocks are placed).
  const NEXT = 'x'.repeat(40);
  const measureStates = (states: States, start: string): Cost => ({
    bytes: requestBytes(JSON.stringify(states)) - requestBytes('{}'),
    events: historyOfStates(start, states, history),
  });
  const jobCosts = new Map<string, Cost>();
  for (const job of workflow.jobs) {
    // Without a prototype, so V8 keeps it as a dictionary from the start: a plain {} would make a
    // hidden class for each of the 600,000 distinct state names of a 100,000-job graph.
    const states: States = Object.create(null) as States;
    const start = renderJob(job, NEXT, ctx, states);
    jobCosts.set(job.name, measureStates(states, start));
  }
  const partStates: States = {};
  const task = renderPartTask(workflow.name, { n: 999, root: { kind: 'job', job: NEXT }, firstJob: NEXT, jobs: 999 }, NEXT, partStates);
  const prologue = emitWorkflow(workflow, { root: { kind: 'job', job: workflow.jobs[0].name }, sync: [], sweeps: plan.sweeps }, undefined, { ...ctx, inRunWaits: new Map(), signalled: new Set() });
  const oneJob = jobCosts.get(workflow.jobs[0].name)!;
  const main = measureDefinition(prologue, history);
  return {
    job: (name) => jobCosts.get(name)!,
    // `"<name>":{"Type":"Parallel","Branches":[...],"ResultPath":null,"Next":"<name>"}`, each branch `{"StartAt":"<name>","States":{...}}`.
    parallel: (branches) => ({ bytes: 200 + 70 * branches, events: 4 }),
    partTask: measureStates(partStates, task),
    overhead: {
      bytes: Math.max(main.requestBytes - oneJob.bytes, requestBytes(JSON.stringify(childStart(NEXT))) + 300),
      events: Math.max(main.historyEvents - oneJob.events, 4),
    },
  };
}

/**
 * The largest state data a run carries: its input with a replay selection of every job, the
 * run's datekey and execution name, the last job's start time and an error. User params are
 * not counted (they are only known at run time).
 */
function worstCasePayload(workflow: Workflow): number {
  const state = {
    date: '2019-03-12T05',
    params: {},
    select: {},
    run: { datekey: '2019031205', execution: 'x'.repeat(80) },
    job: { startedAt: '2019-03-12T05:00:00.000Z' },
  };
  // The selection is counted rather than built: an object of 100,000 names only to measure it
  // costs a second. Each entry is `"<name>":true`, with a comma between entries.
  const select = workflow.jobs.reduce((bytes, j) => bytes + utf8Bytes(JSON.stringify(j.name)) + ':true'.length, Math.max(0, workflow.jobs.length - 1));
  return utf8Bytes(JSON.stringify(state)) + select;
}

/** SG4001 when a figure is within 20% of its limit (or past it, for estimates); SG4002 when a definition cannot be deployed. */
function limitDiagnostics(workflow: Workflow, definitions: readonly FittedDefinition[], payloadBytes: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = { file: workflow.file, start: 0, end: 0 };
  const split = definitions.length > 1 ? ` (split into ${definitions.length} state machines)` : '';
  for (const d of definitions) {
    const which = `state machine '${d.name}'${split}`;
    const { definitionBytes, requestBytes: bytes } = d.measurement;
    // Formatted only when reported: the first number formatted loads the locale data (about 0.1 s of a validate).
    const size = (): string => `${describeFigure('definitionBytes', bytes)} in the request that creates it (the definition itself: ${fmt(definitionBytes)} bytes)`;
    const bytesLevel = level('definitionBytes', bytes);
    if (bytesLevel === 'over') {
      out.push({ ...at, severity: 'error', code: Codes.overLimit, message: `${which} is ${size()} and cannot be split further`, hint: "a single job's states are this large: shorten its parameters" });
    } else if (bytesLevel === 'near') {
      out.push({ ...at, severity: 'warning', code: Codes.nearLimit, message: `${which} is ${size()}`, hint: 'past the limit the compiler splits the workflow into child state machines; nothing to do unless that is unwanted' });
    }
    const events = d.measurement.historyEvents;
    const eventsLevel = level('historyEvents', events);
    if (eventsLevel !== 'ok') {
      out.push({
        ...at,
        severity: 'warning',
        code: Codes.nearLimit,
        message: `one execution of ${which} can record ${describeFigure('historyEvents', events)} in the worst case${eventsLevel === 'over' ? '; past the limit Step Functions fails the execution' : ''}`,
        hint: 'counted with every job retried to its last attempt and every marker wait polling until its deadline: longer poll intervals or shorter wait timeouts lower it',
      });
    }
  }
  if (level('payloadBytes', payloadBytes) !== 'ok') {
    out.push({
      ...at,
      severity: 'warning',
      code: Codes.nearLimit,
      message: `the state data of a replay that selects every job is ${describeFigure('payloadBytes', payloadBytes)}, before any params`,
      hint: 'replay fewer jobs at a time (a run without a selection runs them all), or use shorter job names',
    });
  }
  return out;
}
