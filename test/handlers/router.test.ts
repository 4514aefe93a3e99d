// The router against mocked AWS: waits registered in DynamoDB, released by S3 and EC2 events,
// signals and the backstop; poison events logged and dropped.
import { DeleteItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNServiceException } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REDRIVE_WINDOW_SECONDS, WAITER_GRACE_SECONDS, type WaitRequest, type WaitSubject } from '../../generator/contract/waits.ts';
import { route, routerConfig, routerDeps, type RouterDeps } from '../../handlers/router.ts';
import { instanceStateChange, objectCreated } from './events.ts';
import { fakeAws, NOW, TABLE } from './wait-aws.ts';
import { captureLogs, type LogLine } from './logs.ts';

const aws = fakeAws();
const BUCKET = 'acme-job-markers';
const KEY = 'done/payments__20190312.done';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12';
const marker = (key = KEY, bucket = BUCKET): WaitSubject => ({ kind: 'marker', bucket, key });

let n = 0;
function waitFor(subject: WaitSubject, state = `bi_import waits for ${++n}`, timeoutSeconds = 3600): WaitRequest {
  return { action: 'wait', subject, token: `token-${state}`, execution: EXECUTION, state, timeoutSeconds };
}

let deps: RouterDeps;
let logs: LogLine[];

beforeEach(() => {
  aws.reset();
  deps = routerDeps({ table: TABLE }, aws.clients, { now: () => NOW, notFound: { notFoundRetriesMs: [5, 5], sleep: async () => {} } });
  logs = [];
  captureLogs(logs);
});
afterEach(() => vi.restoreAllMocks());

