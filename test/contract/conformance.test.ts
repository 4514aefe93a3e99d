// The compiler's output follows the runtime contract (generator/contract/): the marker writes,
// the marker bodies and the placeholders of the emitted definitions are the ones the contract
// defines, so the handlers, infra and the local engine that read them through the contract agree.
import { describe, expect, it } from 'vitest';
import { compilePaths, compileTexts } from '../../generator/compile.ts';
import { markerKeyFormat } from '../../generator/contract/markers.ts';
import { isPlaceholderName, partArnName, placeholdersIn, SWEEP_EC2_FUNCTION } from '../../generator/contract/placeholders.ts';
import type { MarkerBody } from '../../generator/contract/run.ts';

type State = { Type: string; Resource?: string; Parameters?: Record<string, unknown>; Branches?: { States: Record<string, State> }[] };

const statesOf = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([name, s]) => [[name, s] as [string, State], ...(s.Branches ?? []).flatMap((b) => statesOf(b.States))]);

// Every field of a marker body, as the contract types it (`outputs` only where a job declares some).
const MARKER_BODY: Record<Exclude<keyof MarkerBody, 'outputs'>, true> = { workflow: true, job: true, date: true, execution: true, startedAt: true, finishedAt: true };

describe('the emitted definitions follow the runtime contract', () => {
  const { compiled } = compilePaths(['workflows']);

  it('write each job marker under the contract key, with the contract body', () => {
    // GIVEN the example workflows' marker writes
    const writes = compiled.flatMap((c) =>
      c.definitions.flatMap((d) => statesOf((d.definition as unknown as { States: Record<string, State> }).States).filter(([name, s]) => name.endsWith(' done') && s.Resource?.endsWith('s3:putObject'))).map(([name, s]) => ({ c, job: name.slice(0, -' done'.length), s })),
    );
    expect(writes.length).toBeGreaterThan(5);

    // THEN each key is the contract's marker key of the job and the run's datekey, and the body has the contract's fields
    for (const { c, job, s } of writes) {
      expect(s.Parameters!['Key.$']).toBe(`States.Format('${markerKeyFormat(c.workflow.markers.prefix, job)}', $.run.datekey)`);
      // `outputs` is there exactly when the job declares some (contract/run.ts).
      const declared = c.workflow.jobs.find((j) => j.name === job)?.outputs?.length;
      expect(Object.keys(s.Parameters!.Body as object).map((k) => k.replace(/\.\$$/, '')).sort()).toStrictEqual([...Object.keys(MARKER_BODY), ...(declared ? ['outputs'] : [])].sort());
    }
  });

  it('use only the contract placeholders, and the manifest lists exactly those', () => {
    for (const c of compiled) {
      const used = placeholdersIn(c.definitions.map((d) => d.text).join('\n'));
      expect(used).toStrictEqual(c.manifest.substitutions);
      for (const text of c.definitions.map((d) => d.text)) for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)) expect(isPlaceholderName(m[1]), m[1]).toBe(true);
    }
  });

  it('know the placeholders of split graphs and multi-region sweeps', () => {
    expect(isPlaceholderName(partArnName(12))).toBe(true);
    expect(isPlaceholderName(SWEEP_EC2_FUNCTION)).toBe(true);
    expect(isPlaceholderName('AWS::Region')).toBe(false);
    expect(isPlaceholderName('Part1Arnx')).toBe(false);
  });

  it('name a marker bucket the stack creates by its placeholder', () => {
    const { compiled: [c] } = compileTexts([{ file: 'own-bucket.yaml', text: 'name: own-bucket\njobs:\n  a:\n    lambda: fn-a\n' }]);
    expect(placeholdersIn(c.definitions[0].text)).toContain('MarkerBucket');
  });
});
