// Activates an AWS Data Pipeline by name for one run date (the `data_pipeline` job kind). The
// job's Task is a callback (`lambda:invoke.waitForTaskToken`) of this function with
// {workflow, job, pipeline, parameters, date, wait}; parameter values are templates such as
// "s3://raw/{yyyy}/{mm}/{dd}/" filled from the run date, and `wait` is the Task's wait for the
// pipeline's own `.done` marker (generator/contract/waits.ts). In this order: the old marker is
// deleted (a marker of an earlier attempt or run must not release this one), the waiter is
// registered, the pipeline is activated. The marker the pipeline writes releases the Task
// through the router; an activation that fails throws, failing the Task for the job's Retry.
//
// The same function starts SageMaker pipeline executions (`sagemaker_pipeline` jobs): a payload
// with `kind: 'sagemaker_pipeline'` goes to start-sagemaker-pipeline.ts. A data pipeline's payload
// has no `kind` (it came first).
import {
  ActivatePipelineCommand,
  DataPipelineClient,
  ListPipelinesCommand,
  type ParameterValue,
} from '@aws-sdk/client-data-pipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseRouterRequest, registerWait, subjectId, waiterId, type RegisterOutcome, type WaitDeps, type WaitRequest } from '../generator/contract/waits.ts';
import { didYouMean } from '../generator/contract/suggest.ts';
import { HandlerError, InvalidEventError } from './errors.ts';
import { log } from './log.ts';
import { parseRunDate, type RunDate } from '../generator/contract/dates.ts';
import { startSageMakerPipeline, type PipelineStartResult } from './start-sagemaker-pipeline.ts';
import { perRegion } from './subject-probe.ts';
import { awsWaitDeps, waiterTable } from './wait-deps.ts';

/** The wait of a data pipeline's Task: for its own marker. */
export type MarkerWait = WaitRequest & { subject: { kind: 'marker' } };

export interface ActivationEvent {
  workflow: string;
  job: string;
  pipeline: string;
  /** Parameter id -> template. */
  parameters?: Record<string, string>;
  /** "2019-03-12" or "2019-03-12T05". */
  date: string;
  wait: MarkerWait;
}

export interface ActivationResult {
  pipeline: string;
  pipelineId: string;
  parameterValues: { id: string; stringValue: string }[];
  /** 'released': the marker appeared between its deletion and the registration; nothing was activated. */
  waiter: RegisterOutcome;
  activated: boolean;
}

export class PipelineNotFound extends HandlerError {}
export class AmbiguousPipelineName extends HandlerError {}
export class ActivationRefused extends HandlerError {}
export class ParameterTemplateError extends HandlerError {}

/** Fills {yyyy} {mm} {dd} {hh} {date} {datekey} from the run date. */
export function renderTemplate(template: string, date: RunDate): string {
  const fields: Record<string, string | undefined> = {
    yyyy: date.yyyy,
    mm: date.mm,
    dd: date.dd,
    hh: date.hh,
    date: date.text,
    datekey: date.key,
  };
  return template.replace(/\{([^{}]*)\}/g, (_, field: string) => {
    const value = fields[field];
    if (value !== undefined) return value;
    throw new ParameterTemplateError(
      field === 'hh' ? `'{hh}' in '${template}' needs an hourly run date, got '${date.text}'` : `unknown template '{${field}}' in '${template}'`,
    );
  });
}

export function parameterValues(parameters: Record<string, string>, date: RunDate): ParameterValue[] {
  return Object.entries(parameters)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, template]) => ({ id, stringValue: renderTemplate(template, date) }));
}

/**
 * Pipeline name -> ids, listed once per container (ListPipelines pages through every pipeline
 * of the account, which is slow with many). A name missing from the cache triggers one fresh
 * listing, so a pipeline created after the container started is still found.
 */
export class PipelineDirectory {
  private byName: Map<string, string[]> | undefined;

  constructor(private readonly client: DataPipelineClient) {}

  /** `fresh`: list again even if the cache has the name (its id went stale). */
  async idOf(name: string, fresh = false): Promise<string> {
    let ids = (await this.listing(fresh)).get(name);
    if (!ids && !fresh) ids = (await this.listing(true)).get(name);
    if (!ids) {
      const hint = didYouMean(name, this.byName!.keys());
      throw new PipelineNotFound(`no data pipeline is named '${name}' in this account and region${hint ? `; ${hint}` : ''}`);
    }
    if (ids.length > 1) {
      throw new AmbiguousPipelineName(`${ids.length} data pipelines are named '${name}' (${ids.join(', ')}); rename all but one`);
    }
    return ids[0];
  }

  private async listing(refresh: boolean): Promise<Map<string, string[]>> {
    if (this.byName && !refresh) return this.byName;
    const byName = new Map<string, string[]>();
    let marker: string | undefined;
    do {
      const page = await this.client.send(new ListPipelinesCommand({ ...(marker && { marker }) }));
      for (const p of page.pipelineIdList ?? []) {
        if (p.name && p.id) byName.set(p.name, [...(byName.get(p.name) ?? []), p.id]);
      }
      marker = page.hasMoreResults ? page.marker : undefined;
    } while (marker);
    this.byName = byName;
    return byName;
  }
}

export interface ActivationDeps {
  client: DataPipelineClient;
  directory: PipelineDirectory;
  s3: S3Client;
  wait: WaitDeps;
}