describe('router: waits', () => {
  it('registers a waiter whose marker does not exist yet, with its deadline and TTL', async () => {
    // WHEN a wait arrives for a missing marker
    const outcome = await route(waitFor(marker(), 'bi_import waits for payments', 10_800), deps);

    // THEN one item holds its token until its deadline plus grace, and nothing is released
    expect(outcome).toEqual({ outcome: 'registered', subject: `s3://${BUCKET}/${KEY}`, waiter: `${EXECUTION}#bi_import waits for payments` });
    expect(aws.mocks.dynamodb.commandCalls(PutItemCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        subject: { S: `s3://${BUCKET}/${KEY}` },
        waiter: { S: `${EXECUTION}#bi_import waits for payments` },
        token: { S: 'token-bi_import waits for payments' },
        detail: { M: { kind: { S: 'marker' }, bucket: { S: BUCKET }, key: { S: KEY } } },
        deadline: { N: String(NOW / 1000 + 10_800) },
        expiresAt: { N: String(NOW / 1000 + 10_800 + WAITER_GRACE_SECONDS) },
      },
    });
    expect(aws.mocks.s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: BUCKET, Key: KEY });
    expect(aws.released).toEqual([]);
    expect(aws.waiters()).toHaveLength(1);
  });

  it('releases at once a waiter registered after its marker landed, and forgets it', async () => {
    aws.objects.add(`${BUCKET}/${KEY}`);

    const outcome = await route(waitFor(marker(), 'late'), deps);

    expect(outcome.outcome).toBe('released');
    expect(aws.released).toEqual(['token-late']);
    expect(aws.mocks.sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({ taskToken: 'token-late', output: JSON.stringify({ subject: `s3://${BUCKET}/${KEY}` }) });
    expect(aws.waiters()).toEqual([]);
  });

  it("releases every waiter of the key on the marker's event and deletes them, across pages", async () => {
    // GIVEN five runs' waits on the marker (pages of two), and one on another date's marker
    for (let i = 0; i < 5; i++) await route(waitFor(marker(), `wait ${i}`), deps);
    await route(waitFor(marker('done/payments__20190313.done'), 'other date'), deps);

    // WHEN the marker lands and its event arrives
    aws.objects.add(`${BUCKET}/${KEY}`);
    const outcome = await route(objectCreated(BUCKET, KEY), deps);

    // THEN all five are released and gone from the table; the other date's waiter stays
    expect(outcome).toEqual({ outcome: 'object created', bucket: BUCKET, key: KEY, released: 5 });
    expect(aws.released.sort()).toEqual(['token-wait 0', 'token-wait 1', 'token-wait 2', 'token-wait 3', 'token-wait 4']);
    expect(aws.waiters()).toEqual([`s3://${BUCKET}/done/payments__20190313.done ${EXECUTION}#other date`]);
    expect(aws.mocks.dynamodb.commandCalls(QueryCommand).length).toBeGreaterThanOrEqual(3);
    expect(aws.mocks.dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(5);
  });

  it('counts a release answered TaskTimedOut or InvalidToken as done: no error, the record is deleted', async () => {
    await route(waitFor(marker(), 'timed out'), deps);
    await route(waitFor(marker(), 'released twice'), deps);
    aws.timedOut.add('token-timed out');
    aws.objects.add(`${BUCKET}/${KEY}`);

    // a duplicate delivery of the event finds the first one's work done
    const first = await route(objectCreated(BUCKET, KEY), deps);
    const again = await route(objectCreated(BUCKET, KEY), deps);

    expect(first).toMatchObject({ released: 1 });
    expect(again).toMatchObject({ released: 0 });
    expect(aws.released).toEqual(['token-released twice']);
    expect(aws.waiters()).toEqual([]);
  });

  it('lets other Step Functions errors through (the event is retried) and keeps the waiter', async () => {
    await route(waitFor(marker(), 'throttled'), deps);
    aws.objects.add(`${BUCKET}/${KEY}`);
    aws.mocks.sfn.on(SendTaskSuccessCommand).rejects(new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }));

    await expect(route(objectCreated(BUCKET, KEY), deps)).rejects.toThrow('Rate exceeded');
    expect(aws.waiters()).toHaveLength(1);
  });

  it('releases nobody on the late event of a marker deleted since (a replay invalidated it)', async () => {
    await route(waitFor(marker(), 'replayed'), deps);

    // the marker's event arrives after the replay deleted the marker
    const outcome = await route(objectCreated(BUCKET, KEY), deps);

    expect(outcome).toMatchObject({ released: 0 });
    expect(aws.released).toEqual([]);
    expect(aws.waiters()).toHaveLength(1);
  });

  it('does not look at S3 for an object nobody waits for', async () => {
    const outcome = await route(objectCreated(BUCKET, 'data/part-0000.parquet'), deps);

    expect(outcome).toMatchObject({ outcome: 'object created', released: 0 });
    expect(aws.mocks.s3.calls()).toHaveLength(0);
  });

  it('accepts the URL-encoded form of a key', async () => {
    const key = 'dt=2019-03-12/payments done.done';
    await route(waitFor(marker(key), 'encoded'), deps);
    aws.objects.add(`${BUCKET}/${key}`);

    const outcome = await route(objectCreated(BUCKET, 'dt%3D2019-03-12/payments+done.done'), deps);

    expect(outcome).toMatchObject({ released: 1 });
    expect(aws.released).toEqual(['token-encoded']);
  });

  it('throws on a malformed request from the state machine, failing its Task at once', async () => {
    const { token: _, ...noToken } = waitFor(marker());
    await expect(route(noToken, deps)).rejects.toMatchObject({ name: 'InvalidEventError', message: expect.stringContaining("action: 'wait'") });
    await expect(route({ action: 'poll' }, deps)).rejects.toMatchObject({ name: 'InvalidEventError' });
    expect(aws.mocks.dynamodb.calls()).toHaveLength(0);
  });
});

