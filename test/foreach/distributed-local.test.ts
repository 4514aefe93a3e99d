// A distributed for_each on the local engine, which has no Distributed Map: simulate and
// run --local run the inline form of the same Map (local/distributed-for-each.ts), so failed
// items within the tolerance leave the job succeeding and past it fail it in `J failed`; and the
// form the engine runs passes both validators. (run --local of both forms: tolerance-run-local.test.ts.)
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { localForm } from '../../generator/local/distributed-for-each.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { validateAsl } from '../support/asl-validate.ts';

const scans = compilePaths(['workflows/object-scans.yaml']).compiled[0];
const lists = (n: number): string[] => [`list_objects.keys=${JSON.stringify(Array.from({ length: n }, (_, i) => `k${i}`))}`, 'list_objects.prefixes=["a/","b/"]'];
const simulateScans = (n: number, fail: string[]) => simulate(scans, { date: '2019-03-12', store: new MemoryMarkerStore(), fail, outputValues: parseOutputFlags(scans.workflow, lists(n)) });

describe('simulate with a distributed for_each (workflows/object-scans.yaml)', () => {
  it('succeeds with failed items within the Map Run tolerance (1% of 200 items), their verdicts left out as a Map Run leaves them', async () => {
    const store = new MemoryMarkerStore();
    const report = await simulate(scans, { date: '2019-03-12', store, fail: ['scan_object[7]', 'scan_object[150]'], outputValues: parseOutputFlags(scans.workflow, lists(200)) });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const marker = JSON.parse((await store.get('stepgraph-object-scans-markers', 'done/scan_object__20190312.done'))!) as { outputs: { verdict: unknown[] } };
    expect(marker.outputs.verdict).toEqual(Array(198).fill('scan_object.verdict'));
  });

  it('fails the job past it, in its own state, naming the count', async () => {
    const report = await simulateScans(200, ['scan_object[7]', 'scan_object[8]', 'scan_object[150]']);
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('scan_object');
    expect(report.error).toContain('3 of 200 items of job scan_object failed; 1% tolerated');
  });

  it('fails in place on the first failed item of a Map that tolerates none', async () => {
    const report = await simulateScans(10, ['reindex_prefix[1]']);
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('reindex_prefix');
  });

  it('runs a form both validators accept', async () => {
    const local = localForm(scans.workflow, scans.definitions[0].definition);
    expect(JSON.stringify(local)).not.toEqual(JSON.stringify(scans.definitions[0].definition));
    expect(await validateAsl(local)).toEqual([]);
  });
});