export async function activatePipeline(input: unknown, deps: ActivationDeps): Promise<ActivationResult> {
  const event = parseActivation(input);
  const date = parseRunDate(event.date);
  if (!date) throw new InvalidEventError(`run date '${event.date}' is not YYYY-MM-DD or YYYY-MM-DDTHH`);
  const values = parameterValues(event.parameters ?? {}, date);
  // Everything that can be refused without side effects is settled before the marker goes.
  let pipelineId = await deps.directory.idOf(event.pipeline);
  const fields = { workflow: event.workflow, job: event.job, pipeline: event.pipeline, pipelineId, date: event.date };
  const result = (waiter: RegisterOutcome, activated: boolean): ActivationResult => ({
    pipeline: event.pipeline,
    pipelineId,
    parameterValues: values.map((v) => ({ id: v.id!, stringValue: v.stringValue! })),
    waiter,
    activated,
  });

  const { bucket, key } = event.wait.subject;
  await deps.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  if ((await registerWait(event.wait, deps.wait)) === 'released') {
    // Only an activation of an earlier attempt, finishing just now, can have written it: its data is there.
    log.info('pipeline marker appeared before activation: released, not activated again', { ...fields, marker: `s3://${bucket}/${key}` });
    return result('released', false);
  }
  try {
    try {
      await deps.client.send(new ActivatePipelineCommand({ pipelineId, parameterValues: values }));
    } catch (error) {
      if (!GONE.includes((error as Error).name)) throw refusal(error, event.pipeline, pipelineId);
      // The cached id may belong to a pipeline deleted and re-created under the same name.
      pipelineId = await deps.directory.idOf(event.pipeline, true);
      await deps.client.send(new ActivatePipelineCommand({ pipelineId, parameterValues: values })).catch((again: unknown) => {
        throw refusal(again, event.pipeline, pipelineId);
      });
    }
  } catch (error) {
    // The Task fails with this error; its token dies with it, so its waiter is of no use.
    await deps.wait.store.delete(subjectId(event.wait.subject), waiterId(event.wait)).catch((e: unknown) => {
      log.warn('could not remove the waiter of a failed activation (its TTL will)', { ...fields, error: (e as Error).name });
    });
    throw error;
  }
  log.info('pipeline activated', { ...fields, pipelineId, marker: `s3://${bucket}/${key}` });
  return result('registered', true);
}

/** The payload the state machine sends (generator/emit/job.ts), checked field by field. */
export function parseActivation(input: unknown): ActivationEvent {
  const expected = 'expected {workflow, job, pipeline, parameters, date, wait} from the state machine';
  if (!isRecord(input)) throw new InvalidEventError(expected);
  const { workflow, job, pipeline, parameters, date } = input;
  if (typeof workflow !== 'string' || typeof job !== 'string' || typeof pipeline !== 'string' || typeof date !== 'string') {
    throw new InvalidEventError(`${expected}: workflow, job, pipeline and date must be strings`);
  }
  if (parameters !== undefined && (!isRecord(parameters) || !Object.values(parameters).every((v) => typeof v === 'string'))) {
    throw new InvalidEventError(`${expected}: parameters must map parameter ids to template strings`);
  }
  const wait = parseRouterRequest(input.wait);
  if (wait?.action !== 'wait' || wait.subject.kind !== 'marker') {
    throw new InvalidEventError(`${expected}: wait must be the Task's wait for the pipeline's marker {action: 'wait', subject: {kind: 'marker', bucket, key}, token, execution, state, timeoutSeconds}`);
  }
  return { workflow, job, pipeline, date, wait: wait as MarkerWait, ...(parameters !== undefined && { parameters: parameters as Record<string, string> }) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const GONE = ['PipelineNotFoundException', 'PipelineDeletedException'];

/**
 * Errors that retrying will not fix become ActivationRefused; throttling and internal errors
 * pass through unchanged for the job's Retry to handle.
 */
function refusal(error: unknown, pipeline: string, pipelineId: string): unknown {
  const e = error as Error;
  if (![...GONE, 'InvalidRequestException'].includes(e.name)) return error;
  return new ActivationRefused(`data pipeline '${pipeline}' (${pipelineId}) refused activation: ${e.message}`, { cause: error });
}

const client = new DataPipelineClient({});
const directory = new PipelineDirectory(client);
const s3 = new S3Client({});
const sagemaker = new SageMakerClient({});
const clients = { s3, sfn: new SFNClient({}), dynamodb: new DynamoDBClient({}), ec2For: perRegion((region) => new EC2Client({ region })), sagemaker };
let wait: WaitDeps | undefined;

/** Which kind's work a payload asks for: a `kind` field names it; none is a data pipeline. */
export async function activate(event: unknown, deps: ActivationDeps & { sagemaker: SageMakerClient }): Promise<ActivationResult | PipelineStartResult> {
  if (!isRecord(event) || !('kind' in event)) return activatePipeline(event, deps);
  if (event.kind === 'sagemaker_pipeline') return startSageMakerPipeline(event, deps);
  throw new InvalidEventError(`the activator starts data pipelines and SageMaker pipelines ('sagemaker_pipeline'), not kind ${JSON.stringify(event.kind)}`);
}

export const handler = async (event: unknown): Promise<ActivationResult | PipelineStartResult> =>
  activate(event, { client, directory, s3, sagemaker, wait: (wait ??= awsWaitDeps(clients, waiterTable(process.env))) });
