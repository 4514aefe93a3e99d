// `glue: <job>` or `glue: { job, arguments, worker_type, number_of_workers, timeout }`: runs an AWS
// Glue job to completion (startJobRun.sync) with the run's job arguments (`--key: value`, date
// templates filled in), and is done when the job run succeeds; a failed, stopped or timed-out run
// fails the job. Glue has no resource-based controls: the grant is scoped to the job's ARN.
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { duration } from '../check/options.ts';
import { report, type Problem } from '../check/values.ts';
import type { KindModule, ReadContext, State } from './kind.ts';
import { readTemplatedMap, renderTemplatedMap } from './templates.ts';
import { resultOver } from './local-result.ts';

export interface GlueKind {
  type: 'glue';
  job: string;
  /** Glue job arguments (`--key`), values with date templates. */
  arguments: Record<string, string>;
  workerType?: string;
  workers?: number;
  /** Glue's own limit for the run (StartJobRun Timeout, minutes). */
  timeoutMinutes?: number;
}

const START_SYNC = 'arn:aws:states:::glue:startJobRun.sync';
const FIELDS = ['job', 'arguments', 'worker_type', 'number_of_workers', 'timeout'];
/** Glue stops job runs after 7 days at most (StartJobRun Timeout, in minutes). */
const MAX_TIMEOUT_MINUTES = 7 * 24 * 60;
/** Standard, G.1X, G.2X, G.4X, G.8X, G.025X, Z.2X and the newer families of the same shape. */
const WORKER_TYPE = /^(?:Standard|[A-Z]\.(?:\d+|025)X)$/;

const glueJobArn = (name: string): string => `arn:\${Partition}:glue:\${Region}:\${Account}:job/${name}`;

/**
 * Glue job names are 1-255 characters of one line (the API's single-line string). The name becomes
 * part of an IAM resource, where `*` and `?` are wildcards and `${...}` a policy variable: a name
 * with them would grant more than the one job, so they are refused.
 */
function glueJobNameProblem(name: string): Problem | undefined {
  if (name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
    return { message: `'${name.slice(0, 60)}' is not a valid Glue job name`, hint: 'Glue job names are 1-255 characters on one line' };
  }
  if (/[*?$]/.test(name)) {
    return { message: `Glue job name '${name}' contains '*', '?' or '$'`, hint: "stepgraph grants access to the job's ARN, where these would match other jobs; rename the job" };
  }
  return undefined;
}

function readArguments(r: Reader, entry: Entry | undefined, ctx: ReadContext): Record<string, string> | undefined {
  const args = readTemplatedMap(r, entry, ctx, 'Glue argument');
  if (!args || !entry) return args;
  let ok = true;
  for (const item of r.entries(entry.value)) {
    if (item.key in args && !item.key.startsWith('--')) {
      r.error(item.keySpan, Codes.wrongType, `Glue argument '${item.key}' does not start with '--'`, `Glue job arguments are named '--${item.key}'; write that`);
      ok = false;
    }
  }
  return ok ? args : undefined;
}

function readOptions(r: Reader, fields: Map<string, Entry>, at: Entry): Pick<GlueKind, 'workerType' | 'workers' | 'timeoutMinutes'> | undefined {
  let ok = true;
  const typeEntry = fields.get('worker_type');
  const workerType = r.string(typeEntry);
  if (typeEntry && (workerType === undefined || !WORKER_TYPE.test(workerType))) {
    if (workerType !== undefined) r.error(typeEntry.span, Codes.badEnum, `'${workerType}' is not a Glue worker type`, 'worker types are Standard, G.1X, G.2X, G.4X, G.8X, G.025X, Z.2X, ...');
    ok = false;
  }
  const workersEntry = fields.get('number_of_workers');
  const workers = r.integer(workersEntry, 1);
  if (workersEntry && workers === undefined) ok = false;
  if (ok && (typeEntry === undefined) !== (workersEntry === undefined)) {
    const [given, missing] = typeEntry ? ['worker_type', 'number_of_workers'] : ['number_of_workers', 'worker_type'];
    r.error((typeEntry ?? workersEntry ?? at).span, Codes.missingKey, `'${given}' needs '${missing}'`, 'Glue takes the worker type and the number of workers together');
    ok = false;
  }
  const timeoutEntry = fields.get('timeout');
  const seconds = duration(r, timeoutEntry);
  let timeoutMinutes: number | undefined;
  if (timeoutEntry) {
    if (seconds === undefined) ok = false;
    else if (seconds % 60 !== 0 || seconds < 60 || seconds / 60 > MAX_TIMEOUT_MINUTES) {
      r.error(timeoutEntry.span, Codes.badDuration, `Glue's 'timeout' must be whole minutes from 1m to 7d`, "Glue counts a run's timeout in minutes: write e.g. '90m' or '2h'");
      ok = false;
    } else timeoutMinutes = seconds / 60;
  }
  return ok ? { ...(workerType !== undefined && { workerType }), ...(workers !== undefined && { workers }), ...(timeoutMinutes !== undefined && { timeoutMinutes }) } : undefined;
}

