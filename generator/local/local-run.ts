// `run --local`: the workflow's own definition on the embedded engine in real time. A job with
// `local: { command }` runs that command; any other job completes after its estimate scaled by
// `speed` (0: at once). Markers go to the store given (a directory, or an S3-compatible
// endpoint). External markers absent at the start are written first, as if their producers had
// run, unless `waitExternal` (then the run waits for someone to write them).
import type { OutputValues } from './outputs.ts';
import { ownMap } from '../check/data.ts';
import type { CompiledWorkflow } from '../compile.ts';
import type { Job } from '../model.ts';
import { parseRunDate } from '../dates.ts';
import { fillTemplate, runCommand } from './command.ts';
import { localSubstitutions, startExecution } from './execute.ts';
import { type RunInput } from '../contract/run.ts';
import { statesError, type JobRunner, type JobWork } from './handlers.ts';
import { Progress, type ProgressOutput } from './progress.ts';
import { LocalRouter } from './router.ts';
import { indexStates } from './roles.ts';
import type { MarkerStore } from './store.ts';
import { summarize, type RunReport } from './summary.ts';
import { buildTimelines } from './timeline.ts';
import { waitTarget } from './wait-target.ts';
import { DEFAULT_JOB_SECONDS } from './simulate.ts';
import { waitKeys } from './wait-keys.ts';
import { MARKER_BUCKET } from '../contract/placeholders.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandData } from './command-data.ts';
import { ResultFiles } from './result-file.ts';
import { localDeadlines } from './local-deadlines.ts';

/** How often a local run looks for markers written outside it. */
const LOCAL_BACKSTOP_MS = 1000;

export interface LocalRunOptions {
  date: string;
  params?: Record<string, string>;
  select?: readonly string[];
  /** Jobs without a command take estimate x speed seconds; 0 (default): at once. Retry pauses and Wait states scale too (time-scale.ts). */
  speed?: number;
  store: MarkerStore;
  /** Default `<workflow>-<date>-local-<yyyymmddThhmmss>`: every local run is a new execution. */
  executionName?: string;
  waitExternal?: boolean;
  output: ProgressOutput;
  /** Told of each command's process group as it starts and ends (run-record.ts: found by the next run after a SIGKILL). */
  commands?: { started(job: string, pgid: number, command: string): void; ended(pgid: number): void };
  /** Values of jobs' declared outputs (--output, --items): local/outputs.ts. */
  outputValues?: OutputValues;
  /** Shared by runs of one process (local-runs.ts: `--dates`): their waiters and pools are one. */
  router?: LocalRouter;
  /** Where the run makes its own folder for its commands' result files (STEPGRAPH_RESULT); default: under the system's temporary folder. */
  resultsFolder?: string;
  /** When the run counts as started for its deadlines (epoch ms; --scheduled-at): default, when it really starts. */
  scheduledAt?: number;
}

export interface LocalRun {
  report: Promise<RunReport>;
  /** Stops the run (Ctrl-C): running commands are stopped, the report says what ran. */
  abort(): void;
}