describe('router: signals', () => {
  const subject: WaitSubject = { kind: 'signal', run: 'player-analytics-2019-03-12', job: 'sessions' };

  it('records the signal for the redrive window at least, and releases its waiters', async () => {
    await route(waitFor(subject, 'revenue waits for sessions'), deps);

    const outcome = await route({ action: 'signal', run: 'player-analytics-2019-03-12', job: 'sessions', keepSeconds: 7200 }, deps);

    expect(outcome).toEqual({ outcome: 'signalled', subject: 'run://player-analytics-2019-03-12/sessions', released: 1 });
    expect(aws.released).toEqual(['token-revenue waits for sessions']);
    expect(aws.mocks.dynamodb.commandCalls(PutItemCommand).at(-1)!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { subject: { S: 'run://player-analytics-2019-03-12/sessions' }, waiter: { S: '#signalled' }, expiresAt: { N: String(NOW / 1000 + REDRIVE_WINDOW_SECONDS) } },
    });
    expect(aws.waiters()).toEqual([]);
  });

  it('releases at once a wait registered after the signal; a signal of another run releases nothing', async () => {
    await route({ action: 'signal', run: 'player-analytics-2019-03-11', job: 'sessions', keepSeconds: 60 }, deps);
    expect((await route(waitFor(subject, 'other run'), deps)).outcome).toBe('registered');

    await route({ action: 'signal', run: 'player-analytics-2019-03-12', job: 'sessions', keepSeconds: 60 }, deps);
    expect((await route(waitFor(subject, 'after'), deps)).outcome).toBe('released');
    expect(aws.released.sort()).toEqual(['token-after', 'token-other run']);
  });
});

