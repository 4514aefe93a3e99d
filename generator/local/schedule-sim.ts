// `simulate <workflow> --schedule FROM..TO [--paused FROM..TO]`: the workflow's scheduled starts
// over a window, on one virtual clock. The schedule fires at its own fire times in its time zone;
// what each start does (start, skip, queue; the queue's drain at a run's end; a pause and the
// resume's catch-up) is decided by local/schedule-driver.ts with the contract's functions, as the
// deployed start handler and `schedule resume` decide it; each run that starts runs on the engine
// (its jobs take their estimates or --durations), all of them sharing markers, waiters and pools,
// as the runs of one account share them in AWS.
import type { Overlap } from '../contract/fire-times.ts';
import { instantOf } from '../contract/deadlines.ts';
import { parseRunDate as readDay } from '../contract/dates.ts';
import { parseRunDate } from '../dates.ts';
import { UserError } from '../errors.ts';
import { deadlinePlan } from '../emit/deadline-plan.ts';
import { planWorkflow } from '../plan/plan.ts';
import { withVirtualClock } from './clock.ts';
import { deadlineReport } from './deadline-report.ts';
import { startExecution, type ExecutionOutcome } from './execute.ts';
import { LocalPools } from './pools.ts';
import { LocalRouter } from './router.ts';
import { ScheduleDriver, type FireRecord, type RunRecord } from './schedule-driver.ts';
import { checkScenario } from './scenario.ts';
import { DEFAULT_JOB_SECONDS, seedExternalMarkers, simulatedRunner, type PoolUse, type SimulateOptions, type SimulationReport, type SimulationTarget } from './simulate.ts';
import { MemoryMarkerStore } from './store.ts';
import { summarize } from './summary.ts';
import { MemoryWaiterStore } from '../contract/memory-waiter-store.ts';
import type { RunInput } from '../contract/run.ts';

/** Instants (epoch ms): the window's fire times are those in [from, to]; the schedule is paused over [pause.from, pause.to). */
export interface ScheduleWindow {
  from: number;
  to: number;
  /** `outside`: resumed outside stepgraph (the AWS console): no catch-up, the start date left as it was. */
  paused?: { from: number; to: number; outside?: boolean };
}

export interface ScheduleSimulation {
  workflow: string;
  expression: string;
  timezone: string;
  overlap: Overlap;
  catchUp: boolean;
  window: ScheduleWindow;
  fires: FireRecord[];
  runs: (RunRecord & { report: SimulationReport })[];
  pools: PoolUse[];
}

export type ScheduleOptions = Omit<SimulateOptions, 'date' | 'executionName' | 'input' | 'store' | 'waiters' | 'outputValues'>;

