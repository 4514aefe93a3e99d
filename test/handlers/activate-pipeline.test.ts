import { ActivatePipelineCommand, DataPipelineClient, ListPipelinesCommand, PipelineDeletedException, InternalServiceError } from '@aws-sdk/client-data-pipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  activatePipeline,
  ActivationRefused,
  AmbiguousPipelineName,
  ParameterTemplateError,
  PipelineDirectory,
  PipelineNotFound,
  renderTemplate,
} from '../../handlers/activate-pipeline.ts';
import { parseRunDate } from '../../handlers/run-date.ts';

const client = new DataPipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);

const event = {
  workflow: 'player-analytics',
  job: 'player_entry',
  pipeline: 'player-entry',
  parameters: { myInput: 's3://raw/{yyyy}/{mm}/{dd}/', myDate: '{date}', myKey: '{datekey}' },
  date: '2019-03-12',
};

function twoPages(): void {
  mock
    .on(ListPipelinesCommand, {})
    .resolves({ pipelineIdList: [{ id: 'df-1', name: 'sessions' }], hasMoreResults: true, marker: 'page2' })
    .on(ListPipelinesCommand, { marker: 'page2' })
    .resolves({ pipelineIdList: [{ id: 'df-2', name: 'player-entry' }], hasMoreResults: false });
}

describe('data pipeline activation', () => {
  beforeEach(() => {
    mock.reset();
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it('finds the pipeline on a later page and activates it with rendered parameters', async () => {
    // Prepare
    twoPages();
    mock.on(ActivatePipelineCommand).resolves({});

    // Act
    const result = await activatePipeline(event, { client, directory: new PipelineDirectory(client) });

    // Assess
    expect(mock.commandCalls(ListPipelinesCommand).map((c) => c.args[0].input)).toEqual([{}, { marker: 'page2' }]);
    expect(mock.commandCalls(ActivatePipelineCommand)[0].args[0].input).toEqual({
      pipelineId: 'df-2',
      parameterValues: [
        { id: 'myDate', stringValue: '2019-03-12' },
        { id: 'myInput', stringValue: 's3://raw/2019/03/12/' },
        { id: 'myKey', stringValue: '20190312' },
      ],
    });
    expect(result.pipelineId).toBe('df-2');
  });

  it('lists pipelines once per container, and again only for a name it has not seen', async () => {
    // Prepare
    twoPages();
    mock.on(ActivatePipelineCommand).resolves({});
    const directory = new PipelineDirectory(client);

    // Act
    await activatePipeline(event, { client, directory });
    await activatePipeline({ ...event, date: '2019-03-13' }, { client, directory });
    await activatePipeline({ ...event, pipeline: 'sessions' }, { client, directory });

    // Assess: one listing of two pages serves all three
    expect(mock.commandCalls(ListPipelinesCommand)).toHaveLength(2);
    expect(mock.commandCalls(ActivatePipelineCommand).map((c) => c.args[0].input.pipelineId)).toEqual(['df-2', 'df-2', 'df-1']);
  });

  it('names the pipeline and suggests a close one when none has that name', async () => {
    // Prepare
    twoPages();

    // Act
    const act = activatePipeline({ ...event, pipeline: 'player-entri' }, { client, directory: new PipelineDirectory(client) });

    // Assess: a fresh listing was tried before giving up, and the error says what to fix
    await expect(act).rejects.toThrow(PipelineNotFound);
    await expect(
      activatePipeline({ ...event, pipeline: 'player-entri' }, { client, directory: new PipelineDirectory(client) }),
    ).rejects.toMatchObject({ name: 'PipelineNotFound', message: expect.stringContaining("did you mean 'player-entry'?") });
    expect(mock.commandCalls(ActivatePipelineCommand)).toHaveLength(0);
  });

  it('refuses a name that several pipelines share', async () => {
    mock.on(ListPipelinesCommand).resolves({
      pipelineIdList: [
        { id: 'df-1', name: 'player-entry' },
        { id: 'df-9', name: 'player-entry' },
      ],
    });
    await expect(activatePipeline(event, { client, directory: new PipelineDirectory(client) })).rejects.toThrow(AmbiguousPipelineName);
  });

  it('re-lists once when the cached id belongs to a deleted pipeline, then reports the refusal', async () => {
    // Prepare: the cache holds df-2; the pipeline was re-created as df-3
    twoPages();
    const directory = new PipelineDirectory(client);
    mock.on(ActivatePipelineCommand).resolves({});
    await activatePipeline(event, { client, directory });
    mock.on(ListPipelinesCommand).resolves({ pipelineIdList: [{ id: 'df-3', name: 'player-entry' }] });
    mock
      .on(ActivatePipelineCommand, { pipelineId: 'df-2' })
      .rejects(new PipelineDeletedException({ message: 'Pipeline df-2 deleted', $metadata: {} }));

    // Act
    const result = await activatePipeline(event, { client, directory });

    // Assess
    expect(result.pipelineId).toBe('df-3');

    // and when the fresh id is refused as well, the error is ActivationRefused with the cause kept
    mock.on(ActivatePipelineCommand).rejects(new PipelineDeletedException({ message: 'gone', $metadata: {} }));
    const refused = await activatePipeline(event, { client, directory }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ActivationRefused);
    expect((refused as Error).cause).toBeInstanceOf(PipelineDeletedException);
  });

  it('lets retryable service errors through unchanged', async () => {
    twoPages();
    mock.on(ActivatePipelineCommand).rejects(new InternalServiceError({ message: 'try later', $metadata: {} }));
    await expect(activatePipeline(event, { client, directory: new PipelineDirectory(client) })).rejects.toBeInstanceOf(InternalServiceError);
  });

  it('renders hourly templates and refuses unknown or impossible ones', () => {
    const hourly = parseRunDate('2019-03-12T05')!;
    expect(renderTemplate('s3://raw/{yyyy}/{mm}/{dd}/{hh}/{datekey}', hourly)).toBe('s3://raw/2019/03/12/05/2019031205');
    expect(() => renderTemplate('{hh}', parseRunDate('2019-03-12')!)).toThrow(ParameterTemplateError);
    expect(() => renderTemplate('{month}', hourly)).toThrow(/unknown template '\{month\}'/);
  });

  it('rejects a malformed run date before calling AWS', async () => {
    await expect(activatePipeline({ ...event, date: '12/03/2019' }, { client, directory: new PipelineDirectory(client) })).rejects.toMatchObject({
      name: 'InvalidEventError',
    });
    expect(mock.calls()).toHaveLength(0);
  });
});
