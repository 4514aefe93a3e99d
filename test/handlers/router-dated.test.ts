// The router against mocked AWS for waits across dates (contract/marker-dates.ts): a daily run
// waiting for the 24 hourly markers of its date, and for yesterday's marker of its own job. The
// router computes the keys from the run's datekey and the offset, keeps one DynamoDB item on the
// first missing key, and each marker's S3 event moves it on until the last one releases the task.
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MarkerDatesSubject } from '../../generator/contract/marker-dates.ts';
import type { WaitRequest } from '../../generator/contract/waits.ts';
import { route, routerDeps, type RouterDeps } from '../../handlers/router.ts';
import { objectCreated } from './events.ts';
import { captureLogs } from './logs.ts';
import { fakeAws, NOW, TABLE } from './wait-aws.ts';

const aws = fakeAws();
const BUCKET = 'acme-job-markers';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:events-rollup:events-rollup-2020-03-01';
const HOURLY: MarkerDatesSubject = { kind: 'marker_dates', bucket: BUCKET, prefix: 'done/', job: 'events', datekey: '20200301', partition: 'hourly' };
const hourKey = (h: number): string => `done/events__20200301${String(h).padStart(2, '0')}.done`;

const waitFor = (subject: MarkerDatesSubject, state: string): WaitRequest => ({ action: 'wait', subject, token: `token-${state}`, execution: EXECUTION, state, timeoutSeconds: 6 * 3600 });

let deps: RouterDeps;
beforeEach(() => {
  aws.reset();
  deps = routerDeps({ table: TABLE }, aws.clients, { now: () => NOW, notFound: { notFoundRetriesMs: [5, 5], sleep: async () => {} } });
  captureLogs([]);
});
afterEach(() => vi.restoreAllMocks());

describe('router: waits across dates', () => {
  it("registers on the first missing hourly marker of the run's date, keeping one item", async () => {
    // GIVEN hours 00 to 04 have landed
    for (let h = 0; h < 5; h++) aws.objects.add(`${BUCKET}/${hourKey(h)}`);

    // WHEN the daily run's wait for the hourly markers arrives
    const outcome = await route(waitFor(HOURLY, 'daily_rollup waits for events (hourly)'), deps);

    // THEN it looked at hours 00..05 in order and sits on hour 05, with the whole subject as its detail
    expect(outcome).toEqual({ outcome: 'registered', subject: 'dates://acme-job-markers/done/events__20200301/hourly', waiter: `${EXECUTION}#daily_rollup waits for events (hourly)` });
    expect(aws.mocks.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual([0, 1, 2, 3, 4, 5].map(hourKey));
    expect(aws.waiters()).toHaveLength(1);
    const item = aws.mocks.dynamodb.commandCalls(PutItemCommand).at(-1)!.args[0].input.Item!;
    expect(item.subject).toEqual({ S: `s3://${BUCKET}/${hourKey(5)}` });
    expect(item.detail).toEqual({ M: { kind: { S: 'marker_dates' }, bucket: { S: BUCKET }, prefix: { S: 'done/' }, job: { S: 'events' }, datekey: { S: '20200301' }, partition: { S: 'hourly' } } });
    expect(aws.released).toEqual([]);
  });

  it('is released by the last hourly marker, in whatever order they land, and leaves nothing behind', async () => {
    await route(waitFor(HOURLY, 'rollup'), deps);

    // WHEN the hours land in reverse order, each with its event
    for (let h = 23; h >= 1; h--) {
      aws.objects.add(`${BUCKET}/${hourKey(h)}`);
      await route(objectCreated(BUCKET, hourKey(h)), deps);
    }
    // THEN hour 00 still holds it
    expect(aws.released).toEqual([]);
    aws.objects.add(`${BUCKET}/${hourKey(0)}`);
    const outcome = await route(objectCreated(BUCKET, hourKey(0)), deps);

    // THEN hour 00's event walks the other 23, finds them all, and releases the task once
    expect(outcome).toMatchObject({ outcome: 'object created', released: 1 });
    expect(aws.released).toEqual(['token-rollup']);
    expect(aws.mocks.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(aws.waiters()).toEqual([]);
  });

  it("waits for yesterday's marker of its own job, across a leap day", async () => {
    const yesterday: MarkerDatesSubject = { kind: 'marker_dates', bucket: BUCKET, prefix: 'done/', job: 'daily_rollup', datekey: '20200301', partition: 'daily', offset: '-1d' };
    await route(waitFor(yesterday, 'daily_rollup waits for daily_rollup -1d'), deps);
    expect(aws.mocks.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['done/daily_rollup__20200229.done']);

    // WHEN today's own marker lands, nothing moves; yesterday's releases it
    aws.objects.add(`${BUCKET}/done/daily_rollup__20200301.done`);
    expect(await route(objectCreated(BUCKET, 'done/daily_rollup__20200301.done'), deps)).toMatchObject({ released: 0 });
    aws.objects.add(`${BUCKET}/done/daily_rollup__20200229.done`);
    expect(await route(objectCreated(BUCKET, 'done/daily_rollup__20200229.done'), deps)).toMatchObject({ released: 1 });
    expect(aws.waiters()).toEqual([]);
  });

  it('releases at once, storing nothing, when every date is before since (the first date of a chain)', async () => {
    const first: MarkerDatesSubject = { kind: 'marker_dates', bucket: BUCKET, prefix: 'done/', job: 'daily_rollup', datekey: '20200301', partition: 'daily', offset: '-1d', since: '20200301' };
    expect(await route(waitFor(first, 'first'), deps)).toMatchObject({ outcome: 'released' });
    expect(aws.released).toEqual(['token-first']);
    expect(aws.mocks.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(aws.mocks.dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('the backstop moves a waiter on past markers whose events never came', async () => {
    await route(waitFor(HOURLY, 'rollup'), deps);
    for (let h = 0; h < 24; h++) aws.objects.add(`${BUCKET}/${hourKey(h)}`);

    const outcome = await route({ action: 'backstop' }, deps);

    expect(outcome).toMatchObject({ outcome: 'backstop', released: 1, open: 0 });
    expect(aws.released).toEqual(['token-rollup']);
    expect(aws.mocks.dynamodb.commandCalls(DeleteItemCommand).length).toBeGreaterThan(0);
    expect(aws.waiters()).toEqual([]);
  });

  it('refuses a dated wait whose datekey is not a run date, failing its Task at once', async () => {
    await expect(route(waitFor({ ...HOURLY, datekey: '20190229' }, 'bad'), deps)).rejects.toThrow(/not a router request/);
  });
});