export const glue: KindModule<GlueKind> = {
  type: 'glue',
  doc: {
    spelling: 'glue: <job>` or `{ job, arguments, worker_type, number_of_workers, timeout }',
    runs: "an AWS Glue job with its `--key` arguments (date templates filled in) and, if given, the run's workers and timeout",
    done: 'when the job run succeeds (startJobRun.sync)',
  },
  schema: {
    description: "AWS Glue job run to completion (startJobRun.sync): the job's name, or the name with this run's arguments and capacity.",
    oneOf: [
      { type: 'string', minLength: 1, maxLength: 255 },
      {
        type: 'object',
        additionalProperties: false,
        required: ['job'],
        properties: {
          job: { type: 'string', minLength: 1, maxLength: 255 },
          arguments: {
            description: "Job arguments ('--key': value) with {yyyy} {mm} {dd} {hh} {date} {datekey} templates.",
            type: 'object',
            propertyNames: { pattern: '^--' },
            additionalProperties: { type: ['string', 'number'] },
          },
          worker_type: { type: 'string', examples: ['G.1X', 'G.2X', 'G.025X', 'Standard'] },
          number_of_workers: { type: 'integer', minimum: 1 },
          timeout: { description: "Glue's own timeout for the run, in whole minutes (e.g. '90m').", type: 'string' },
        },
      },
    ],
  },
  read(r, entry, ctx) {
    if (!r.isMap(entry)) {
      const name = r.string(entry);
      return name !== undefined && report(r, entry.span, Codes.badArn, glueJobNameProblem(name)) ? { type: 'glue', job: name, arguments: {} } : undefined;
    }
    const fields = r.fields(entry.value, "'glue'", FIELDS, ['job']);
    if (!fields) return undefined;
    const jobEntry = fields.get('job');
    const job = r.string(jobEntry);
    const jobOk = job !== undefined && report(r, jobEntry!.span, Codes.badArn, glueJobNameProblem(job));
    const args = readArguments(r, fields.get('arguments'), ctx);
    const options = readOptions(r, fields, entry);
    return jobOk && args && options ? { type: 'glue', job: job!, arguments: args, ...options } : undefined;
  },
  task(kind) {
    const parameters: State = {
      JobName: kind.job,
      ...(Object.keys(kind.arguments).length > 0 && { Arguments: renderTemplatedMap(kind.arguments) }),
      ...(kind.workerType !== undefined && { WorkerType: kind.workerType, NumberOfWorkers: kind.workers }),
      ...(kind.timeoutMinutes !== undefined && { Timeout: kind.timeoutMinutes }),
    };
    return { Resource: START_SYNC, Parameters: parameters };
  },
  // Step Functions' policy for glue:startJobRun.sync: start the run, watch it, stop it when the
  // Task ends early (timeout, a failed branch). Glue reports nothing through EventBridge here.
  access: (kind) => ({ grants: [{ actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'], resources: [glueJobArn(kind.job)] }] }),
  // GetJobRun's answer, as the .sync Task returns it.
  local: { mode: 'work', output: (kind) => ({ Id: 'jr_local', JobName: kind.job, JobRunState: 'SUCCEEDED', Arguments: kind.arguments }), result: resultOver },
};
