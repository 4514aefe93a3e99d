// The Lambda entries as deployed: configuration from the environment, clients at module scope
// (mocked here at the class, so the entries' own clients answer).
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as activatorHandler } from '../../handlers/activate-pipeline.ts';
import { handler as routerHandler } from '../../handlers/marker-router.ts';
import { objectCreated } from './events.ts';

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const pipelines = mockClient(DataPipelineClient);

describe('Lambda entries', () => {
  beforeEach(() => {
    for (const mock of [dynamodb, s3, sfn, pipelines]) mock.reset();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('the activator names the missing WAITER_TABLE', async () => {
    vi.stubEnv('WAITER_TABLE', '');
    await expect(activatorHandler({})).rejects.toMatchObject({ name: 'ConfigurationError', message: 'environment variable WAITER_TABLE is not set' });
  });

  it('the router registers a wait in WAITER_TABLE and drops a poison event without throwing', async () => {
    vi.stubEnv('WAITER_TABLE', 'stepgraph-player-analytics-waiters');
    dynamodb.on(PutItemCommand).resolves({});
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));

    const wait = { action: 'wait', subject: { kind: 'marker', bucket: 'b', key: 'k' }, token: 't', execution: 'e', state: 's', timeoutSeconds: 60 };
    expect(await routerHandler(wait)).toMatchObject({ outcome: 'registered' });
    expect(dynamodb.commandCalls(PutItemCommand)[0].args[0].input.TableName).toBe('stepgraph-player-analytics-waiters');

    const poison = { ...objectCreated('b', 'k'), detail: { bucket: { name: 'b' }, object: { key: ['k'] } } };
    expect(await routerHandler(poison)).toMatchObject({ outcome: 'dropped' });
  });
});