export async function simulateSchedule(target: SimulationTarget, window: ScheduleWindow, options: ScheduleOptions = {}): Promise<ScheduleSimulation> {
  const workflow = target.workflow;
  const schedule = workflow.schedule;
  if (!schedule) throw new UserError(`workflow '${workflow.name}' has no schedule: --schedule simulates a schedule's starts; add 'schedule: { cron: "0 2 * * ? *" }' or use --dates`);
  const definition = 'definition' in target ? target.definition : target.definitions[0].definition;
  const children = 'definitions' in target ? target.definitions.slice(1) : [];
  const plan = target.plan ?? planWorkflow(workflow);
  const scenario = checkScenario(workflow, options);
  const durations = options.durations instanceof Map ? options.durations : new Map(Object.entries(options.durations ?? {}));
  const planned = new Map(workflow.jobs.map((j) => [j.name, durations.get(j.name) ?? j.estimateSeconds ?? DEFAULT_JOB_SECONDS]));
  const timezone = schedule.timezone ?? 'UTC';
  const setup = { workflow: workflow.name, partition: workflow.partition, expression: schedule.expression, timezone, overlap: schedule.overlap, catchUp: schedule.catchUp === true, since: window.from, end: window.to };
  const store = new MemoryMarkerStore();
  const appeared = new Map<string, number>();
  const outcomes = new Map<string, ExecutionOutcome>();
  let pools: LocalPools | undefined;

  const driver = await withVirtualClock(window.from, async (clock) => {
    const waiters = new MemoryWaiterStore();
    pools = new LocalPools(clock.track);
    let live = 0;
    let pending = 0;
    let finish!: (error?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => (finish = (error) => (error === undefined ? resolve() : reject(error))));
    const settled = (): void => {
      if (live === 0 && pending === 0) finish();
    };
    const driver: ScheduleDriver = new ScheduleDriver(setup, (record) => {
      live++;
      const date = parseRunDate(record.date, workflow.partition);
      const router = new LocalRouter(store, { track: clock.track, waiters, pools });
      const input: RunInput = { date: date.text, ...(options.params && { params: options.params }), ...(scenario.select && { select: Object.fromEntries([...scenario.select].map((j) => [j, true as const])) }) };
      void (async () => {
        await seedExternalMarkers(workflow, scenario, router.markers, date.key, clock.track, appeared);
        const execution = startExecution({ router, workflow, definition, children, sync: plan.sync, sweeps: plan.sweeps, input, executionName: record.run, store, datekey: date.key, runner: simulatedRunner(planned, scenario), track: clock.track, skipValidation: options.validate !== true });
        outcomes.set(record.run, await execution.outcome);
        driver.ended(record.run, Date.now());
        live--;
        settled();
      })().catch(finish);
    });
    // At one instant a fire comes before a pause or a resume: a time the pause begins at still
    // fired, one the resume ends at was missed (and is caught up by it).
    const events = driver.fireTimesIn(window.from, window.to).map((t) => ({ t, order: 0, act: () => driver.fire(t) }));
    if (window.paused) {
      const { from, to, outside } = window.paused;
      events.push({ t: from, order: 1, act: () => driver.pause(from) }, { t: to, order: 1, act: () => driver.resume(to, outside) });
    }
    events.sort((a, b) => a.t - b.t || a.order - b.order);
    pending = events.length;
    for (const e of events) {
      setTimeout(() => {
        e.act();
        pending--;
        settled();
      }, e.t - window.from);
    }
    settled();
    await done;
    return driver;
  });

  const deadlines = scenario.select ? undefined : deadlinePlan(workflow);
  const runs = driver.runs.map((record) => {
    const report = summarize(workflow, outcomes.get(record.run)!, { mode: 'simulated', date: record.date, planned, select: scenario.select, lateJobs: scenario.lateJobs, appeared, notes: [] });
    // A deadline counts from the run's own start ($$.Execution.StartTime): a queued or caught-up run's later start too.
    return { ...record, report: deadlines ? { ...report, deadlines: deadlineReport(deadlines, report, record.start) } : report };
  });
  const used: PoolUse[] = [];
  for (const p of workflow.pools ?? []) used.push({ pool: p.name, slots: p.slots, peak: pools?.peak.get(p.name) ?? 0, heldAtEnd: (await pools?.store.holders(p.name))?.length ?? 0 });
  return { workflow: workflow.name, expression: schedule.expression, timezone, overlap: schedule.overlap ?? 'allow', catchUp: schedule.catchUp === true, window, fires: driver.fires, runs, pools: used };
}

/**
 * A bound of `--schedule` or `--paused` on the schedule's clock: a date is its midnight
 * (`2019-03-01`), a date and time that minute (`2019-03-03T09:30`); an instant with its offset
 * (`2019-03-03T08:30:00Z`) is taken as it is.
 */
export function scheduleInstant(text: string, timezone: string, flag: string): number {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(text) && /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) return Date.parse(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text);
  const day = m && readDay(`${m[1]}-${m[2]}-${m[3]}`, 'daily');
  if (!m || !day || Number(m[4] ?? 0) > 23 || Number(m[5] ?? 0) > 59) {
    throw new UserError(`${flag} '${text}' is not a date (2019-03-01), a time on the schedule's clock (2019-03-01T09:30) or an instant (2019-03-01T08:30:00Z)`);
  }
  return instantOf(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), timezone);
}
