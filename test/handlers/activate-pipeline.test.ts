import { ActivatePipelineCommand, DataPipelineClient, ListPipelinesCommand, PipelineDeletedException, InternalServiceError } from '@aws-sdk/client-data-pipeline';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
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
  type ActivationDeps,
} from '../../handlers/activate-pipeline.ts';
import { route, routerDeps } from '../../handlers/router.ts';
import { parseRunDate } from '../../generator/contract/dates.ts';
import { awsWaitDeps } from '../../handlers/wait-deps.ts';
import { objectCreated } from './events.ts';
import { fakeAws, NOW, TABLE } from './wait-aws.ts';

const client = new DataPipelineClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);
const aws = fakeAws();

const BUCKET = 'acme-job-markers';
const MARKER = 'done/player_entry__20190312.done';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12';

// What the job's Task sends (generator/emit/job.ts): the activation and the Task's own wait.
const event = {
  workflow: 'player-analytics',
  job: 'player_entry',
  pipeline: 'player-entry',
  parameters: { myInput: 's3://raw/{yyyy}/{mm}/{dd}/', myDate: '{date}', myKey: '{datekey}' },
  date: '2019-03-12',
  wait: {
    action: 'wait' as const,
    subject: { kind: 'marker' as const, bucket: BUCKET, key: MARKER },
    token: 'task-token-1',
    execution: EXECUTION,
    state: 'player_entry',
    timeoutSeconds: 7200,
  },
};