describe('router: EC2 instances', () => {
  const instance = (region: string, instanceId: string): WaitSubject => ({ kind: 'instance', region, instanceId });

  it("releases an instance's waiter on its terminated event, asking EC2 in the instance's region", async () => {
    aws.instances.set('i-0abc', 'running');
    expect((await route(waitFor(instance('us-east-1', 'i-0abc'), 'item 3 runs'), deps)).outcome).toBe('registered');

    aws.instances.set('i-0abc', 'terminated');
    const outcome = await route(instanceStateChange('us-east-1', 'i-0abc', 'terminated'), deps);

    expect(outcome).toEqual({ outcome: 'instance terminated', region: 'us-east-1', instanceId: 'i-0abc', released: 1 });
    expect(aws.released).toEqual(['token-item 3 runs']);
    expect(aws.mocks.ec2['us-east-1'].commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-0abc'] }, { InstanceIds: ['i-0abc'] }]);
    expect(aws.mocks.ec2['eu-west-1'].calls()).toHaveLength(0);
  });

  it('ignores other state changes without calling AWS', async () => {
    for (const state of ['pending', 'running', 'stopping', 'shutting-down']) {
      expect(await route(instanceStateChange('eu-west-1', 'i-0abc', state), deps)).toMatchObject({ outcome: 'ignored' });
    }
    expect(aws.mocks.dynamodb.calls()).toHaveLength(0);
  });

  it('takes an instance EC2 no longer knows, after asking again, as terminated long ago', async () => {
    // i-0gone terminated more than an hour ago: DescribeInstances answers InvalidInstanceID.NotFound
    const outcome = await route(waitFor(instance('eu-west-1', 'i-0gone'), 'redriven item'), deps);

    expect(outcome.outcome).toBe('released');
    // asked three times: EC2 may not know an instance launched a moment ago
    expect(aws.mocks.ec2['eu-west-1'].commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });
});

describe('router: backstop', () => {
  it('releases satisfied waiters, forgets expired ones and leaves the rest open', async () => {
    // GIVEN open waiters: a marker that landed without an event, a missing marker, an instance
    // that terminated without an event, and one registered long ago whose deadline has passed
    await route(waitFor(marker(), 'landed'), deps);
    await route(waitFor(marker('done/refunds__20190312.done'), 'missing'), deps);
    aws.instances.set('i-0abc', 'running');
    await route(waitFor({ kind: 'instance', region: 'eu-west-1', instanceId: 'i-0abc' }, 'instance'), deps);
    await route({ action: 'signal', run: 'r', job: 'j', keepSeconds: 60 }, deps);
    const earlier = routerDeps({ table: TABLE }, aws.clients, { now: () => NOW - 7200_000 });
    await route(waitFor(marker('done/old__20190311.done'), 'expired', 600), earlier);
    aws.objects.add(`${BUCKET}/${KEY}`);
    aws.instances.set('i-0abc', 'terminated');

    // WHEN the backstop runs
    const outcome = await route({ action: 'backstop' }, deps);

    // THEN
    expect(outcome).toEqual({ outcome: 'backstop', released: 2, expired: 1, open: 1 });
    expect(aws.released.sort()).toEqual(['token-instance', 'token-landed']);
    expect(aws.waiters()).toEqual([`s3://${BUCKET}/done/refunds__20190312.done ${EXECUTION}#missing`]);
    expect(aws.mocks.dynamodb.commandCalls(ScanCommand).map((c) => c.args[0].input.ExclusiveStartKey !== undefined)).toEqual([false, true]);
  });

  it("runs on a schedule rule's own Scheduled Event too", async () => {
    const scheduled = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2019-03-12T03:05:00Z', region: 'eu-west-1', resources: [], detail: {} };
    expect(await route(scheduled, deps)).toEqual({ outcome: 'backstop', released: 0, expired: 0, open: 0 });
  });
});

describe('router: poison events', () => {
  const poison: [string, unknown][] = [
    ['a key that is not a string', { ...objectCreated(BUCKET, KEY), detail: { bucket: { name: BUCKET }, object: { key: 42 } } }],
    ['no object', { ...objectCreated(BUCKET, KEY), detail: { bucket: { name: BUCKET } } }],
    ['no detail', { ...objectCreated(BUCKET, KEY), detail: undefined }],
    ['an empty key', objectCreated(BUCKET, '')],
    ['an instance event without an id', { ...instanceStateChange('eu-west-1', 'i-1', 'terminated'), detail: { state: 'terminated' } }],
    ['an instance event without a region', { ...instanceStateChange('eu-west-1', 'i-1', 'terminated'), region: undefined }],
    ['another detail-type', { ...objectCreated(BUCKET, KEY), 'detail-type': 'Object Deleted' }],
    ['another source', { ...objectCreated(BUCKET, KEY), source: 'acme.ingest' }],
    ['null', null],
    ['a string', 'hello'],
    ['a list', [objectCreated(BUCKET, KEY)]],
    ['an empty object', {}],
  ];

  it.each(poison)('logs and drops %s, calling nothing', async (_, event) => {
    const outcome = await route(event, deps);

    expect(outcome).toMatchObject({ outcome: 'dropped', reason: expect.any(String) });
    expect(logs).toEqual([expect.objectContaining({ level: 'WARN', message: 'event dropped' })]);
    for (const mock of [aws.mocks.dynamodb, aws.mocks.s3, aws.mocks.sfn]) expect(mock.calls()).toHaveLength(0);
  });
});

describe('router configuration', () => {
  it('needs only the waiter table; on_markers triggers need their settings, each named when missing', () => {
    expect(routerConfig({ WAITER_TABLE: TABLE })).toEqual({ table: TABLE });
    expect(() => routerConfig({})).toThrow('environment variable WAITER_TABLE is not set');
    const triggers = { WAITER_TABLE: TABLE, MARKER_TRIGGERS: '[["ingest_raw"]]', WORKFLOW: 'w', STATE_MACHINE_ARN: 'arn:sm', MARKER_BUCKET: BUCKET, MARKER_PREFIX: 'done/', PARTITION: 'daily' };
    expect(routerConfig(triggers)).toEqual({
      table: TABLE,
      triggers: { workflow: 'w', stateMachineArn: 'arn:sm', bucket: BUCKET, prefix: 'done/', partition: 'daily', triggers: [['ingest_raw']] },
    });
    expect(() => routerConfig({ ...triggers, STATE_MACHINE_ARN: undefined })).toThrow('environment variable STATE_MACHINE_ARN is not set');
    expect(() => routerConfig({ ...triggers, MARKER_BUCKET: '' })).toThrow('environment variable MARKER_BUCKET is not set');
    expect(() => routerConfig({ ...triggers, PARTITION: 'weekly' })).toThrow(/PARTITION is 'weekly', not 'daily' or 'hourly'/);
    expect(() => routerConfig({ ...triggers, MARKER_TRIGGERS: '[["a"' })).toThrow('MARKER_TRIGGERS is not JSON');
    expect(() => routerConfig({ ...triggers, MARKER_TRIGGERS: '{"a":1}' })).toThrow(/MARKER_TRIGGERS must be a JSON list/);
  });
});
