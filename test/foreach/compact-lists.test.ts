// One meaning of a for_each job's output lists under tolerated_failures, whatever form its Map
// takes: the values of the items that succeeded, in item order, and empty lists when none did.
// The same failing items give the same lists inline, distributed (run by the local engine in its
// inline form, local/distributed-for-each.ts), in simulate and in run --local with real commands;
// a for_each downstream of such a list runs once per succeeded value.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { localForm } from '../../generator/local/distributed-for-each.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { validateAsl } from '../support/asl-validate.ts';

type Form = 'inline' | 'distributed';
const FORMS: Form[] = ['inline', 'distributed'];
const KEYS = ['a', 'b', 'c', 'd'];

/** `each` fails the items whose index matches `failing` (a case pattern), else hands back `<item>-done`; `after` runs over its list. */
const compile = (form: Form, tolerated: string, failing = 'none') => {
  const result = compileTexts([
    {
      file: 'compact.yaml',
      text: `name: compact
jobs:
  list: { lambda: list, outputs: { keys: $.Payload.keys } }
  each:
    needs: [list]
    for_each: list.keys
    map: ${form}
    tolerated_failures: ${tolerated}
    lambda: each
    outputs: { key: $.Payload.key, size: $.Payload.size }
    local: { command: "case \\"$STEPGRAPH_INDEX\\" in ${failing}) exit 1;; esac; printf '{\\"key\\": \\"%s-done\\", \\"size\\": %s}' \\"$STEPGRAPH_ITEM\\" \\"$STEPGRAPH_INDEX\\" > \\"$STEPGRAPH_RESULT\\"" }
  after:
    needs: [each]
    for_each: each.key
    lambda: after
    outputs: { seen: $.Payload.seen }
    local: { command: "printf '{\\"seen\\": \\"%s\\"}' \\"$STEPGRAPH_ITEM\\" > \\"$STEPGRAPH_RESULT\\"" }
`,
    },
  ]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
};
const outputsOf = async (store: { get(bucket: string, key: string): Promise<string | undefined> }, job: string): Promise<Record<string, unknown> | undefined> => {
  const body = await store.get('stepgraph-compact-markers', `done/${job}__20190312.done`);
  return body === undefined ? undefined : (JSON.parse(body) as { outputs: Record<string, unknown> }).outputs;
};

const runLocal = async (form: Form, tolerated: string, failing: string) => {
  const compiled = compile(form, tolerated, failing);
  const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-compact-')));
  const outputValues = parseOutputFlags(compiled.workflow, [`list.keys=${JSON.stringify(KEYS)}`]);
  const report = await runLocally(compiled, { date: '2019-03-12', store, output: { write: () => undefined }, outputValues }).report;
  return { report, each: await outputsOf(store, 'each'), after: await outputsOf(store, 'after') };
};

const simulateRun = async (form: Form, tolerated: string, fail: string[]) => {
  const compiled = compile(form, tolerated);
  const store = new MemoryMarkerStore();
  const report = await simulate(compiled, { date: '2019-03-12', store, fail, outputValues: parseOutputFlags(compiled.workflow, [`list.keys=${JSON.stringify(KEYS)}`]) });
  return { report, each: await outputsOf(store, 'each'), after: await outputsOf(store, 'after') };
};

describe('run --local: the output lists of a for_each that tolerates failures', () => {
  for (const form of FORMS) {
    it(`holds the succeeded items' values in item order, ${form}`, async () => {
      // GIVEN items 1 and 3 (b, d) failing, 2 tolerated
      const { report, each, after } = await runLocal(form, '2', '1|3');

      // THEN the lists hold a and c only, in order, and the job downstream ran over exactly those
      expect(report.status, report.error ?? '').toBe('SUCCEEDED');
      expect(each).toEqual({ key: ['a-done', 'c-done'], size: [0, 2] });
      expect(after).toEqual({ seen: ['a-done', 'c-done'] });
    });

    for (const tolerated of ["'100%'", '4', '7']) {
      it(`gives empty lists when every item failed within ${tolerated}, ${form}`, async () => {
        const { report, each, after } = await runLocal(form, tolerated, '*');
        expect(report.status, report.error ?? '').toBe('SUCCEEDED');
        expect(each).toEqual({ key: [], size: [] });
        expect(after).toEqual({ seen: [] });
      });
    }
  }

  it('keeps every value when no item failed, in both forms alike', async () => {
    const [inline, distributed] = await Promise.all(FORMS.map((form) => runLocal(form, "'50%'", 'none')));
    expect(inline.each).toEqual({ key: ['a-done', 'b-done', 'c-done', 'd-done'], size: [0, 1, 2, 3] });
    expect(distributed.each).toEqual(inline.each);
  });
});

describe('simulate: the same lists in both forms', () => {
  it('drops the failed items from the lists, inline and distributed alike', async () => {
    const [inline, distributed] = await Promise.all(FORMS.map((form) => simulateRun(form, "'50%'", ['each[0,2]'])));
    expect(inline.report.status, inline.report.error ?? '').toBe('SUCCEEDED');
    expect(distributed.report.status, distributed.report.error ?? '').toBe('SUCCEEDED');
    // Simulated values are the same for every item (a list, where a for_each iterates over it): two items' worth.
    expect(inline.each!.size).toEqual(['each.size', 'each.size']);
    expect(inline.each!.key).toHaveLength(2);
    expect(distributed.each).toEqual(inline.each);
    // The job downstream runs once per succeeded value: two items, none of them null.
    expect(inline.after).toEqual({ seen: ['after.seen', 'after.seen'] });
    expect(distributed.after).toEqual(inline.after);
  });

  it('succeeds with empty lists when every item failed within 100% or a count as large as the list', async () => {
    for (const form of FORMS) {
      for (const tolerated of ["'100%'", '4']) {
        const { report, each, after } = await simulateRun(form, tolerated, ['each[0,1,2,3]']);
        expect(report.status, `${form} ${tolerated}: ${report.error ?? ''}`).toBe('SUCCEEDED');
        expect(each).toEqual({ key: [], size: [] });
        expect(after).toEqual({ seen: [] });
      }
    }
  });

  it('still fails the job past its tolerance, in its own state', async () => {
    for (const form of FORMS) {
      const { report, each } = await simulateRun(form, '2', ['each[0,1,3]']);
      expect(report.status).toBe('FAILED');
      expect(report.failedJob).toBe('each');
      expect(report.error).toContain('3 of 4 items of job each failed; 2 tolerated');
      expect(each).toBeUndefined();
    }
  });
});

describe('the gathering states', () => {
  it('pass both validators in the emitted ASL of both forms and in the form the local engine runs', async () => {
    for (const form of FORMS) {
      for (const tolerated of ['2', "'10%'", "'100%'"]) {
        const compiled = compile(form, tolerated);
        for (const d of compiled.definitions) {
          expect(await validateAsl(d.definition), `${form} ${tolerated}`).toEqual([]);
          expect(await validateAsl(localForm(compiled.workflow, d.definition)), `${form} ${tolerated} local`).toEqual([]);
        }
      }
    }
  });

  it('choose by the tally inline and on the local engine, by the first record distributed', () => {
    const states = (form: Form) => compile(form, '2').definitions[0].definition.States as Record<string, Record<string, unknown>>;
    const inline = states('inline');
    const distributed = states('distributed');
    expect((inline['each any item succeeded?'].Choices as unknown[])[0]).toEqual({ Variable: '$.job.tally.anySucceeded', BooleanEquals: true, Next: 'each gathers outputs' });
    expect((distributed['each any item succeeded?'].Choices as unknown[])[0]).toEqual({ Variable: '$.job.records[0]', IsPresent: true, Next: 'each gathers outputs' });
    const local = localForm(compile('distributed', '2').workflow, { ...compile('distributed', '2').definitions[0].definition }).States as Record<string, Record<string, unknown>>;
    expect(local['each any item succeeded?']).toEqual(inline['each any item succeeded?']);
    // A failed item's record is its index alone: nothing of it reaches the lists.
    const processor = (inline.each.ItemProcessor as { States: Record<string, Record<string, unknown>> }).States;
    expect(processor['each item failed'].Parameters).toEqual({ 'failedIndex.$': '$.index' });
  });
});
