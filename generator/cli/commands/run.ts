// `stepgraph run <workflow> --local`: the workflow's own definition on the embedded engine in
// real time, jobs with a `local: { command }` running that command, markers in a local store
// (a directory, or an S3-compatible endpoint). Ctrl-C stops the run and says what ran.
import { itemCount, parseOutputFlags } from '../../local/outputs.ts';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { downstreamClosure } from '../../model.ts';
import { onePositional } from '../../ops/options.ts';
import { parseRunDate } from '../../dates.ts';
import { parseParams } from '../../ops/selection.ts';
import { DEFAULT_WORKFLOWS_DIR, loadWorkflow } from '../../ops/workflows.ts';
import { DEFAULT_MARKER_DIR, DirectoryMarkerStore } from '../../local/directory-store.ts';
import { bucketsOf, runLocally } from '../../local/local-run.ts';
import { formatReport, reportJson } from '../../local/report.ts';
import { claimRun, recordPath } from '../../local/run-record.ts';
import { checkScenario } from '../../local/scenario.ts';
import { S3EndpointError, S3MarkerStore } from '../../local/s3-store.ts';
import type { MarkerStore } from '../../local/store.ts';
import { colourFor, terminalWidth } from '../../terminal/colour.ts';
import { ExitCode, UserError } from '../../errors.ts';
import { writeHtmlReport } from '../html.ts';
import { runDates } from '../run-dates.ts';
import { datesOf } from '../simulate-dates.ts';
import { parseScheduledAt } from '../../local/local-deadlines.ts';

export const usage = [
  'stepgraph run <workflow name or file> --local [--date YYYY-MM-DD[THH]] [--speed X] [--param k=v]...',
  '         [--select JOB]... [--from JOB]... [--markers DIR | --s3-endpoint URL] [--wait-external]',
  '         [--name EXECUTION] [--json] [--html FILE] [--workflows DIR] [--kill-stale]',
  '         [--output JOB.NAME=VALUE]... [--items N]   (values of declared outputs, as simulate takes them)',
  '         [--dates FROM..TO | --dates D1,D2,... [--parallel N]]   (several dates at once, sharing markers and pools)',
  '         [--scheduled-at 2019-03-12T01:00:00+01:00]   (deadlines count from it; default: the run\'s real start)',
  '',
  "A job with 'local: { command }' runs the command in a shell ({date}, {datekey}, {yyyy}, {mm}, {dd},",
  '{hh}, {job}, {execution}, {attempt} and params filled in; also STEPGRAPH_DATE, STEPGRAPH_JOB, ... and',
  'STEPGRAPH_PARAM_<NAME> in its environment); other jobs take their estimate x --speed (default 0: at once).',
  'A command hands its result back as JSON in the file STEPGRAPH_RESULT names (stdout stays for logs): the',
  "job's outputs are picked from it as from the AWS result (a Lambda's is its Payload); {inputs.JOB.NAME},",
  "and in a for_each item {item} and {index}, are filled in. --output JOB.NAME=VALUE overrides a command's value.",
  `Markers: ${DEFAULT_MARKER_DIR}/<bucket>/<key> unless --markers or --s3-endpoint say otherwise.`,
  '--speed scales retry intervals and Wait states too; a wait is released when its marker is written (by hand: noticed within 1s).',
  '--html writes the report as one self-contained page. Exit code 0 when the run succeeds, 3 when it',
  'fails, 128 + the signal when stopped (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).',
  'A run of the same workflow and date whose commands still run (stepgraph was killed with SIGKILL)',
  'is refused, naming them; --kill-stale stops them first (SIGTERM, then SIGKILL).',
].join('\n');

