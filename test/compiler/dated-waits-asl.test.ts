// Waits across dates compile to definitions both validators accept (asl-validator and AWS's
// amazon-states-language-service), with the subject's values as plain strings: a prefix or a
// marker name that looks like a path or an intrinsic stays text, never evaluated.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { validateAsl } from '../support/asl-validate.ts';

const text = `
name: hourly-loads
partition: hourly
markers: { bucket: acme-job-markers, prefix: "$.x/States.Format('{}')/" }
jobs:
  load:
    lambda: load
    waits_for:
      - marker: dimensions
        partition: daily
        date: -1h
      - marker: load
        date: -1h
        since: "2019-03-01T00"
      - marker: clicks
        date: -2d
`;

describe('waits across dates in the definition', () => {
  it('passes both validators, and the hostile prefix is a plain string value', async () => {
    const result = compileTexts([{ file: 'hourly.yaml', text }]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [definition] = result.compiled[0].definitions;
    expect(await validateAsl(definition.definition)).toEqual([]);
    const state = (definition.definition as unknown as { States: Record<string, { Parameters: { Payload: { subject: unknown } } }> }).States['load waits for dimensions -1h (daily)'];
    expect(state.Parameters.Payload.subject).toEqual({ kind: 'marker_dates', bucket: 'acme-job-markers', prefix: "$.x/States.Format('{}')/", job: 'dimensions', 'datekey.$': '$.run.datekey', partition: 'daily', offset: '-1h' });
    expect(Object.keys((definition.definition as { States: object }).States)).toEqual(expect.arrayContaining(['load waits for load -1h', 'load waits for clicks -2d']));
  });
});
