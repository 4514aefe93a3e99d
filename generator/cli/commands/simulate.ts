// `stepgraph simulate <workflow>`: the workflow's own definition on the embedded engine and a
// virtual clock; prints the timeline, critical path, lateness, transitions, history and cost.
import { parseArgs } from 'node:util';
import { downstreamClosure } from '../../model.ts';
import { onePositional } from '../../ops/options.ts';
import { parseParams } from '../../ops/selection.ts';
import { DEFAULT_WORKFLOWS_DIR, loadWorkflow } from '../../ops/workflows.ts';
import { formatReport, reportJson } from '../../local/report.ts';
import { checkScenario, parseLate } from '../../local/scenario.ts';
import { simulate } from '../../local/simulate.ts';
import { simulateDates } from '../simulate-dates.ts';
import { scheduleWindow, simulateScheduleCommand } from '../simulate-schedule.ts';
import { UserError } from '../../errors.ts';
import { readDurations } from '../../local/workflow-arg.ts';
import { isSweepFile, simulateSweepFile } from '../../sweep/simulate.ts';
import { colourFor, terminalWidth } from '../../terminal/colour.ts';
import { ExitCode } from '../../errors.ts';
import { writeHtmlReport } from '../html.ts';
import { itemCount, parseOutputFlags } from '../../local/outputs.ts';

export const usage = [
  'stepgraph simulate <workflow name or file | sweep file> [--date YYYY-MM-DD[THH] | --dates FROM..TO | --dates D1,D2,... | --schedule FROM..TO [--paused FROM..TO [--resumed-outside]]] [--durations file.yaml]',
  '         [--fail JOB | JOB[N,...]]... [--late JOB|MARKER=DURATION]... [--missing MARKER]...',
  '         [--select JOB]... [--from JOB]... [--param k=v]... [--output JOB.NAME=VALUE]... [--items N]',
  '         [--json] [--html FILE] [--workflows DIR]',
  '',
  'Jobs take their duration from --durations, else their estimate, else 1 minute. External',
  'markers are present at the start unless --late or --missing say otherwise. --html writes the',
  'report as one self-contained page (graph, timeline, critical path, lateness, retries, cost).',
  '--dates runs several dates at once, as a backfill does, sharing markers and pools.',
  '--schedule FROM..TO [--paused FROM..TO] runs the schedule\'s starts over a window (dates, or times',
  'on the schedule\'s clock): its overlap rule and, after a pause, its catch_up, as the deployed start',
  'handler and `schedule resume` apply them; it lists each fire time and what became of it.',
  '--resumed-outside: the pause ends in the AWS console instead (no catch-up).',
  '--output gives a job\'s declared output a value (read as JSON when it parses, else as text); an',
  'output left out is a list of --items elements (default 3) where a for_each job iterates over it,',
  'else the text JOB.NAME. --fail JOB[1,3] fails only those items (by index) of a for_each job.',
  'Exit code 0 when the simulated run succeeds, 3 when it fails.',
].join('\n');

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      date: { type: 'string' },
      dates: { type: 'string' },
      schedule: { type: 'string' },
      paused: { type: 'string' },
      'resumed-outside': { type: 'boolean', default: false },
      durations: { type: 'string' },
      fail: { type: 'string', multiple: true, default: [] },
      late: { type: 'string', multiple: true, default: [] },
      missing: { type: 'string', multiple: true, default: [] },
      select: { type: 'string', multiple: true },
      from: { type: 'string', multiple: true },
      param: { type: 'string', multiple: true, default: [] },
      output: { type: 'string', multiple: true, default: [] },
      items: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      workflows: { type: 'string', default: DEFAULT_WORKFLOWS_DIR },
    },
  });
  const target = onePositional(positionals, usage);
  // A sweep file runs as a sweep (generator/sweep/simulate.ts): --fail takes item indexes there.
  if (isSweepFile(target)) return simulateSweepFile(target, { json: values.json, fail: values.fail });
  const compiled = loadWorkflow(target, values.workflows);
  const { workflow } = compiled;
  const late = new Map(values.late.map(parseLate));
  // Check names before reading anything else, so a typo is the first thing reported.
  checkScenario(workflow, { fail: values.fail, late, missing: values.missing, select: [...(values.select ?? []), ...(values.from ?? [])] });
  const select = values.select || values.from ? [...new Set([...(values.select ?? []), ...(values.from ? downstreamClosure(workflow, values.from) : [])])] : undefined;
  const params = parseParams(values.param);
  if (values.paused !== undefined && values.schedule === undefined) throw new UserError('--paused goes with --schedule FROM..TO: it pauses the simulated schedule');
  if (values.schedule !== undefined) {
    if (values.date !== undefined || values.dates !== undefined) throw new UserError('give --schedule or --date/--dates, not both: the schedule chooses the dates');
    if (values.html !== undefined || values.output.length > 0) throw new UserError('--html and --output go with one run: leave them out with --schedule');
    const window = scheduleWindow(compiled, values.schedule, values.paused, values['resumed-outside']);
    const scenario = { durations: readDurations(values.durations, workflow), fail: values.fail, late, missing: values.missing, select, ...(Object.keys(params).length > 0 && { params }) };
    return simulateScheduleCommand(compiled, window, scenario, values.json);
  }
  if (values.dates !== undefined) {
    const scenario = { durations: readDurations(values.durations, workflow), fail: values.fail, late, missing: values.missing, select, ...(Object.keys(params).length > 0 && { params }), outputValues: parseOutputFlags(workflow, values.output, itemCount(values.items)) };
    return simulateDates(compiled, values.dates, values.date, scenario, values.json);
  }
  const report = await simulate(compiled, {
    date: values.date,
    durations: readDurations(values.durations, workflow),
    fail: values.fail,
    late,
    missing: values.missing,
    select,
    ...(Object.keys(params).length > 0 && { params }),
    outputValues: parseOutputFlags(workflow, values.output, itemCount(values.items)),
  });
  if (values.durations) report.notes.push(`durations from ${values.durations}`);
  if (values.html) writeHtmlReport(values.html, report, workflow);
  console.log(values.json ? reportJson(report) : formatReport(report, { colour: colourFor(process.stdout), width: terminalWidth() }));
  return report.status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.runFailed;
}
