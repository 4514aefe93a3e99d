// `stepgraph backfill <workflow> --from D1 --to D2 [--max-concurrent N]`: one run per date, at most
// N at once, dates already done left alone; a progress bar on a terminal, plain lines otherwise.
import { parseArgs } from 'node:util';
import { runBackfill, type BackfillEvent, type DateResult, type Progress } from '../../ops/backfill.ts';
import { datesBefore, pastOffsets } from '../../ops/past-order.ts';
import type { RunDate } from '../../contract/dates.ts';
import { dateRange, parseRunDate } from '../../dates.ts';
import { progressBar } from '../../terminal/format.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, pause, positiveInt, requireFlag } from '../../ops/options.ts';
import { parseParams } from '../../ops/selection.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { loadWorkflow } from '../../ops/workflows.ts';
import { ExitCode } from '../../errors.ts';
import { printJson } from '../json.ts';

export const usage =
  'stepgraph backfill <workflow> --from D1 --to D2 [--max-concurrent N] [--poll SECONDS] [--param k=v]... [--rerun-failed] [--json] ' +
  AWS_USAGE +
  '\nExit code 3 when a run of the range failed.';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AWS_OPTIONS,
      from: { type: 'string' },
      to: { type: 'string' },
      'max-concurrent': { type: 'string' },
      poll: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
      'rerun-failed': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const { workflow } = loadWorkflow(onePositional(positionals, usage), values.workflows);
  const from = parseRunDate(requireFlag(values.from, '--from', '--from 2019-03-01'), workflow.partition, '--from');
  const to = parseRunDate(requireFlag(values.to, '--to', '--to 2019-03-31'), workflow.partition, '--to');
  const dates = dateRange(from, to, workflow.partition);
  const maxConcurrent = positiveInt(values['max-concurrent'], '--max-concurrent', 3);
  const pollSeconds = positiveInt(values.poll, '--poll', 30);
  const params = parseParams(values.param);
  const aws = await connectFrom(values);
  const stateMachineArn = await resolveStateMachineArn(aws, workflow.name, values['state-machine-arn']);

  const tty = Boolean(process.stdout.isTTY) && !values.json;
  // --json: the per-date results on stdout at the end; progress lines go to stderr.
  const say = values.json ? console.error : console.log;
  const offsets = pastOffsets(workflow);
  if (offsets.length > 0) say(`jobs of ${workflow.name} wait for its own earlier dates (${offsets.map((h) => (h % 24 === 0 && workflow.partition === 'daily' ? `${h / 24}d` : `${h}h`)).join(', ')}): a date starts once those dates' runs have finished`);
  say(`backfill ${workflow.name}: ${dates.length} ${workflow.partition === 'daily' ? 'days' : 'hours'}, ${from.text} to ${to.text}, at most ${maxConcurrent} at once`);
  const results = await runBackfill({
    aws,
    stateMachineArn,
    workflow: workflow.name,
    dates,
    maxConcurrent,
    pollMs: pollSeconds * 1000,
    params,
    rerunFailed: values['rerun-failed'],
    sleep: pause,
    onEvent: tty ? drawBar : (event, p) => printLine(event, p, say),
    ...(offsets.length > 0 && { dependsOn: (date: RunDate) => datesBefore(date, offsets, workflow.partition) }),
  });
  if (tty) process.stdout.write('\n');
  if (values.json) {
    printJson(results);
    return failedOf(results).length > 0 || results.some((r) => r.outcome === 'skipped: an earlier date failed') ? ExitCode.runFailed : ExitCode.ok;
  }
  return printSummary(workflow.name, results);
}

function drawBar(_event: BackfillEvent, p: Progress): void {
  process.stdout.write(`\r${progressBar(p.finished, p.total)}  ${p.running} running, ${p.failed} failed\x1b[K`);
}

function printLine(event: BackfillEvent, p: Progress, say: (text: string) => void): void {
  const at = `[${p.finished}/${p.total}]`;
  if (event.type === 'started') say(`started ${event.run.name}`);
  else say(`${at} ${event.result.name}: ${event.result.outcome}`);
}

function printSummary(workflow: string, results: readonly DateResult[]): number {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  console.log(`summary: ${[...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'nothing to do'}`);
  const failed = failedOf(results);
  for (const r of failed) console.log(`  ${r.name} ${r.outcome}: npx stepgraph status ${r.executionArn}  |  npx stepgraph redrive ${r.executionArn}`);
  const earlier = results.filter((r) => r.outcome === 'skipped: failed earlier');
  if (earlier.length > 0) {
    console.log(`  ${earlier.length} date(s) had failed before and were left alone: ${earlier.map((r) => r.date).join(', ')}`);
    console.log(`  rerun them with --rerun-failed, or one by one with npx stepgraph redrive ${workflow} --date <date>`);
  }
  const blocked = results.filter((r) => r.outcome === 'skipped: an earlier date failed');
  if (blocked.length > 0) console.log(`  ${blocked.length} date(s) not started, since an earlier date they wait for failed: ${blocked.map((r) => r.date).join(', ')}; fix that date, then backfill again`);
  return failed.length > 0 || blocked.length > 0 ? ExitCode.runFailed : ExitCode.ok;
}

const failedOf = (results: readonly DateResult[]): DateResult[] => results.filter((r) => r.outcome === 'failed' || r.outcome === 'timed out' || r.outcome === 'aborted');
