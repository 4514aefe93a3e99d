// on_markers entries spelled as waits_for entries: what validate accepts into the model, and the
// combinations it refuses, each at its place with its code.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';

const check = (triggers: string, partition = 'daily') => {
  const text = `name: tr\npartition: ${partition}\ntriggers:\n  - on_markers: ${triggers}\njobs:\n  rollup: { lambda: r }\n`;
  const result = compileTexts([{ file: 'tr.yaml', text }]);
  return { errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${text.slice(d.start, d.end)}`), workflow: result.compiled[0]?.workflow };
};

describe('on_markers entries across dates', () => {
  it('reads names and {marker, date, partition} into the trigger, every entry kept in order', () => {
    const { errors, workflow } = check('[ingest, { marker: events, partition: hourly }, { marker: rollup, date: -1d }]');
    expect(errors).toEqual([]);
    const trigger = workflow!.triggers[0];
    expect(trigger).toMatchObject({ type: 'on_markers', markers: ['ingest', 'events', 'rollup'] });
    expect(trigger.type === 'on_markers' && trigger.dated!.map((m) => [m.marker, m.dates?.offset?.text, m.dates?.partition])).toEqual([
      ['ingest', undefined, undefined],
      ['events', undefined, 'hourly'],
      ['rollup', '-1d', undefined],
    ]);
  });

  it('a trigger of plain names stays as it was (no dated entries)', () => {
    expect(check('[ingest, load]').workflow!.triggers[0]).toEqual({ type: 'on_markers', markers: ['ingest', 'load'] });
  });

  it('SG2040: every entry of an earlier date (the run would start before its own data)', () => {
    expect(check('[{ marker: rollup, date: -1d }]').errors).toEqual(['SG2040 [{ marker: rollup, date: -1d }]']);
  });

  it('SG2041: the same marker twice; SG3053: an entry that is neither a name nor a mapping with marker', () => {
    expect(check('[ingest, ingest]').errors).toEqual(['SG2041 ingest']);
    expect(check('[ingest, { date: -1d }]').errors).toEqual(['SG3053 { date: -1d }']);
    expect(check('[ingest, [a]]').errors).toEqual(['SG3053 [a]']);
  });

  it("the offsets' own rules hold (SG3030 after the run's date, SG3031 hours in a daily run); since is not a trigger's", () => {
    expect(check('[ingest, { marker: x, date: "+1d" }]').errors).toEqual(['SG3030 "+1d"']);
    expect(check('[ingest, { marker: x, date: -1h }]').errors).toEqual(['SG3031 -1h']);
    expect(check('[ingest, { marker: x, date: -1h }]', 'hourly').errors).toEqual([]);
    expect(check('[ingest, { marker: x, since: "2019-01-01" }]').errors).toEqual(['SG1003 since']);
  });
});
