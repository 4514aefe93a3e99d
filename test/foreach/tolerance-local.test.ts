// tolerated_failures of a for_each job on the local engine: the emitted ASL runs as is, items fail
// by index (simulate --fail JOB[N]), and the job succeeds while no more items failed than it
// tolerates (a count, or a percentage of the run's own item count), failing in `J failed` past it;
// its output lists hold the succeeded items' values (test/foreach/compact-lists.test.ts: every form).
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';

const exports = compilePaths(['workflows/store-exports.yaml']).compiled[0];
const stores = (n: number): string => `list_stores.stores=${JSON.stringify(Array.from({ length: n }, (_, i) => `s${i}`))}`;
const markerOf = async (store: MemoryMarkerStore, job: string): Promise<{ outputs?: Record<string, unknown> } | undefined> => {
  const key = store.keys().find((k) => k.endsWith(`/done/${job}__20190312.done`));
  if (!key) return undefined;
  return JSON.parse((await store.get(key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)))!);
};
const run = async (count: number, fail: string[]) => {
  const store = new MemoryMarkerStore();
  const report = await simulate(exports, { date: '2019-03-12', store, fail, outputValues: parseOutputFlags(exports.workflow, [stores(count)]) });
  return { report, store };
};

describe('for_each tolerated_failures on the local engine', () => {
  it('succeeds with failed items within a percentage of the items, their outputs left out of the lists', async () => {
    // GIVEN 10 stores, export_store tolerating 10%: one failed item is 10%, not more
    const { report, store } = await run(10, ['export_store[3]']);

    // THEN the run succeeds and the files list holds the 9 stores that succeeded, no null for store 3
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const files = (await markerOf(store, 'export_store'))!.outputs!.files as unknown[];
    expect(files).toEqual(Array(9).fill('export_store.files'));
    expect(await markerOf(store, 'build_catalogue')).toBeDefined();
  });

  it('fails the job in its own state once more items failed than the percentage allows', async () => {
    // GIVEN 10 stores and two failing exports: 20% > 10%
    const { report, store } = await run(10, ['export_store[3,7]']);

    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('export_store');
    expect(report.error).toContain('2 of 10 items of job export_store failed; 10% tolerated');
    expect(await markerOf(store, 'export_store')).toBeUndefined();
    expect(await markerOf(store, 'build_catalogue')).toBeUndefined();
  });

  it('reads the percentage of the run own item count: 2 of 20 is within 10%', async () => {
    const { report } = await run(20, ['export_store[0,19]']);
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const { report: over } = await run(20, ['export_store[0,5,19]']);
    expect(over.status).toBe('FAILED');
    expect(over.error).toContain('3 of 20 items of job export_store failed; 10% tolerated');
  });

  it('tolerates a count whatever the number of items, and fails past it', async () => {
    const within = await run(3, ['refresh_thumbnails[0,2]']);
    expect(within.report.status, within.report.error ?? '').toBe('SUCCEEDED');
    const over = await run(4, ['refresh_thumbnails[0,1,3]']);
    expect(over.report.status).toBe('FAILED');
    expect(over.report.failedJob).toBe('refresh_thumbnails');
    expect(over.report.error).toContain('3 of 4 items of job refresh_thumbnails failed; 2 tolerated');
  });

  it('counts every item failing (no success among them) and an empty list as nothing failed', async () => {
    const all = await run(2, ['refresh_thumbnails[0,1]']);
    expect(all.report.status, all.report.error ?? '').toBe('SUCCEEDED');
    const allExports = await run(2, ['export_store[0,1]']);
    expect(allExports.report.status).toBe('FAILED');
    expect(allExports.report.error).toContain('2 of 2 items');
    const none = await run(0, []);
    expect(none.report.status, none.report.error ?? '').toBe('SUCCEEDED');
    expect((await markerOf(none.store, 'export_store'))!.outputs).toEqual({ files: [] });
  });

  it('refuses item indexes on a job without for_each', async () => {
    await expect(run(2, ['build_catalogue[0]'])).rejects.toThrow("job 'build_catalogue' has no for_each");
  });
});
