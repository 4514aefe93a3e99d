import { describe, expect, it } from 'vitest';
import { markerBucketFromDefinition } from '../../generator/ops/state-machine.ts';

const put = (bucket: string): Record<string, unknown> => ({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { Bucket: bucket, 'Key.$': 'x' } });
/** A wait: the router gets the subject it waits for (emit/waits.ts). */
const wait = (state: string, bucket: string): Record<string, unknown> => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: 'arn:router', Payload: { action: 'wait', subject: { kind: 'marker', bucket, 'key.$': 'x' }, state } },
});
/** A data pipeline job's Task: the activator registers its wait for the job's own marker. */
const pipeline = (bucket: string): Record<string, unknown> => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: 'arn:activator', Payload: { job: 'p', wait: { action: 'wait', subject: { kind: 'marker', bucket, 'key.$': 'x' } } } },
});

describe('marker bucket from a deployed definition', () => {
  it("takes the bucket a job's `done` state writes, even inside Parallel branches, over another producer's", () => {
    // GIVEN a wait on another producer's bucket first, the job's own marker in a branch
    const definition = {
      StartAt: 'a waits for payments',
      States: {
        'a waits for payments': wait('a waits for payments', 'payments-bucket'),
        'Parallel (a, b)': { Type: 'Parallel', Branches: [{ StartAt: 'a done', States: { 'a done': put('stepgraph-pa-markerbucket-1x2y') } }] },
      },
    };
    expect(markerBucketFromDefinition(JSON.stringify(definition))).toBe('stepgraph-pa-markerbucket-1x2y');
  });

  it("falls back to a data pipeline job's wait for its own marker, and ignores the undeployed placeholder", () => {
    const definition = { StartAt: 'p', States: { 'x waits for payments': wait('x waits for payments', 'payments-bucket'), p: pipeline('resolved-bucket'), 'q done': put('${MarkerBucket}') } };
    expect(markerBucketFromDefinition(JSON.stringify(definition))).toBe('resolved-bucket');
  });

  it("takes a wait's bucket as the last resort", () => {
    const definition = { StartAt: 'x waits for payments', States: { 'x waits for payments': wait('x waits for payments', 'payments-bucket') } };
    expect(markerBucketFromDefinition(JSON.stringify(definition))).toBe('payments-bucket');
  });

  it('answers undefined for a definition without markers or that is not JSON', () => {
    expect(markerBucketFromDefinition('{"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}}')).toBeUndefined();
    expect(markerBucketFromDefinition('not json')).toBeUndefined();
  });
});
