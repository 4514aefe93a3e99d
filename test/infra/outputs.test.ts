// Outputs read from markers: the state machines may read exactly the marker keys of the jobs that
// declare outputs (and waited-for markers whose outputs a job reads), nothing else of the bucket.
import { describe, expect, it } from 'vitest';
import { compileYaml, policyPairs, synth } from './support.ts';

describe('a workflow passing outputs', () => {
  const { template } = synth(
    compileYaml(
      `name: reads-markers
markers: { bucket: acme-markers, prefix: done/ }
jobs:
  list: { lambda: list, outputs: { parts: $.Payload.parts } }
  plain: { lambda: plain }
  load:
    needs: [list, plain]
    waits_for: [{ marker: payments, bucket: finance-markers, prefix: out/ }]
    glue: { job: load, arguments: { --p: "{inputs.list.parts}", --paid: "{inputs.payments.total}" } }
`,
      'reads.yaml',
    ),
  );

  it('may GetObject the markers of jobs with outputs and of the waited-for marker it reads, only those', () => {
    const reads = [...policyPairs(template, 'StateMachineAccess')].filter((p) => p.startsWith('s3:GetObject ')).sort();
    expect(reads).toEqual(['s3:GetObject arn:<AWS::Partition>:s3:::acme-markers/done/list__*.done', 's3:GetObject arn:<AWS::Partition>:s3:::finance-markers/out/payments__*.done']);
  });
});
