// Activates an AWS Data Pipeline by name for one run date (the `data_pipeline` job kind). The
// state machine invokes this with {workflow, job, pipeline, parameters, date}; parameter values
// are templates such as "s3://raw/{yyyy}/{mm}/{dd}/" filled from the run date. The pipeline
// writes its own `.done` marker, which the state machine waits for; this only starts it.
import {
  ActivatePipelineCommand,
  DataPipelineClient,
  ListPipelinesCommand,
  type ParameterValue,
} from '@aws-sdk/client-data-pipeline';
import { didYouMean } from '../generator/check/suggest.ts';
import { HandlerError, InvalidEventError } from './errors.ts';
import { log } from './log.ts';
import { formatDate, formatDatekey, parseRunDate, type RunDate } from './run-date.ts';

export interface ActivationEvent {
  workflow: string;
  job: string;
  pipeline: string;
  /** Parameter id -> template. */
  parameters?: Record<string, string>;
  /** "2019-03-12" or "2019-03-12T05". */
  date: string;
}

export interface ActivationResult {
  pipeline: string;
  pipelineId: string;
  parameterValues: { id: string; stringValue: string }[];
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
    date: formatDate(date),
    datekey: formatDatekey(date),
  };
  return template.replace(/\{([^{}]*)\}/g, (_, field: string) => {
    const value = fields[field];
    if (value !== undefined) return value;
    throw new ParameterTemplateError(
      field === 'hh' ? `'{hh}' in '${template}' needs an hourly run date, got '${formatDate(date)}'` : `unknown template '{${field}}' in '${template}'`,
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

export async function activatePipeline(
  event: ActivationEvent,
  deps: { client: DataPipelineClient; directory: PipelineDirectory },
): Promise<ActivationResult> {
  if (typeof event?.pipeline !== 'string' || typeof event.date !== 'string') {
    throw new InvalidEventError('expected {workflow, job, pipeline, parameters, date} from the state machine');
  }
  const date = parseRunDate(event.date);
  if (!date) throw new InvalidEventError(`run date '${event.date}' is not YYYY-MM-DD or YYYY-MM-DDTHH`);
  const values = parameterValues(event.parameters ?? {}, date);
  let pipelineId = await deps.directory.idOf(event.pipeline);
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
  log.info('pipeline activated', { workflow: event.workflow, job: event.job, pipeline: event.pipeline, pipelineId, date: event.date });
  return { pipeline: event.pipeline, pipelineId, parameterValues: values.map((v) => ({ id: v.id!, stringValue: v.stringValue! })) };
}

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

export const handler = async (event: ActivationEvent): Promise<ActivationResult> => activatePipeline(event, { client, directory });
