// The stack of a workflow that waits across dates (workflows/events-rollup.yaml): the router hears
// of every date's markers of the waited jobs (the keys it computes are any date's, so the rule and
// the grant are per job, `<prefix><job>__*`, never per date), may read exactly those keys, and the
// state machine may write only its own markers. cdk-nag runs over every example in nag.test.ts.
import { describe, expect, it } from 'vitest';
import { exampleWorkflows, policyPairs, rulesFrom, synth } from './support.ts';

const compiled = exampleWorkflows().find((c) => c.workflow.name === 'events-rollup')!;
const { template } = synth(compiled);

describe('stack of a workflow with waits across dates', () => {
  it("routes every date's marker of the waited jobs to the router", () => {
    const prefixes = rulesFrom(template, 'aws.s3').flatMap((r) => r.Properties!.EventPattern.detail.object.key.map((k: { prefix: string }) => k.prefix));
    expect(prefixes.sort()).toEqual(['done/daily_rollup__', 'done/events__']);
  });

  it('lets the router read exactly those markers (any date), and nothing else of the bucket', () => {
    const reads = [...policyPairs(template, 'RouterFunctionAccess')].filter((p) => p.startsWith('s3:'));
    expect(reads.sort()).toEqual([
      's3:GetObject arn:<AWS::Partition>:s3:::acme-job-markers/done/daily_rollup__*.done',
      's3:GetObject arn:<AWS::Partition>:s3:::acme-job-markers/done/events__*.done',
      's3:ListBucket arn:<AWS::Partition>:s3:::acme-job-markers',
    ]);
  });

  it('sends the dated subject to the router: the datekey from the run, the offset as written', () => {
    const states = JSON.parse(compiled.definitions[0].text).States as Record<string, { Parameters?: { Payload?: { subject?: unknown } }; Branches?: unknown }>;
    const all = JSON.stringify(states);
    expect(all).toContain('"subject":{"kind":"marker_dates","bucket":"acme-job-markers","prefix":"done/","job":"daily_rollup","datekey.$":"$.run.datekey","partition":"daily","offset":"-1d","since":"20190301"}');
    expect(all).toContain('"subject":{"kind":"marker_dates","bucket":"acme-job-markers","prefix":"done/","job":"events","datekey.$":"$.run.datekey","partition":"hourly"}');
  });
});
