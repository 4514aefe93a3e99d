import { describe, expect, it } from 'vitest';
import { markerBucketFromDefinition } from '../../generator/ops/state-machine.ts';

const put = (bucket: string): Record<string, unknown> => ({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { Bucket: bucket, 'Key.$': 'x' } });
const get = (bucket: string): Record<string, unknown> => ({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: bucket, 'Key.$': 'x' } });

describe('marker bucket from a deployed definition', () => {
  it("takes the bucket a job's `done` state writes, even inside Parallel branches, over another producer's", () => {
    // GIVEN a wait on another producer's bucket first, the job's own marker in a branch
    const definition = {
      StartAt: 'a waits for payments',
      States: {
        'a waits for payments': get('payments-bucket'),
        'Parallel (a, b)': { Type: 'Parallel', Branches: [{ StartAt: 'a done', States: { 'a done': put('stepgraph-pa-markerbucket-1x2y') } }] },
      },
    };
    expect(markerBucketFromDefinition(JSON.stringify(definition))).toBe('stepgraph-pa-markerbucket-1x2y');
  });

  it('falls back to the `finishes` wait of a data pipeline job, and ignores the undeployed placeholder', () => {
    const definition = { StartAt: 'p finishes', States: { 'p finishes': get('resolved-bucket'), 'q done': put('${MarkerBucket}') } };
    expect(markerBucketFromDefinition(JSON.stringify(definition))).toBe('resolved-bucket');
  });

  it('answers undefined for a definition without markers or that is not JSON', () => {
    expect(markerBucketFromDefinition('{"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}}')).toBeUndefined();
    expect(markerBucketFromDefinition('not json')).toBeUndefined();
  });
});
