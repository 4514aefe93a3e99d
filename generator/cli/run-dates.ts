// `stepgraph run <workflow> --local --dates FROM..TO [--parallel N]`: several dates' runs in real
// time in one process (local/local-runs.ts), sharing markers, waits and pools, at most N at once.
// Each date's commands are recorded as one run's are (run-record.ts); a stop signal stops every
// run, and each run's end gives its slots back. Prints each report, then how each pool was used.
import { constants } from 'node:os';
import type { CompiledWorkflow } from '../compile.ts';
import { parseRunDate } from '../dates.ts';
import { ExitCode } from '../errors.ts';
import type { LocalRunOptions } from '../local/local-run.ts';
import { runLocallyDates } from '../local/local-runs.ts';
import { formatReport } from '../local/report.ts';
import { claimRun, recordPath, type RunRecord } from '../local/run-record.ts';
import { colourFor, terminalWidth } from '../terminal/colour.ts';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const exitCodeOf = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 2);

export interface RunDatesArgs {
  dates: string[];
  parallel: number;
  markersRoot: string;
  killStale: boolean;
  json: boolean;
  run: Omit<LocalRunOptions, 'date' | 'executionName' | 'commands' | 'router'>;
}

export async function runDates(compiled: Pick<CompiledWorkflow, 'workflow' | 'plan' | 'definitions'>, args: RunDatesArgs): Promise<number> {
  const { workflow } = compiled;
  const output = args.run.output;
  const records = new Map<string, RunRecord>();
  try {
    for (const date of args.dates) {
      const path = recordPath(args.markersRoot, workflow.name, parseRunDate(date, workflow.partition).key);
      records.set(date, await claimRun(path, { workflow: workflow.name, date, startedAt: new Date().toISOString() }, { killStale: args.killStale, note: (line) => output.write(`${line}\n`) }));
    }
    const started = runLocallyDates(compiled, { ...args.run, dates: args.dates, parallel: args.parallel, commands: (date) => records.get(date) });
    let stoppedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stoppedBy) process.exit(exitCodeOf(signal));
      stoppedBy = signal;
      output.write(`\nstopping the runs (${signal}; ${signal === 'SIGINT' ? 'Ctrl-C' : 'the same signal'} again to quit at once)\n`);
      started.abort();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    try {
      const { runs, notStarted, pools } = await started.result;
      if (args.json) console.log(JSON.stringify({ runs, notStarted, pools }, null, 2));
      else {
        const style = { colour: colourFor(process.stdout), width: terminalWidth() };
        for (const report of runs) console.log(`\n${formatReport(report, style)}`);
        const failed = runs.filter((r) => r.status !== 'SUCCEEDED').map((r) => r.date);
        console.log(`\n${runs.length} runs, at most ${args.parallel} at once: ${runs.length - failed.length} succeeded${failed.length > 0 ? `, failed: ${failed.join(', ')}` : ''}${notStarted.length > 0 ? `; not started: ${notStarted.join(', ')}` : ''}`);
        for (const p of pools) console.log(`pool ${p.pool}: at most ${p.peak} of its ${p.slots} slots held at once, ${p.heldAtEnd} held at the end`);
      }
      if (stoppedBy) return exitCodeOf(stoppedBy);
      return runs.every((r) => r.status === 'SUCCEEDED') && notStarted.length === 0 ? ExitCode.ok : ExitCode.runFailed;
    } finally {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    }
  } finally {
    for (const record of records.values()) record.close();
  }
}