export function runLocally(compiled: Pick<CompiledWorkflow, 'workflow' | 'plan' | 'definitions'>, options: LocalRunOptions): LocalRun {
  const { workflow, plan } = compiled;
  const date = parseRunDate(options.date, workflow.partition);
  const executionName = options.executionName ?? `${workflow.name}-${date.text}-local-${stamp(new Date())}`;
  const speed = options.speed ?? 0;
  const stopAll = new AbortController();
  const params = options.params ?? {};
  const startedAt = Date.now();
  const definition = compiled.definitions[0].definition;
  const work = new Map<string, JobWork>();
  const store = options.store;
  const targets = { workflow, bucket: localSubstitutions(workflow)[MARKER_BUCKET], datekey: date.key, executionName, locate: (b: string, k: string) => store.locate?.(b, k) ?? `s3://${b}/${k} at ${store.where}` };
  const progress = new Progress(workflow, indexStates(workflow, plan.sync, compiled.definitions.map((d) => d.definition) as never), options.output, startedAt, work, {
    waitTarget: (job, kind, what) => waitTarget(targets, job, kind, what),
    speed,
  });

  // One folder per run for its commands' result files, made when the first command starts.
  const results = new ResultFiles(options.resultsFolder ?? join(tmpdir(), 'stepgraph-results'), `${workflow.name}__${date.key}-`);
  const runner: JobRunner = {
    async run(job, attempt, limits, task) {
      // The engine retries a stopped attempt at once; after a stop nothing new starts.
      if (stopAll.signal.aborted) throw statesError('stepgraph.Aborted', 'the run was stopped');
      if (job.local) {
        // A work kind's Task: the command reads upstream outputs and its element, and may hand back a result.
        const data = task?.state !== undefined ? commandData(job, task.state) : undefined;
        const values = { ...templateValues(job, { date: date.text, datekey: date.key, workflow: workflow.name, execution: executionName, attempt: String(attempt) }, params), ...data?.values };
        const file = task?.state !== undefined ? await results.next(job.name, data?.index) : undefined;
        const command = fillTemplate(job.local.command, values);
        progress.note(`        ${job.name}${data?.index !== undefined ? ` [${data.index}]` : ''}: ${command}`);
        const commands = options.commands;
        await runCommand({
          command: job.local.command,
          values,
          env: { ...environment(values, job, params), ...data?.env, ...(file && { STEPGRAPH_RESULT: file }) },
          timeoutSeconds: limits.timeoutSeconds,
          signal: stopAll.signal,
          onLine: (line) => progress.output(job.name, line),
          ...(commands && { onGroup: { started: (pgid) => commands.started(job.name, pgid, command), ended: (pgid) => commands.ended(pgid) } }),
        });
        return file ? { file, result: await results.read(job.name, file, data?.index), ...(data?.index !== undefined && { index: data.index }) } : undefined;
      }
      await sleepUnlessStopped((job.estimateSeconds ?? DEFAULT_JOB_SECONDS) * speed * 1000, stopAll.signal);
    },
  };

  let abortExecution = (): void => stopAll.abort();
  const report = (async (): Promise<RunReport> => {
    if (!options.waitExternal) await seedExternal(compiled, options.store, date.key, progress);
    const input: RunInput = { date: date.text, ...(Object.keys(params).length > 0 && { params }), ...(options.select && { select: Object.fromEntries(options.select.map((j) => [j, true as const])) }) };
    // Markers another process writes (by hand, with --wait-external) reach no router: the backstop
    // looks for them, every second here instead of every few minutes.
    const router = options.router ?? new LocalRouter(options.store);
    const stopWatching = router.watch(LOCAL_BACKSTOP_MS);
    const execution = startExecution({
      router,
      workflow,
      definition,
      children: compiled.definitions.slice(1),
      sync: plan.sync,
      sweeps: plan.sweeps,
      input,
      executionName,
      store: options.store,
      datekey: date.key,
      runner,
      work,
      // As in simulate: the definition is the compiler's (asl-validator checks every emitted shape in
      // the tests), and the validator misreads user keys such as `toString` in params as duplicates.
      skipValidation: true,
      timeScale: speed,
      onEvent: (e) => progress.onEvent(e),
      ...(options.outputValues && { outputValues: options.outputValues }),
    });
    abortExecution = () => {
      execution.abort();
      stopAll.abort();
    };
    if (stopAll.signal.aborted) execution.abort();
    const outcome = await execution.outcome.finally(stopWatching);
    stopAll.abort(); // whatever still runs (a pipeline of a failed run) stops with the run
    progress.finish();
    // The critical path of a real run is the one of the durations the jobs really took.
    const measured = new Map(buildTimelines(workflow, outcome).map((t) => [t.name, t.startAt !== undefined && t.endAt !== undefined && t.status === 'succeeded' ? Math.round(t.endAt - t.startAt) / 1000 : 0]));
    const notes = speed === 0 && workflow.jobs.some((j) => !j.local) ? ['jobs without a local command completed at once (--speed 0)'] : [];
    const report = summarize(workflow, outcome, { mode: 'local', date: date.text, planned: measured, select: options.select ? new Set(options.select) : undefined, notes });
    return localDeadlines(workflow, report, options.scheduledAt ?? startedAt, options.select !== undefined);
  })();
  return { report, abort: () => abortExecution() };
}

/** `{name}` values of a job's command: date parts, names, the job's params, then the run's. */
function templateValues(job: Job, run: { date: string; datekey: string; workflow: string; execution: string; attempt: string }, params: Record<string, string>): Record<string, string> {
  const [day, hour] = run.date.split('T');
  const [yyyy, mm, dd] = day.split('-');
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return {
    ...Object.fromEntries(Object.entries(job.params).map(([k, v]) => [k, text(v)])),
    ...params,
    date: run.date,
    datekey: run.datekey,
    yyyy,
    mm,
    dd,
    ...(hour !== undefined && { hh: hour }),
    job: job.name,
    workflow: run.workflow,
    execution: run.execution,
    attempt: run.attempt,
  };
}

/** STEPGRAPH_DATE, STEPGRAPH_JOB, ... and each param as STEPGRAPH_PARAM_<NAME>. */
function environment(values: Record<string, string>, job: Job, params: Record<string, string>): Record<string, string> {
  const env = ownMap<string>();
  for (const name of ['date', 'datekey', 'job', 'workflow', 'execution', 'attempt']) env[`STEPGRAPH_${name.toUpperCase()}`] = values[name];
  for (const name of new Set([...Object.keys(job.params), ...Object.keys(params)])) env[`STEPGRAPH_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = values[name];
  return env;
}

async function seedExternal(compiled: Pick<CompiledWorkflow, 'workflow'>, store: MarkerStore, datekey: string, progress: Progress): Promise<void> {
  const { workflow } = compiled;
  const bucket = localSubstitutions(workflow)[MARKER_BUCKET];
  const done = new Set<string>();
  for (const [wait, key] of workflow.jobs.flatMap((j) => j.waitsFor).flatMap((w) => waitKeys(w, w.bucket ?? bucket, datekey, workflow.partition).map((k) => [w, k] as const))) {
    const b = wait.bucket ?? bucket;
    if (done.has(`${b}/${key}`)) continue;
    done.add(`${b}/${key}`);
    if ((await store.get(b, key)) !== undefined) continue;
    await store.put(b, key, JSON.stringify({ marker: wait.marker, producer: 'stepgraph run --local', writtenAt: new Date().toISOString() }));
    progress.note(`        wrote external marker ${b}/${key} (its producer is not part of this run; --wait-external waits for it instead)`);
  }
}

/** The buckets a run touches: the workflow's and those of its external markers. */
export function bucketsOf(compiled: Pick<CompiledWorkflow, 'workflow'>): string[] {
  const bucket = localSubstitutions(compiled.workflow)[MARKER_BUCKET];
  return [...new Set([bucket, ...compiled.workflow.jobs.flatMap((j) => j.waitsFor.map((w) => w.bucket ?? bucket))])].sort();
}

/** A pause that ends early, as a failure, when the run is stopped (so no timer outlives it). */
function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopped = (): Error => statesError('stepgraph.Aborted', 'the run was stopped');
    if (signal.aborted) return reject(stopped());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(stopped());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').slice(0, 15);
