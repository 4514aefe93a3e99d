// `stepgraph simulate <workflow> --dates FROM..TO` (or `--dates D1,D2`): several runs at once on
// one virtual clock, as a backfill starts them, sharing markers and pools (local/simulate.ts:
// simulateRuns). Prints each run's report, then how each pool was used.
import type { CompiledWorkflow } from '../compile.ts';
import type { Partition } from '../contract/dates.ts';
import { dateRange, parseRunDate } from '../dates.ts';
import { ExitCode, UserError } from '../errors.ts';
import { formatReport } from '../local/report.ts';
import { simulateRuns, type SimulateOptions } from '../local/simulate.ts';
import { colourFor, terminalWidth } from '../terminal/colour.ts';

/** `--dates FROM..TO` or `--dates D1,D2,...` (simulate and `run --local`): each date once, as written. */
export function datesOf(text: string, partition: Partition): string[] {
  const range = /^(.+)\.\.(.+)$/.exec(text);
  const dates = range
    ? dateRange(parseRunDate(range[1], partition, '--dates'), parseRunDate(range[2], partition, '--dates'), partition, MAX_RUNS).map((d) => d.text)
    : text.split(',').map((d) => parseRunDate(d.trim(), partition, '--dates').text);
  if (new Set(dates).size !== dates.length) throw new UserError(`--dates names a date twice: each date is one run`);
  return dates;
}

/** Runs of one `--dates`: more would be a backfill to split. */
const MAX_RUNS = 366;

export async function simulateDates(compiled: CompiledWorkflow, text: string, date: string | undefined, options: Omit<SimulateOptions, 'date'>, json: boolean): Promise<number> {
  if (date !== undefined) throw new UserError('give --date or --dates, not both');
  const dates = datesOf(text, compiled.workflow.partition);
  const { runs, pools } = await simulateRuns(compiled, dates, options);
  if (json) console.log(JSON.stringify({ runs, pools }, null, 2));
  else {
    const style = { colour: colourFor(process.stdout), width: terminalWidth() };
    for (const report of runs) console.log(`${formatReport(report, style)}\n`);
    const failed = runs.filter((r) => r.status !== 'SUCCEEDED').map((r) => r.date);
    console.log(`${runs.length} runs at once: ${runs.length - failed.length} succeeded${failed.length > 0 ? `, failed: ${failed.join(', ')}` : ''}`);
    for (const p of pools) console.log(`pool ${p.pool}: at most ${p.peak} of its ${p.slots} slots held at once`);
  }
  return runs.every((r) => r.status === 'SUCCEEDED') ? ExitCode.ok : ExitCode.runFailed;
}
