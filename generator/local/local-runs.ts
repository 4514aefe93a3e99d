// `run --local --dates FROM..TO --parallel N`: several dates' runs in real time in one process, as
// a backfill runs them in AWS. They share one local router, so one waiter table and one pool
// table (local/pools.ts): a pool's slots hold over all of them, and a run's end (success, failure
// or a stop) gives back what it holds. Dates start oldest first, at most N at once.
import type { CompiledWorkflow } from '../compile.ts';
import { runLocally, type LocalRun, type LocalRunOptions } from './local-run.ts';
import { LocalRouter } from './router.ts';
import type { RunReport } from './summary.ts';

export interface LocalRunsOptions extends Omit<LocalRunOptions, 'date' | 'executionName' | 'commands' | 'router'> {
  dates: readonly string[];
  /** At most this many runs at once (1: one date after the other). */
  parallel: number;
  /** Told of each run's commands (run-record.ts), per date. */
  commands?: (date: string) => LocalRunOptions['commands'];
}

/** How the runs used a pool: the most slots held at once, and what was still held at the end. */
interface LocalPoolUse {
  pool: string;
  slots: number;
  peak: number;
  heldAtEnd: number;
}

export interface LocalRuns {
  /** The reports of the runs that started, in date order, and how the pools were used. */
  result: Promise<{ runs: RunReport[]; notStarted: string[]; pools: LocalPoolUse[] }>;
  /** Stops every running run; dates not started yet are not started. */
  abort(): void;
}

export function runLocallyDates(compiled: Pick<CompiledWorkflow, 'workflow' | 'plan' | 'definitions'>, options: LocalRunsOptions): LocalRuns {
  const router = new LocalRouter(options.store);
  const running = new Set<LocalRun>();
  const reports = new Map<string, RunReport>();
  let stopped = false;
  let next = 0;
  const { dates, parallel, commands, ...common } = options;

  const worker = async (): Promise<void> => {
    while (!stopped && next < dates.length) {
      const date = dates[next++];
      const commandsOfDate = commands?.(date);
      const run = runLocally(compiled, { ...common, date, router, ...(commandsOfDate && { commands: commandsOfDate }) });
      running.add(run);
      try {
        reports.set(date, await run.report);
      } finally {
        running.delete(run);
      }
    }
  };

  const result = (async () => {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, dates.length)) }, worker));
    const pools: LocalPoolUse[] = [];
    for (const p of compiled.workflow.pools ?? []) {
      pools.push({ pool: p.name, slots: p.slots, peak: router.pools.peak.get(p.name) ?? 0, heldAtEnd: (await router.pools.store.holders(p.name)).length });
    }
    return { runs: dates.filter((d) => reports.has(d)).map((d) => reports.get(d)!), notStarted: dates.filter((d) => !reports.has(d)), pools };
  })();
  return {
    result,
    abort: () => {
      stopped = true;
      for (const run of running) run.abort();
    },
  };
}