/** Signals that stop a local run (and its commands) cleanly. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The exit code of a run stopped by a signal (128 + its number: 130 for Ctrl-C), as shells report it. */
const exitCodeOf = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 2);

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      local: { type: 'boolean', default: false },
      date: { type: 'string' },
      speed: { type: 'string', default: '0' },
      param: { type: 'string', multiple: true, default: [] },
      output: { type: 'string', multiple: true, default: [] },
      items: { type: 'string' },
      select: { type: 'string', multiple: true },
      from: { type: 'string', multiple: true },
      markers: { type: 'string' },
      's3-endpoint': { type: 'string' },
      'wait-external': { type: 'boolean', default: false },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      workflows: { type: 'string', default: DEFAULT_WORKFLOWS_DIR },
      'kill-stale': { type: 'boolean', default: false },
      dates: { type: 'string' },
      parallel: { type: 'string' },
      'scheduled-at': { type: 'string' },
    },
  });
  if (!values.local) throw new UserError("only local runs start here: add --local (to start a run in AWS: 'stepgraph start')");
  if (values.markers && values['s3-endpoint']) throw new UserError('give --markers or --s3-endpoint, not both');
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0) throw new UserError(`--speed '${values.speed}' must be a number of 0 or more (1: estimates in real time, 0: at once)`);
  const compiled = loadWorkflow(onePositional(positionals, usage), values.workflows);
  const { workflow } = compiled;
  checkScenario(workflow, { select: [...(values.select ?? []), ...(values.from ?? [])] });
  const select = values.select || values.from ? [...new Set([...(values.select ?? []), ...(values.from ? downstreamClosure(workflow, values.from) : [])])] : undefined;
  if (values.parallel !== undefined && values.dates === undefined) throw new UserError('--parallel says how many dates of --dates run at once; it needs --dates');
  if (values.dates !== undefined && (values.date !== undefined || values.name !== undefined || values.html !== undefined)) throw new UserError('--dates runs several dates: give it without --date, --name or --html');
  const parallel = values.parallel === undefined ? 1 : Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UserError(`--parallel '${values.parallel}' must be a whole number of 1 or more`);
  const dates = values.dates === undefined ? undefined : datesOf(values.dates, workflow.partition);
  const date = values.date ?? new Date().toISOString().slice(0, workflow.partition === 'hourly' ? 13 : 10);
  const scheduledAt = values['scheduled-at'] === undefined ? undefined : parseScheduledAt(values['scheduled-at']);
  if (values['scheduled-at'] !== undefined && scheduledAt === undefined) {
    throw new UserError(`--scheduled-at '${values['scheduled-at']}' is not an instant with its offset; write e.g. 2019-03-12T01:00:00+01:00 or 2019-03-12T00:00:00Z`);
  }

  const params = parseParams(values.param);
  const store = await openStore(values['s3-endpoint'], values.markers, bucketsOf(compiled));
  const output = values.json ? process.stderr : process.stdout;
  // The commands a run starts are recorded beside the markers (with an endpoint, in the default
  // folder: the processes are local either way), so a run after a SIGKILL finds those still alive.
  const markersRoot = store instanceof DirectoryMarkerStore ? store.root : resolve(DEFAULT_MARKER_DIR);
  if (dates) {
    try {
      const outputValues = parseOutputFlags(compiled.workflow, values.output, itemCount(values.items));
      return await runDates(compiled, { dates, parallel, markersRoot, killStale: values['kill-stale'], json: values.json, run: { params, select, speed, store, waitExternal: values['wait-external'], output, outputValues, resultsFolder: join(markersRoot, '.runs') } });
    } finally {
      if (store instanceof S3MarkerStore) store.close();
    }
  }
  const record = await claimRun(
    recordPath(markersRoot, workflow.name, parseRunDate(date, workflow.partition).key),
    { workflow: workflow.name, date, startedAt: new Date().toISOString() },
    { killStale: values['kill-stale'], note: (line) => output.write(`${line}\n`) },
  );
  let started: ReturnType<typeof runLocally>;
  try {
    // Commands hand results back through files in the run's own folder beside the run records.
    const resultsFolder = join(markersRoot, '.runs');
    started = runLocally(compiled, { date, params, select, speed, store, executionName: values.name, waitExternal: values['wait-external'], output, commands: record, outputValues: parseOutputFlags(compiled.workflow, values.output, itemCount(values.items)), resultsFolder, ...(scheduledAt !== undefined && { scheduledAt }) });
  } catch (error) {
    record.close();
    throw error;
  }
  // Every catchable signal that ends a terminal session or a service stops the run the same way:
  // the running commands' process groups are stopped (SIGTERM, then SIGKILL), the report says
  // what ran. SIGKILL cannot be caught: a rerun then runs unfinished jobs again (README).
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppedBy) process.exit(exitCodeOf(signal)); // a second signal: leave at once
    stoppedBy = signal;
    output.write(`\nstopping the run (${signal}; ${signal === 'SIGINT' ? 'Ctrl-C' : 'the same signal'} again to quit at once)\n`);
    started.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const report = await started.report;
    if (values.html) writeHtmlReport(values.html, report, compiled.workflow);
    if (values.json) console.log(reportJson(report));
    else console.log(`\n${formatReport(report, { colour: colourFor(process.stdout), width: terminalWidth() })}\nmarkers: ${store.where}`);
    if (stoppedBy) return exitCodeOf(stoppedBy);
    return report.status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.runFailed;
  } finally {
    record.close();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    if (store instanceof S3MarkerStore) store.close();
  }
}

async function openStore(endpoint: string | undefined, dir: string | undefined, buckets: string[]): Promise<MarkerStore> {
  if (!endpoint) {
    const store = new DirectoryMarkerStore(dir ?? DEFAULT_MARKER_DIR);
    // Before any job runs: a --markers that is a file (or unwritable) fails now, not at the first marker.
    await mkdir(store.root, { recursive: true });
    return store;
  }
  try {
    const store = new S3MarkerStore(endpoint);
    await store.connect(buckets);
    return store;
  } catch (error) {
    if (error instanceof S3EndpointError) throw new UserError(`--s3-endpoint: ${error.message}`);
    throw error;
  }
}
