// The marker router end to end over the S3 wire protocol: markers are written to s3rver with the
// real S3 client, their "Object Created" events are fed to the router (duplicated and out of
// order, as S3 may deliver them), and the router checks the markers on s3rver. Step Functions is
// mocked with its real naming rule: a second execution of the same name is refused. The waiter
// store is the in-memory one: this test is about triggers, and about waits released by the
// same events over real S3 reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';
import type { TriggerConfig } from '../../handlers/marker-triggers.ts';
import { route, type RouterDeps, type RouterOutcome } from '../../handlers/router.ts';
import { AwsSubjectProbe } from '../../handlers/subject-probe.ts';
import { objectCreated } from './events.ts';

// s3rver ships no types; this is the part of its API the test uses.
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const BUCKET = 'acme-job-markers';
const config: TriggerConfig = {
  workflow: 'player-analytics',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
  bucket: BUCKET,
  prefix: 'done/',
  partition: 'daily',
  triggers: [['ingest_raw', 'ingest_events']],
};

describe('marker router against s3rver', () => {
  let server: S3rverServer;
  let directory: string;
  let s3: S3Client;
  const sfn = new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const sfnMock = mockClient(sfn);
  const executions = new Set<string>();

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'stepgraph-s3rver-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
    const { port } = await server.run();
    s3 = new S3Client({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      if (executions.has(input.name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${input.name}'`, $metadata: {} });
      executions.add(input.name);
      return { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:player-analytics:${input.name}`, startDate: new Date() };
    });
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Writes a marker the way a job does and returns the event S3 would emit for it. */
  async function writeMarker(job: string, datekey: string): Promise<S3ObjectCreatedNotificationEvent> {
    const key = `done/${job}__${datekey}.done`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify({ workflow: 'ingest', job, datekey }), ContentType: 'application/json' }));
    return objectCreated(BUCKET, key);
  }

  const released: string[] = [];
  const waiters = new MemoryWaiterStore();
  const deps = (): RouterDeps => ({
    wait: {
      store: waiters,
      probe: new AwsSubjectProbe({
        s3,
        ec2For: () => {
          throw new Error('no EC2 here');
        },
      }),
      releaser: { release: async (token) => (released.includes(token) ? 'gone' : (released.push(token), 'released')) },
      now: Date.now,
    },
    triggers: { s3, sfn, config },
  });
  const trigger = async (event: S3ObjectCreatedNotificationEvent) => {
    const outcome = (await route(event, deps())) as Extract<RouterOutcome, { outcome: 'object created' }>;
    return outcome.trigger!;
  };

  it('starts exactly one run per date whatever the order and number of events', async () => {
    // GIVEN day 12: ingest_raw lands first; its event arrives twice before ingest_events exists
    const raw12 = await writeMarker('ingest_raw', '20190312');
    const early = [await trigger(raw12), await trigger(raw12)];

    // WHEN ingest_events lands, and then every event of day 12 is delivered again, concurrently
    const events12 = await writeMarker('ingest_events', '20190312');
    const late = await Promise.all([trigger(events12), trigger(raw12), trigger(events12), trigger(raw12)]);

    // AND day 13's markers both land before any event is delivered, events in reverse order
    const raw13 = await writeMarker('ingest_raw', '20190313');
    const events13 = await writeMarker('ingest_events', '20190313');
    const day13 = [await trigger(events13), await trigger(raw13), await trigger(events13)];

    // AND a stray non-marker object lands in the bucket
    const stray = await trigger(objectCreated(BUCKET, 'done/README.txt'));

    // THEN nothing started while a marker was missing
    expect(early.map((o) => o.outcome)).toEqual(['waiting', 'waiting']);
    expect(early[0]).toMatchObject({ missing: ['ingest_events'] });
    // and each date started exactly once; every other event was a harmless duplicate
    expect(late.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(late.filter((o) => o.outcome === 'duplicate')).toHaveLength(3);
    expect(day13.map((o) => o.outcome)).toEqual(['started', 'duplicate', 'duplicate']);
    expect(stray.outcome).toBe('ignored');
    expect([...executions].sort()).toEqual(['player-analytics-2019-03-12', 'player-analytics-2019-03-13']);
    const inputs = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(new Set(inputs.map((i) => `${i.name} ${i.input}`))).toEqual(
      new Set(['player-analytics-2019-03-12 {"date":"2019-03-12"}', 'player-analytics-2019-03-13 {"date":"2019-03-13"}']),
    );
  });

  it("releases a wait by the event of its marker, read over the wire, and not by another date's marker", async () => {
    // GIVEN a wait for day 14's ingest_raw, registered before the marker exists
    const subject = { kind: 'marker' as const, bucket: BUCKET, key: 'done/ingest_raw__20190314.done' };
    const wait = { action: 'wait' as const, subject, token: 't14', execution: 'arn:x:player-analytics-2019-03-14', state: 'j waits for ingest_raw', timeoutSeconds: 600 };
    expect((await route(wait, deps())).outcome).toBe('registered');

    // WHEN day 13's marker event comes again (another date) and then day 14's marker lands
    await trigger(objectCreated(BUCKET, 'done/ingest_raw__20190313.done'));
    expect(released).toEqual([]);
    const event14 = await writeMarker('ingest_raw', '20190314');
    const outcome = await route(event14, deps());

    // THEN exactly that wait is released, once, and forgotten
    expect(outcome).toMatchObject({ released: 1 });
    expect(released).toEqual(['t14']);
    expect(waiters.size).toBe(0);
  });
});
