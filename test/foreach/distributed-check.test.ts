// for_each past an inline Map's limits: `max_items` and `map` read beside for_each (at their
// place, with did-you-mean), the mode decided by size, the Distributed Map's shape, and both
// validators on it.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { validateAsl } from '../support/asl-validate.ts';

const workflow = (job: string, retry = ''): string => `name: t
${retry}jobs:
  list: { lambda: list, outputs: { keys: $.Payload.keys } }
  each:
    needs: [list]
${job}
`;
const compile = (job: string, retry = '') => compileTexts([{ file: 't.yaml', text: workflow(job, retry) }]);
const place = (text: string, offset: number): string => {
  const lines = text.slice(0, offset).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
};
const codes = (job: string, retry = '') => compile(job, retry).diagnostics.map((d) => `${d.code} ${place(workflow(job, retry), d.start)} ${d.message}`);
type State = Record<string, unknown>;
const mapOf = (job: string, retry = ''): State => {
  const result = compile(job, retry);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0].definitions[0].definition.States.each as State;
};
const mode = (map: State): string => (map.ItemProcessor as { ProcessorConfig: { Mode: string } }).ProcessorConfig.Mode;

describe('max_items and map of a for_each job', () => {
  it('reads both beside for_each', () => {
    const job = compile(`    for_each: list.keys\n    max_items: 300\n    map: inline\n    lambda: each`).compiled[0].workflow.jobs[1].forEach;
    expect(job).toEqual({ job: 'list', output: 'keys', maxItems: 300, map: 'inline' });
  });

  it('reports bad values at their place', () => {
    expect(codes(`    for_each: list.keys\n    max_items: 0\n    lambda: each`)).toEqual(["SG3044 7:16 'max_items' of job 'each' must be a whole number of 1 or more, not 0"]);
    expect(codes(`    for_each: list.keys\n    map: parallel\n    lambda: each`)).toEqual(["SG3044 7:10 'map' of job 'each' must be inline or distributed, not \"parallel\""]);
  });

  it('reports either key on a job without for_each', () => {
    expect(codes(`    max_items: 10\n    map: distributed\n    lambda: each`)).toEqual([
      "SG3045 6:5 'max_items' of job 'each' has no 'for_each' to size",
      "SG3045 7:5 'map' of job 'each' has no 'for_each' to size",
    ]);
  });

  it('offers the key for a misspelling', () => {
    const [d] = compile(`    for_each: list.keys\n    max_item: 2\n    lambda: each`).diagnostics;
    expect(d.code).toBe('SG1003');
    expect(d.hint).toContain('max_items');
  });

  it('stays inline for a small bound or none, and goes distributed past the history budget, 40 at a time, or when asked', () => {
    expect(mode(mapOf(`    for_each: list.keys\n    lambda: each`))).toBe('INLINE');
    expect(mode(mapOf(`    for_each: list.keys\n    max_items: 500\n    lambda: each`))).toBe('INLINE');
    expect(mode(mapOf(`    for_each: list.keys\n    max_items: 5000\n    lambda: each`))).toBe('DISTRIBUTED');
    expect(mode(mapOf(`    for_each: list.keys\n    max_concurrent: 41\n    lambda: each`))).toBe('DISTRIBUTED');
    expect(mode(mapOf(`    for_each: list.keys\n    max_concurrent: 40\n    lambda: each`))).toBe('INLINE');
    expect(mode(mapOf(`    for_each: list.keys\n    map: distributed\n    lambda: each`))).toBe('DISTRIBUTED');
    // Forced inline past the budget: inline as asked, with the history warning of the estimate.
    const forced = compile(`    for_each: list.keys\n    max_items: 5000\n    map: inline\n    lambda: each`);
    const map = forced.compiled[0].definitions.map((d) => d.definition.States.each as State | undefined).find(Boolean)!;
    expect(mode(map)).toBe('INLINE');
    expect(forced.diagnostics.map((d) => d.code)).toContain('SG4001');
  });

  it('tolerates failures natively on a Distributed Map, with no counting states after it', () => {
    const result = compile(`    for_each: list.keys\n    map: distributed\n    tolerated_failures: 10%\n    lambda: each\n    outputs: { key: $.Payload.key }`);
    const states = result.compiled[0].definitions[0].definition.States as Record<string, State>;
    const map = states.each;
    expect(map.ToleratedFailurePercentage).toBe(10);
    expect(map.Label).toBe('each');
    expect(map.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'each item' });
    expect(Object.keys((map.ItemProcessor as { States: State }).States)).toEqual(['each item']);
    // A failed child adds no record: the lists are gathered after the Map, from the records there are.
    expect(map.ResultSelector).toEqual({ 'startedAt.$': '$$.State.EnteredTime', 'records.$': '$' });
    expect(map.ItemsPath).toBe('$.outputs.list.keys');
    // A child execution's $$.Execution.Id is its own: the run's ARN comes in the item state.
    expect(map.ItemSelector).toMatchObject({ 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'execution.$': '$$.Execution.Id' });
    expect(JSON.stringify(map.ItemProcessor)).not.toContain('$$.Execution.Id');
    expect(((map.ItemProcessor as { States: Record<string, State> }).States['each item'].Parameters as { Payload: State }).Payload['execution.$']).toBe('$.execution');
    expect(Object.keys(states).filter((s) => s.startsWith('each ') && /failed|tolerance|weighs/.test(s))).toEqual([]);
    expect(map.Next).toBe('each any item succeeded?');
    expect(states['each any item succeeded?']).toEqual({ Type: 'Choice', Choices: [{ Variable: '$.job.records[0]', IsPresent: true, Next: 'each gathers outputs' }], Default: 'each none succeeded' });
    expect(states['each gathers outputs']).toEqual({ Type: 'Pass', Parameters: { 'startedAt.$': '$.job.startedAt', outputs: { 'key.$': '$.job.records[*].key' } }, ResultPath: '$.job', Next: 'each done' });
    expect(states['each none succeeded']).toEqual({ Type: 'Pass', Parameters: { 'startedAt.$': '$.job.startedAt', outputs: { key: [] } }, ResultPath: '$.job', Next: 'each done' });
    expect(states['each no items'].Next).toBe('each done');
    const counted = compile(`    for_each: list.keys\n    map: distributed\n    tolerated_failures: 3\n    lambda: each`).compiled[0].definitions[0].definition.States.each as State;
    expect(counted.ToleratedFailureCount).toBe(3);
  });

  it('warns (SG4015) about an inline for_each with no bound whose items could fill the history', () => {
    const retry = 'defaults:\n  retry: { attempts: 5, interval: 1m, backoff: 2 }\n';
    expect(codes(`    for_each: list.keys\n    lambda: each`, retry)).toEqual([
      "SG4015 8:15 the for_each of job 'each' runs inline, and each item can add 28 events to the run's history: about 714 items fill its 25,000-event limit, and the list has no declared bound",
    ]);
    expect(codes(`    for_each: list.keys\n    max_items: 100\n    lambda: each`, retry)).toEqual([]);
    expect(codes(`    for_each: list.keys\n    map: distributed\n    lambda: each`, retry)).toEqual([]);
    expect(codes(`    for_each: list.keys\n    lambda: each`)).toEqual([]);
  });

  it('emits ASL both validators accept', async () => {
    for (const job of [`    for_each: list.keys\n    map: distributed\n    tolerated_failures: 10%\n    lambda: each\n    outputs: { key: $.Payload.key }`, `    for_each: list.keys\n    max_items: 5000\n    max_concurrent: 100\n    tolerated_failures: 2\n    glue: { job: g, arguments: { --k: "{item}" } }`]) {
      for (const d of compile(job).compiled[0].definitions) expect(await validateAsl(d.definition)).toEqual([]);
    }
  });
});

describe('the history estimate of an inline for_each', () => {
  it('counts the Map at max_items iterations when declared', () => {
    const events = (job: string) => compile(job).compiled[0].definitions[0].measurement.historyEvents;
    const unbounded = events(`    for_each: list.keys\n    lambda: each`);
    const small = events(`    for_each: list.keys\n    max_items: 10\n    lambda: each`);
    const large = events(`    for_each: list.keys\n    max_items: 400\n    lambda: each`);
    // Each iteration of this Map is 2 + a Lambda Task's 2 + 3 events: 7 per item; unbounded counts 40.
    expect(unbounded - small).toBe(30 * 7);
    expect(large - small).toBe(390 * 7);
  });
});
