import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routeMarker, routerConfig, type RouterConfig } from '../../handlers/marker-router.ts';
import { objectCreated } from './events.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const s3 = new S3Client({ region: 'eu-west-1', credentials });
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const s3Mock = mockClient(s3);
const sfnMock = mockClient(sfn);

const config: RouterConfig = {
  workflow: 'player-analytics',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
  bucket: 'acme-job-markers',
  prefix: 'done/',
  partition: 'daily',
  triggers: [['ingest_raw', 'ingest_events']],
};

/** S3 holds exactly these keys. */
function bucketHolds(...keys: string[]): void {
  s3Mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    if (keys.includes(input.Key)) return {};
    throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
  });
}

describe('marker router', () => {
  let logs: string[];
  beforeEach(() => {
    s3Mock.reset();
    sfnMock.reset();
    logs = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    vi.spyOn(console, 'warn').mockImplementation((line: string) => void logs.push(line));
  });
  afterEach(() => vi.restoreAllMocks());

  it('waits while a marker of the trigger is missing, naming it', async () => {
    // GIVEN only one of the two markers
    bucketHolds('done/ingest_raw__20190312.done');

    // WHEN its event arrives
    const outcome = await routeMarker(objectCreated(config.bucket, 'done/ingest_raw__20190312.done'), { s3, sfn, config });

    // THEN no run starts
    expect(outcome).toEqual({ outcome: 'waiting', date: '2019-03-12', missing: ['ingest_events'] });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'acme-job-markers', Key: 'done/ingest_raw__20190312.done' },
      { Bucket: 'acme-job-markers', Key: 'done/ingest_events__20190312.done' },
    ]);
  });

  it('starts <workflow>-<date> with the date as input once all markers exist', async () => {
    // GIVEN both markers
    bucketHolds('done/ingest_raw__20190312.done', 'done/ingest_events__20190312.done');
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    // WHEN the second one's event arrives
    const outcome = await routeMarker(objectCreated(config.bucket, 'done/ingest_events__20190312.done'), { s3, sfn, config });

    // THEN the run starts under its deterministic name
    expect(outcome).toMatchObject({ outcome: 'started', date: '2019-03-12', executionName: 'player-analytics-2019-03-12' });
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: config.stateMachineArn,
      name: 'player-analytics-2019-03-12',
      input: '{"date":"2019-03-12"}',
    });
  });

  it('treats ExecutionAlreadyExists as success (a duplicate event)', async () => {
    bucketHolds('done/ingest_raw__20190312.done', 'done/ingest_events__20190312.done');
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const outcome = await routeMarker(objectCreated(config.bucket, 'done/ingest_raw__20190312.done'), { s3, sfn, config });

    expect(outcome).toMatchObject({
      outcome: 'duplicate',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12',
    });
  });

  it('logs and ignores keys that are not markers of this workflow, without calling AWS', async () => {
    const keys = [
      'done/ingest_raw__2019-03-12.done',
      'done/ingest_raw.done',
      'logs/ingest_raw__20190312.done',
      'done/unrelated__20190312.done',
      'done/ingest_raw__20190230.done',
    ];
    for (const key of keys) {
      const outcome = await routeMarker(objectCreated(config.bucket, key), { s3, sfn, config });
      expect(outcome, key).toMatchObject({ outcome: 'ignored', key });
    }
    const other = await routeMarker(objectCreated('someone-elses-bucket', 'done/ingest_raw__20190312.done'), { s3, sfn, config });
    expect(other.outcome).toBe('ignored');
    expect(s3Mock.calls()).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
    expect(logs.filter((l) => JSON.parse(l).message === 'event ignored')).toHaveLength(keys.length + 1);
  });

  it('accepts URL-encoded keys', async () => {
    const prefixed = { ...config, prefix: 'dt=markers/', triggers: [['ingest_raw']] };
    bucketHolds('dt=markers/ingest_raw__20190312.done');
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    const outcome = await routeMarker(objectCreated(config.bucket, 'dt%3Dmarkers/ingest_raw__20190312.done'), { s3, sfn, config: prefixed });

    expect(outcome.outcome).toBe('started');
  });

  it('starts when any one on_markers trigger is complete', async () => {
    // GIVEN two triggers, [a, b] and [c], and only c present
    const two = { ...config, triggers: [['ingest_raw', 'ingest_events'], ['backfill']] };
    bucketHolds('done/backfill__20190312.done');
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    expect((await routeMarker(objectCreated(config.bucket, 'done/ingest_raw__20190312.done'), { s3, sfn, config: two })).outcome).toBe('waiting');
    expect((await routeMarker(objectCreated(config.bucket, 'done/backfill__20190312.done'), { s3, sfn, config: two })).outcome).toBe('started');
  });

  it('lets S3 errors other than "not found" through, so Lambda retries the event', async () => {
    s3Mock.on(HeadObjectCommand).rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }));
    await expect(routeMarker(objectCreated(config.bucket, 'done/ingest_raw__20190312.done'), { s3, sfn, config })).rejects.toThrow('Forbidden');
  });

  it('handles hourly markers', async () => {
    const hourly = { ...config, partition: 'hourly' as const, triggers: [['ingest_raw']] };
    bucketHolds('done/ingest_raw__2019031205.done');
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });

    const outcome = await routeMarker(objectCreated(config.bucket, 'done/ingest_raw__2019031205.done'), { s3, sfn, config: hourly });

    expect(outcome).toMatchObject({ outcome: 'started', executionName: 'player-analytics-2019-03-12T05' });
  });

  it('reads its configuration from the environment and names what is missing', () => {
    const env = {
      WORKFLOW: 'player-analytics',
      STATE_MACHINE_ARN: config.stateMachineArn,
      MARKER_BUCKET: 'acme-job-markers',
      MARKER_PREFIX: 'done/',
      PARTITION: 'daily',
      MARKER_TRIGGERS: '[["ingest_raw","ingest_events"]]',
    };
    expect(routerConfig(env)).toEqual(config);
    expect(() => routerConfig({ ...env, MARKER_TRIGGERS: undefined })).toThrow('environment variable MARKER_TRIGGERS is not set');
    expect(() => routerConfig({ ...env, MARKER_TRIGGERS: '{"a":1}' })).toThrow(/JSON list of marker-name lists/);
    expect(() => routerConfig({ ...env, PARTITION: 'weekly' })).toThrow(/not 'daily' or 'hourly'/);
  });
});