function deps(directory = new PipelineDirectory(client)): ActivationDeps {
  return { client, directory, s3: aws.clients.s3, wait: awsWaitDeps(aws.clients, TABLE, { now: () => NOW }) };
}

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
    aws.reset();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it('finds the pipeline on a later page and activates it with rendered parameters', async () => {
    // Prepare
    twoPages();
    mock.on(ActivatePipelineCommand).resolves({});

    // Act
    const result = await activatePipeline(event, deps());

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
    await activatePipeline(event, deps(directory));
    await activatePipeline({ ...event, date: '2019-03-13' }, deps(directory));
    await activatePipeline({ ...event, pipeline: 'sessions' }, deps(directory));

    // Assess: one listing of two pages serves all three
    expect(mock.commandCalls(ListPipelinesCommand)).toHaveLength(2);
    expect(mock.commandCalls(ActivatePipelineCommand).map((c) => c.args[0].input.pipelineId)).toEqual(['df-2', 'df-2', 'df-1']);
  });

  it('names the pipeline and suggests a close one when none has that name', async () => {
    // Prepare
    twoPages();

    // Act
    const act = activatePipeline({ ...event, pipeline: 'player-entri' }, deps());

    // Assess: a fresh listing was tried before giving up, and the error says what to fix
    await expect(act).rejects.toThrow(PipelineNotFound);
    await expect(
      activatePipeline({ ...event, pipeline: 'player-entri' }, deps()),
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
    await expect(activatePipeline(event, deps())).rejects.toThrow(AmbiguousPipelineName);
  });

  it('re-lists once when the cached id belongs to a deleted pipeline, then reports the refusal', async () => {
    // Prepare: the cache holds df-2; the pipeline was re-created as df-3
    twoPages();
    const directory = new PipelineDirectory(client);
    mock.on(ActivatePipelineCommand).resolves({});
    await activatePipeline(event, deps(directory));
    mock.on(ListPipelinesCommand).resolves({ pipelineIdList: [{ id: 'df-3', name: 'player-entry' }] });
    mock
      .on(ActivatePipelineCommand, { pipelineId: 'df-2' })
      .rejects(new PipelineDeletedException({ message: 'Pipeline df-2 deleted', $metadata: {} }));

    // Act
    const result = await activatePipeline(event, deps(directory));

    // Assess
    expect(result.pipelineId).toBe('df-3');

    // and when the fresh id is refused as well, the error is ActivationRefused with the cause kept
    mock.on(ActivatePipelineCommand).rejects(new PipelineDeletedException({ message: 'gone', $metadata: {} }));
    const refused = await activatePipeline(event, deps(directory)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ActivationRefused);
    expect((refused as Error).cause).toBeInstanceOf(PipelineDeletedException);
  });

  it('lets retryable service errors through unchanged', async () => {
    twoPages();
    mock.on(ActivatePipelineCommand).rejects(new InternalServiceError({ message: 'try later', $metadata: {} }));
    await expect(activatePipeline(event, deps())).rejects.toBeInstanceOf(InternalServiceError);
  });

  it('renders hourly templates and refuses unknown or impossible ones', () => {
    const hourly = parseRunDate('2019-03-12T05')!;
    expect(renderTemplate('s3://raw/{yyyy}/{mm}/{dd}/{hh}/{datekey}', hourly)).toBe('s3://raw/2019/03/12/05/2019031205');
    expect(() => renderTemplate('{hh}', parseRunDate('2019-03-12')!)).toThrow(ParameterTemplateError);
    expect(() => renderTemplate('{month}', hourly)).toThrow(/unknown template '\{month\}'/);
  });

  it('rejects a malformed run date before calling AWS', async () => {
    await expect(activatePipeline({ ...event, date: '12/03/2019' }, deps())).rejects.toMatchObject({
      name: 'InvalidEventError',
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it('deletes the old marker, registers the Task, then activates: the new marker releases it', async () => {
    // GIVEN yesterday's attempt left the marker; every call is recorded in the order made
    twoPages();
    aws.objects.add(`${BUCKET}/${MARKER}`);
    const order: string[] = [];
    aws.mocks.s3.on(DeleteObjectCommand).callsFake((input) => {
      order.push(`delete ${input.Key}`);
      aws.objects.delete(`${input.Bucket}/${input.Key}`);
      return {};
    });
    aws.mocks.dynamodb.on(PutItemCommand).callsFake((input) => {
      order.push(`register ${input.Item.waiter.S}`);
      aws.table.set(`${input.Item.subject.S}\u0000${input.Item.waiter.S}`, input.Item);
      return {};
    });
    mock.on(ActivatePipelineCommand).callsFake(() => {
      order.push('activate');
      return {};
    });

    // WHEN the job's Task invokes the activator
    const result = await activatePipeline(event, deps());

    // THEN the old marker could not release it, and it waits for the pipeline's marker
    expect(order).toEqual([`delete ${MARKER}`, `register ${EXECUTION}#player_entry`, 'activate']);
    expect(result).toMatchObject({ waiter: 'registered', activated: true });
    expect(aws.released).toEqual([]);
    expect(aws.waiters()).toEqual([`s3://${BUCKET}/${MARKER} ${EXECUTION}#player_entry`]);

    // AND WHEN the pipeline writes its marker, the router releases the Task and forgets it
    aws.objects.add(`${BUCKET}/${MARKER}`);
    await route(objectCreated(BUCKET, MARKER), routerDeps({ table: TABLE }, aws.clients, { now: () => NOW }));
    expect(aws.released).toEqual(['task-token-1']);
    expect(aws.waiters()).toEqual([]);
  });

  it('throws when activation fails, and leaves no waiter behind', async () => {
    twoPages();
    mock.on(ActivatePipelineCommand).rejects(new InternalServiceError({ message: 'try later', $metadata: {} }));

    await expect(activatePipeline(event, deps())).rejects.toBeInstanceOf(InternalServiceError);
    expect(aws.waiters()).toEqual([]);
  });

  it('does not activate again when the marker appears between its deletion and the registration', async () => {
    // an earlier attempt's pipeline writes the marker right after the delete
    twoPages();
    aws.mocks.s3.on(DeleteObjectCommand).callsFake((input) => {
      aws.objects.add(`${input.Bucket}/${input.Key}`);
      return {};
    });

    const result = await activatePipeline(event, deps());

    expect(result).toMatchObject({ waiter: 'released', activated: false });
    expect(aws.released).toEqual(['task-token-1']);
    expect(mock.commandCalls(ActivatePipelineCommand)).toHaveLength(0);
  });

  it('refuses a payload without its wait, or with a wait that is not for a marker, before calling AWS', async () => {
    const { wait: _, ...noWait } = event;
    const invalid: unknown[] = [
      noWait,
      { ...event, wait: { ...event.wait, subject: { kind: 'signal', run: 'r', job: 'j' } } },
      { ...event, wait: { ...event.wait, token: 7 } },
      { ...event, parameters: { myInput: 42 } },
      { ...event, date: 20190312 },
      null,
    ];
    for (const input of invalid) await expect(activatePipeline(input, deps()), JSON.stringify(input)).rejects.toMatchObject({ name: 'InvalidEventError' });
    expect(mock.calls()).toHaveLength(0);
    expect(aws.mocks.s3.calls()).toHaveLength(0);
    expect(aws.mocks.dynamodb.calls()).toHaveLength(0);
  });

  it('touches neither the marker nor the waiters when the pipeline cannot be found', async () => {
    twoPages();
    await expect(activatePipeline({ ...event, pipeline: 'nope' }, deps())).rejects.toThrow(PipelineNotFound);
    expect(aws.mocks.s3.calls()).toHaveLength(0);
    expect(aws.mocks.dynamodb.calls()).toHaveLength(0);
  });
});
