// A workflow whose on_markers trigger reads markers of other dates and of the other partition:
// the router gets the entries in MARKER_TRIGGERS, as the start logic reads them
// (handlers/dated-triggers.ts), and hears each marker's keys by its prefix, whatever their date.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { compileYaml, rulesFrom, synth } from './support.ts';

const compiled = compileYaml(`name: rollup-trigger
partition: daily
markers: { bucket: acme-job-markers, prefix: done/ }
triggers:
  - on_markers: [ingest, { marker: events, partition: hourly }, { marker: daily_rollup, date: -1d }]
jobs:
  daily_rollup: { lambda: rollup }
`);

describe('an on_markers trigger across dates', () => {
  const { template } = synth(compiled);

  it("passes the entries to the router with the offset as written and the markers' partition", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MARKER_TRIGGERS: '[["ingest",{"marker":"events","partition":"hourly"},{"marker":"daily_rollup","offset":"-1d"}]]' }) },
    });
  });

  it('matches every marker of the trigger by its prefix (an hourly key is as long as it is)', () => {
    const keys = JSON.stringify(rulesFrom(template, 'aws.s3'));
    for (const marker of ['ingest', 'events', 'daily_rollup']) expect(keys).toContain(`done/${marker}__`);
  });
});
