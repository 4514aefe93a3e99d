// on_markers triggers through the router: an S3 "Object Created" event for a marker starts the
// workflow's run of that date once every marker of a trigger exists, under its deterministic name.
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TriggerConfig } from '../../handlers/marker-triggers.ts';
import { route, routerDeps, type RouterOutcome } from '../../handlers/router.ts';
import { objectCreated } from './events.ts';
import { fakeAws, NOW, TABLE } from './wait-aws.ts';
import { captureLogs, type LogLine } from './logs.ts';

const aws = fakeAws();
const config: TriggerConfig = {
  workflow: 'player-analytics',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
  bucket: 'acme-job-markers',
  prefix: 'done/',
  partition: 'daily',
  triggers: [['ingest_raw', 'ingest_events']],
};

/** The bucket holds exactly these keys. */
const bucketHolds = (...keys: string[]) => keys.forEach((k) => aws.objects.add(`${config.bucket}/${k}`));

/** Routes the event of `key` with these trigger settings; returns the on_markers part. */
async function deliver(key: string, triggers: Partial<TriggerConfig> = {}, bucket = config.bucket) {
  const deps = routerDeps({ table: TABLE, triggers: { ...config, ...triggers } }, aws.clients, { now: () => NOW });
  const outcome = (await route(objectCreated(bucket, key), deps)) as Extract<RouterOutcome, { outcome: 'object created' }>;
  expect(outcome.outcome).toBe('object created');
  return outcome.trigger!;
}

describe('marker router: on_markers triggers', () => {
  let logs: LogLine[];
  beforeEach(() => {
    aws.reset();
    logs = [];
    captureLogs(logs);
  });
  afterEach(() => vi.restoreAllMocks());

  it('waits while a marker of the trigger is missing, naming it', async () => {
    // GIVEN only one of the two markers
    bucketHolds('done/ingest_raw__20190312.done');

    // WHEN its event arrives
    const outcome = await deliver('done/ingest_raw__20190312.done');

    // THEN no run starts
    expect(outcome).toEqual({ outcome: 'waiting', date: '2019-03-12', missing: ['ingest_events'] });
    expect(aws.mocks.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(aws.mocks.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'acme-job-markers', Key: 'done/ingest_raw__20190312.done' },
      { Bucket: 'acme-job-markers', Key: 'done/ingest_events__20190312.done' },
    ]);
  });

  it('starts <workflow>-<date> with the date as input once all markers exist', async () => {
    // GIVEN both markers
    bucketHolds('done/ingest_raw__20190312.done', 'done/ingest_events__20190312.done');
    aws.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });

    // WHEN the second one's event arrives
    const outcome = await deliver('done/ingest_events__20190312.done');

    // THEN the run starts under its deterministic name
    expect(outcome).toMatchObject({ outcome: 'started', date: '2019-03-12', executionName: 'player-analytics-2019-03-12' });
    expect(aws.mocks.sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: config.stateMachineArn,
      name: 'player-analytics-2019-03-12',
      input: '{"date":"2019-03-12"}',
    });
    expect(logs.map((l) => l.message)).toContain('run started');
  });

  it('treats ExecutionAlreadyExists as success (a duplicate event)', async () => {
    bucketHolds('done/ingest_raw__20190312.done', 'done/ingest_events__20190312.done');
    aws.mocks.sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const outcome = await deliver('done/ingest_raw__20190312.done');

    expect(outcome).toMatchObject({
      outcome: 'duplicate',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12',
    });
    expect(logs.map((l) => l.message)).toContain('run already exists');
  });

  it('says "already running" when Step Functions answers the start of a run still running', async () => {
    // Step Functions answers a start with the same name and input as a running execution with
    // that execution's own start: it began ten minutes before this request
    bucketHolds('done/ingest_raw__20190312.done', 'done/ingest_events__20190312.done');
    aws.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW - 600_000) });

    const outcome = await deliver('done/ingest_raw__20190312.done');

    expect(outcome).toMatchObject({ outcome: 'duplicate' });
    expect(logs.map((l) => l.message)).toContain('run already running');
    expect(logs.map((l) => l.message)).not.toContain('run started');
  });

  it('ignores keys that are not markers of this workflow, without looking at S3 or starting anything', async () => {
    const keys = [
      'done/ingest_raw__2019-03-12.done',
      'done/ingest_raw.done',
      'logs/ingest_raw__20190312.done',
      'done/unrelated__20190312.done',
      'done/ingest_raw__20190230.done',
    ];
    for (const key of keys) expect(await deliver(key), key).toMatchObject({ outcome: 'ignored', key });
    expect((await deliver('done/ingest_raw__20190312.done', {}, 'someone-elses-bucket')).outcome).toBe('ignored');
    expect(aws.mocks.s3.calls()).toHaveLength(0);
    expect(aws.mocks.sfn.calls()).toHaveLength(0);
  });

  it('accepts URL-encoded keys', async () => {
    bucketHolds('dt=markers/ingest_raw__20190312.done');
    aws.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });

    const outcome = await deliver('dt%3Dmarkers/ingest_raw__20190312.done', { prefix: 'dt=markers/', triggers: [['ingest_raw']] });

    expect(outcome.outcome).toBe('started');
  });

  it('starts when any one on_markers trigger is complete', async () => {
    // GIVEN two triggers, [a, b] and [c], and only c present
    const two = { triggers: [['ingest_raw', 'ingest_events'], ['backfill']] };
    bucketHolds('done/backfill__20190312.done');
    aws.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });

    expect((await deliver('done/ingest_raw__20190312.done', two)).outcome).toBe('waiting');
    expect((await deliver('done/backfill__20190312.done', two)).outcome).toBe('started');
  });

  it('lets S3 errors other than "not found" through, so the event is retried', async () => {
    aws.mocks.s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }));
    await expect(deliver('done/ingest_raw__20190312.done')).rejects.toThrow('Forbidden');
  });

  it('handles hourly markers', async () => {
    bucketHolds('done/ingest_raw__2019031205.done');
    aws.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date(NOW) });

    const outcome = await deliver('done/ingest_raw__2019031205.done', { partition: 'hourly', triggers: [['ingest_raw']] });

    expect(outcome).toMatchObject({ outcome: 'started', executionName: 'player-analytics-2019-03-12T05' });
  });

  it('without on_markers triggers, only releases waiters', async () => {
    bucketHolds('done/ingest_raw__20190312.done', 'done/ingest_events__20190312.done');
    const outcome = await route(objectCreated(config.bucket, 'done/ingest_raw__20190312.done'), routerDeps({ table: TABLE }, aws.clients));

    expect(outcome).toEqual({ outcome: 'object created', bucket: config.bucket, key: 'done/ingest_raw__20190312.done', released: 0 });
    expect(aws.mocks.sfn.calls()).toHaveLength(0);
  });
});
