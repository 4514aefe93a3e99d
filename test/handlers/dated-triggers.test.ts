// on_markers triggers with markers of other dates and of the other partition, in the router's
// start logic against mocked S3 and Step Functions: which run a landing marker may start, and
// that it starts only once every entry's markers of that run exist.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { startOnMarkers, triggerConfig, type TriggerConfig } from '../../handlers/marker-triggers.ts';

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:rollup';

const config = (triggers: TriggerConfig['triggers']): TriggerConfig => ({ workflow: 'rollup', stateMachineArn: ARN, bucket: 'markers', prefix: 'done/', partition: 'daily', triggers });
const deps = (c: TriggerConfig) => ({ s3: s3 as unknown as S3Client, sfn: sfn as unknown as SFNClient, config: c, now: () => Date.UTC(2019, 2, 13, 3) });

/** The bucket holds exactly these keys. */
function holds(keys: string[]): void {
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    if (keys.includes(input.Key)) return {};
    throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });
}
const hours = (day: string) => Array.from({ length: 24 }, (_, h) => `done/events__${day}${String(h).padStart(2, '0')}.done`);
const started = () => sfn.commandCalls(StartExecutionCommand).map((c) => [c.args[0].input.name, c.args[0].input.input]);

describe('dated on_markers triggers', () => {
  beforeEach(() => {
    s3.reset();
    sfn.reset();
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${ARN.replace('stateMachine', 'execution')}:${input.name}`, startDate: new Date() }));
  });

  const trigger = config([['ingest', { marker: 'rollup', offset: '-1d' }]]);

  it("today's marker starts today's run once yesterday's rollup exists", async () => {
    holds(['done/ingest__20190313.done', 'done/rollup__20190312.done']);
    const outcome = await startOnMarkers('markers', ['done/ingest__20190313.done'], deps(trigger));
    expect(outcome).toMatchObject({ outcome: 'started', date: '2019-03-13', executionName: 'rollup-2019-03-13' });
    expect(started()).toEqual([['rollup-2019-03-13', '{"date":"2019-03-13"}']]);
  });

  it("yesterday's rollup landing late starts the run of the day after it, not of its own date", async () => {
    holds(['done/ingest__20190313.done', 'done/rollup__20190312.done']);
    const outcome = await startOnMarkers('markers', ['done/rollup__20190312.done'], deps(trigger));
    expect(outcome).toMatchObject({ outcome: 'started', date: '2019-03-13' });
  });

  it('waits, naming the missing key, while an entry of the run is absent; starts nothing', async () => {
    holds(['done/ingest__20190313.done']);
    const outcome = await startOnMarkers('markers', ['done/ingest__20190313.done'], deps(trigger));
    expect(outcome).toEqual({ outcome: 'waiting', date: '2019-03-13', missing: ['done/rollup__20190312.done'] });
    expect(started()).toEqual([]);
  });

  it('partition: hourly waits for all 24 hours of the day; the last hour to land starts the daily run', async () => {
    const hourly = config([[{ marker: 'events', partition: 'hourly' }]]);
    holds(hours('20190313').slice(0, 23));
    expect(await startOnMarkers('markers', ['done/events__2019031305.done'], deps(hourly))).toEqual({ outcome: 'waiting', date: '2019-03-13', missing: ['done/events__2019031323.done'] });
    holds(hours('20190313'));
    expect(await startOnMarkers('markers', ['done/events__2019031323.done'], deps(hourly))).toMatchObject({ outcome: 'started', date: '2019-03-13' });
  });

  it('a plain trigger next to a dated one still starts on its own markers', async () => {
    holds(['done/load__20190313.done']);
    const both = config([['load'], ['ingest', { marker: 'rollup', offset: '-1d' }]]);
    expect(await startOnMarkers('markers', ['done/load__20190313.done'], deps(both))).toMatchObject({ outcome: 'started', date: '2019-03-13' });
  });

  it('reads MARKER_TRIGGERS with entries and refuses an offset that is not one', () => {
    const env = { WORKFLOW: 'rollup', STATE_MACHINE_ARN: ARN, MARKER_BUCKET: 'markers', MARKER_PREFIX: 'done/', PARTITION: 'daily' };
    expect(triggerConfig({ ...env, MARKER_TRIGGERS: JSON.stringify([['ingest', { marker: 'rollup', offset: '-1d' }]]) })?.triggers).toEqual([['ingest', { marker: 'rollup', offset: '-1d' }]]);
    expect(() => triggerConfig({ ...env, MARKER_TRIGGERS: JSON.stringify([[{ marker: 'rollup', offset: '+1d' }]]) })).toThrow(/MARKER_TRIGGERS/);
  });
});
